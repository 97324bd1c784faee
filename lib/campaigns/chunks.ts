import type { ChunkMessage } from './campaign';

/**
 * The one place chunks are cut: users in order, `batchSize` a message, each with an id built from a
 * stable prefix and its offset, so that sending the same users again yields the same chunk ids (which
 * count once).
 */
export function chunksOf(campaign: { readonly campaignId: string; readonly templateId: string; readonly rate: { readonly batchSize: number } }, userIds: readonly string[], idPrefix: string, options: { retry?: boolean } = {}): ChunkMessage[] {
  const messages: ChunkMessage[] = [];
  for (let i = 0; i < userIds.length; i += campaign.rate.batchSize) {
    messages.push({
      campaignId: campaign.campaignId,
      templateId: campaign.templateId,
      chunkId: `${idPrefix}:${i}`,
      userIds: userIds.slice(i, i + campaign.rate.batchSize),
      ...(options.retry ? { retry: true } : {}),
    });
  }
  return messages;
}

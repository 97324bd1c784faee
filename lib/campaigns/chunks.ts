import { createHash } from 'node:crypto';
import { type ChunkMessage, laneOf } from './campaign';

/** Users per retry chunk: its counting transaction also deletes one failed-user record per user (at most 100 items). */
export const RETRY_CHUNK_USERS = 90;

/**
 * The one place chunks are cut: users split by lane (one user is always in the same lane, and a lane's
 * chunks run one at a time), then `batchSize` a chunk. Chunk ids are stable, so sending the same users
 * again yields the same ids, which count once: a page's chunks are named by the page's position, a retry's
 * by its round and the users in it (a user still failed after one round is sent again in the next).
 */
export function chunksOf(
  campaign: { readonly campaignId: string; readonly templateId: string; readonly lanes: number; readonly rate: { readonly batchSize: number } },
  userIds: readonly string[],
  source: { readonly page: string; readonly mayRepeat?: (userId: string) => boolean } | { readonly retry: string },
): ChunkMessage[] {
  const byLane = new Map<number, string[]>();
  for (const userId of userIds) {
    const lane = laneOf(userId, campaign.lanes);
    let users = byLane.get(lane);
    if (!users) byLane.set(lane, (users = []));
    users.push(userId);
  }
  const size = 'retry' in source ? Math.min(campaign.rate.batchSize, RETRY_CHUNK_USERS) : campaign.rate.batchSize;
  const messages: ChunkMessage[] = [];
  for (const [lane, users] of [...byLane].sort(([a], [b]) => a - b)) {
    for (let i = 0; i < users.length; i += size) {
      const chunk = users.slice(i, i + size);
      const chunkId = 'retry' in source ? `retry:${source.retry}:${lane}:${createHash('sha256').update(chunk.join('\n')).digest('base64url').slice(0, 22)}` : `${source.page}:${lane}:${i}`;
      messages.push({
        campaignId: campaign.campaignId,
        templateId: campaign.templateId,
        chunkId,
        lane,
        userIds: chunk,
        ...('retry' in source ? { retry: true } : {}),
        ...('page' in source && source.mayRepeat ? { mayRepeat: chunk.filter(source.mayRepeat) } : {}),
      });
    }
  }
  return messages;
}

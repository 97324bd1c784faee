import { BatchGetCommand, type BatchGetCommandOutput, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { TemplateCache } from '../claims/template-cache';
import { issueCoupon } from '../coupons/coupon';
import { batchWriteWithRetries } from '../dynamo';
import { userCouponKey } from '../keys';
import { type Clock, toIso } from '../time';
import { type ChunkMessage, campaignCouponId } from './campaign';
import type { CampaignRepository } from './campaign-repository';

export interface WorkerDeps {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly campaigns: Pick<CampaignRepository, 'chunkRecorded' | 'recordChunk' | 'recordFailedUsers' | 'forgetFailedUsers'>;
  readonly templates: TemplateCache;
  readonly clock: Clock;
  /** BatchWriteItem attempts per call before the unwritten users are left to a redelivery. */
  readonly writeAttempts: number;
  readonly baseDelayMs: number;
  /** From this delivery on, users that still cannot be written are recorded as failed instead of redelivered. */
  readonly giveUpAtReceiveCount: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

export type ChunkOutcome = { readonly kind: 'done'; readonly counted: boolean } | { readonly kind: 'retry-later'; readonly unwritten: number };

/** Which of these users already hold this campaign's coupon, and from which chunk. */
async function existingCoupons(deps: WorkerDeps, message: ChunkMessage, userIds: readonly string[]): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  for (let i = 0; i < userIds.length; i += 100) {
    let keys: Record<string, unknown>[] | undefined = userIds.slice(i, i + 100).map((userId) => ({ ...userCouponKey(userId, campaignCouponId(message.campaignId, userId)) }));
    for (let attempt = 0; keys && keys.length > 0; attempt++) {
      if (attempt > 0) await (deps.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms))))(Math.random() * deps.baseDelayMs * 2 ** Math.min(attempt, 8));
      const result: BatchGetCommandOutput = await deps.client.send(
        // Eventually consistent (half the read units): a redelivery comes a visibility timeout (minutes) after
        // the writes it must see, and duplicates within a page never reach two chunks.
        new BatchGetCommand({ RequestItems: { [deps.tableName]: { Keys: keys, ProjectionExpression: 'userId, campaignChunk' } } }),
      );
      for (const item of result.Responses?.[deps.tableName] ?? []) found.set(String(item.userId), String(item.campaignChunk));
      keys = result.UnprocessedKeys?.[deps.tableName]?.Keys;
    }
  }
  return found;
}

/**
 * Issues one chunk of a campaign: one coupon per user, written with BatchWriteItem only where the user
 * does not hold this campaign's coupon yet, so a redelivered chunk never resets a coupon the user has
 * locked or used meanwhile. The chunk is counted exactly once, when it is finished.
 *
 * Counting: `issued` = users holding the coupon from this chunk (written now or by an earlier delivery
 * of it); `skipped` = users who already held it from another chunk (duplicates in the audience);
 * `failed` = users given up on after `giveUpAtReceiveCount` deliveries (recorded, retryable).
 */
export async function issueCampaignChunk(deps: WorkerDeps, message: ChunkMessage, receiveCount: number): Promise<ChunkOutcome> {
  // A first delivery cannot find its chunk counted (a rare duplicate delivery is caught by the marker's
  // condition at the end instead), so only redeliveries pay for this read.
  if (receiveCount > 1 && (await deps.campaigns.chunkRecorded(message.campaignId, message.chunkId))) return { kind: 'done', counted: false };
  const template = await deps.templates.get(message.templateId);
  if (!template) throw new Error(`template ${message.templateId} of campaign ${message.campaignId} not found`);

  const unique = [...new Set(message.userIds)];
  const duplicatesInChunk = message.userIds.length - unique.length;
  const existing = await existingCoupons(deps, message, unique);
  const missing = unique.filter((userId) => !existing.has(userId));
  const nowMs = deps.clock();
  const requests = missing.map((userId) => ({
    PutRequest: {
      Item: {
        ...userCouponKey(userId, campaignCouponId(message.campaignId, userId)),
        entity: 'coupon',
        ...issueCoupon(template, { id: campaignCouponId(message.campaignId, userId), userId, nowMs, source: 'campaign', campaignId: message.campaignId }),
        campaignChunk: message.chunkId,
      },
    },
  }));
  const unwritten = await batchWriteWithRetries(deps.client, deps.tableName, requests, { maxAttempts: deps.writeAttempts, baseDelayMs: deps.baseDelayMs, sleep: deps.sleep });
  const failedUsers = unwritten.map((request) => String(request.PutRequest!.Item!.userId));
  if (failedUsers.length > 0 && receiveCount < deps.giveUpAtReceiveCount) return { kind: 'retry-later', unwritten: failedUsers.length };
  if (failedUsers.length > 0) await deps.campaigns.recordFailedUsers(message.campaignId, failedUsers, 'WRITE_THROTTLED', toIso(nowMs));

  const failed = new Set(failedUsers);
  const fromThisChunk = unique.filter((userId) => !failed.has(userId) && (!existing.has(userId) || existing.get(userId) === message.chunkId));
  const fromOtherChunks = unique.filter((userId) => existing.has(userId) && existing.get(userId) !== message.chunkId);
  const counted = await deps.campaigns.recordChunk(message.campaignId, message.chunkId, {
    // A retried chunk's users were counted as processed when they first failed.
    processed: message.retry ? 0 : message.userIds.length,
    issued: fromThisChunk.length,
    skipped: fromOtherChunks.length + duplicatesInChunk,
    failed: failed.size,
    ...(message.retry ? { retriedFailures: message.userIds.length } : {}),
  });
  if (counted && message.retry) {
    const succeeded = unique.filter((userId) => !failed.has(userId));
    await deps.campaigns.forgetFailedUsers(message.campaignId, succeeded);
  }
  return { kind: 'done', counted };
}

import type { TemplateCache } from '../claims/template-cache';
import { issueCoupon } from '../coupons/coupon';
import { type Clock, toIso } from '../time';
import { type ChunkMessage, campaignCouponId } from './campaign';
import type { CampaignCouponStore } from './campaign-coupons';
import type { CampaignRepository } from './campaign-repository';

export interface WorkerDeps {
  readonly campaigns: Pick<CampaignRepository, 'chunkRecorded' | 'recordChunk' | 'recordFailedUsers' | 'forgetFailedUsers'>;
  readonly coupons: CampaignCouponStore;
  readonly templates: Pick<TemplateCache, 'get'>;
  readonly clock: Clock;
  /** From this delivery on, users that still cannot be written are recorded as failed instead of redelivered. */
  readonly giveUpAtReceiveCount: number;
}

export type ChunkOutcome = { readonly kind: 'done'; readonly counted: boolean } | { readonly kind: 'retry-later'; readonly unwritten: number };

/**
 * Issues one chunk of a campaign: one coupon per user, written only where the user does not hold this
 * campaign's coupon yet, so a redelivered chunk never resets a coupon the user has locked or used
 * meanwhile. The chunk is counted exactly once, when it is finished.
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
  const nowMs = deps.clock();
  const coupons = unique.map((userId) => ({
    ...issueCoupon(template, { id: campaignCouponId(message.campaignId, userId), userId, nowMs, source: 'campaign', campaignId: message.campaignId }),
    campaignChunk: message.chunkId,
  }));
  const existing = await deps.coupons.holders(coupons);
  const failedUsers = await deps.coupons.write(coupons.filter((coupon) => !existing.has(coupon.userId)));
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

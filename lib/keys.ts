/**
 * The one module that builds DynamoDB keys. Every access pattern in docs/data-model.md names the
 * builder it uses; nothing else in the code base writes a key by hand.
 */
export interface ItemKey {
  readonly pk: string;
  readonly sk: string;
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');

export const templateKey = (templateId: string): ItemKey => ({ pk: `TPL#${templateId}`, sk: 'TPL' });

export const templatePartition = (templateId: string): string => `TPL#${templateId}`;

/** Stock of one template is spread over shard items in the template's own partition. */
export const inventoryShardKey = (templateId: string, shard: number): ItemKey => ({
  pk: templatePartition(templateId),
  sk: `STOCK#${pad(shard, 3)}`,
});
export const inventoryShardPrefix = 'STOCK#';

/** Records one back-office stock addition under its Idempotency-Key, so a retry never adds twice. */
export const stockAdditionKey = (templateId: string, idempotencyKey: string): ItemKey => ({
  pk: templatePartition(templateId),
  sk: `STOCKADD#${idempotencyKey}`,
});

/** Records a template creation under the caller's Idempotency-Key: a retried create answers the same template. */
export const templateCreationKey = (caller: string, idempotencyKey: string): ItemKey => ({
  pk: `CALLER#${caller}`,
  sk: `TEMPLATECREATE#${idempotencyKey}`,
});

export const shardOfInventoryKey = (sk: string): number => Number(sk.slice(inventoryShardPrefix.length));

/** GSI1 key of a template: one partition for all templates, sorted by status then creation time. */
export const templateListingKey = (status: string, createdAt: string, templateId: string) => ({
  gsi1pk: 'TEMPLATES',
  gsi1sk: `${status}#${createdAt}#${templateId}`,
});
export const templateListingPartition = 'TEMPLATES';
export const templateListingStatusPrefix = (status: string): string => `${status}#`;

export const userPartition = (userId: string): string => `USER#${userId}`;

export const userCouponKey = (userId: string, couponId: string): ItemKey => ({ pk: userPartition(userId), sk: `CPN#${couponId}` });
export const userCouponPrefix = 'CPN#';

/** Counts how many coupons of a template a user has claimed; enforces the per-user limit. */
export const userClaimCounterKey = (userId: string, templateId: string): ItemKey => ({
  pk: userPartition(userId),
  sk: `CLAIMS#${templateId}`,
});

export const userClaimCounterPrefix = 'CLAIMS#';

/** An idempotency record lives in the user's partition: keys are scoped to the user who sent them. */
export const userIdempotencyKey = (userId: string, operation: string, idempotencyKey: string): ItemKey => ({
  pk: userPartition(userId),
  sk: `IDEM#${operation}#${idempotencyKey}`,
});

export const userProfileKey = (userId: string): ItemKey => ({ pk: userPartition(userId), sk: 'PROFILE' });

export const globalBlocklistKey: ItemKey = { pk: 'SETTINGS', sk: 'BLOCKLIST' };

export const orderKey = (orderId: string): ItemKey => ({ pk: `ORDER#${orderId}`, sk: 'ORDER' });

/** Locks waiting to expire are spread over this many GSI1 partitions, so no index partition is hot. */
export const LOCK_EXPIRY_SHARDS = 10;

/** GSI1 key of a locked order: sorted by when its lock expires. Removed when the lock ends. */
export const lockExpiryKey = (orderId: string, lockExpiresAt: string) => ({
  gsi1pk: lockExpiryPartition(lockExpiryShardOf(orderId)),
  gsi1sk: `${lockExpiresAt}#${orderId}`,
});
export const lockExpiryPartition = (shard: number): string => `LOCKS#${shard}`;
const lockExpiryShardOf = (orderId: string): number => shardOf(orderId, LOCK_EXPIRY_SHARDS);

/** A stable shard for a value: the same value always lands in the same shard. */
function shardOf(value: string, shards: number): number {
  let hash = 0;
  for (const char of value) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return hash % shards;
}

/** Statistics of a template are spread over counter shards in its partition, so no counter item is hot. */
export const STATISTICS_SHARDS = 10;
export const statisticsShardKey = (templateId: string, shard: number): ItemKey => ({ pk: templatePartition(templateId), sk: `STATS#${pad(shard, 2)}` });
export const statisticsShardPrefix = 'STATS#';

export const campaignPartition = (campaignId: string): string => `CAMPAIGN#${campaignId}`;
export const campaignKey = (campaignId: string): ItemKey => ({ pk: campaignPartition(campaignId), sk: 'CAMPAIGN' });
/** An inline audience, stored in chunks of user ids so that no event or state carries it. */
export const campaignAudienceChunkKey = (campaignId: string, chunk: number): ItemKey => ({ pk: campaignPartition(campaignId), sk: `AUDIENCE#${pad(chunk, 6)}` });
/** Progress counters of a campaign are spread over shards, so thousands of workers never share one item. */
export const CAMPAIGN_COUNTER_SHARDS = 16;
export const campaignCounterKey = (campaignId: string, shard: number): ItemKey => ({ pk: campaignPartition(campaignId), sk: `COUNT#${pad(shard, 2)}` });
export const campaignCounterPrefix = 'COUNT#';
/** Written once per message chunk, in the same transaction as its counts: a redelivered chunk is never counted twice. */
export const campaignChunkKey = (campaignId: string, chunkId: string): ItemKey => ({ pk: campaignPartition(campaignId), sk: `CHUNK#${chunkId}` });
export const campaignFailedUserKey = (campaignId: string, userId: string): ItemKey => ({ pk: campaignPartition(campaignId), sk: `FAILED#${userId}` });
export const campaignFailedPrefix = 'FAILED#';
/** A campaign's stock reservation is spread over shard items, so thousands of chunks drawing from it never share one item. */
export const RESERVATION_SHARDS_MAX = 16;
export const campaignReservationKey = (campaignId: string, shard: number): ItemKey => ({ pk: campaignPartition(campaignId), sk: `RES#${pad(shard, 2)}` });
export const campaignReservationPrefix = 'RES#';
export const shardOfReservationKey = (sk: string): number => Number(sk.slice(campaignReservationPrefix.length));
/** The campaign's repeat filter (users that may appear more than once in its audience), in parts of at most 300 KB. */
export const campaignRepeatsKey = (campaignId: string, part: number): ItemKey => ({ pk: campaignPartition(campaignId), sk: `REPEATS#${pad(part, 2)}` });
/** A chunk that arrived while its campaign was paused, kept until the campaign resumes. */
export const campaignParkedKey = (campaignId: string, chunkId: string): ItemKey => ({ pk: campaignPartition(campaignId), sk: `PARKED#${chunkId}` });
export const campaignParkedPrefix = 'PARKED#';

/** GSI1 key of a campaign: one partition for all campaigns, sorted by when they were requested. */
export const campaignListingKey = (requestedAt: string, campaignId: string) => ({ gsi1pk: campaignListingPartition, gsi1sk: `${requestedAt}#${campaignId}` });
export const campaignListingPartition = 'CAMPAIGNS';

/** A template's campaigns, with their status, in the template's partition: read consistently when the template is paused. */
export const templateCampaignKey = (templateId: string, campaignId: string): ItemKey => ({ pk: templatePartition(templateId), sk: `CAMPAIGN#${campaignId}` });
export const templateCampaignPrefix = 'CAMPAIGN#';

/**
 * The lifecycle index (GSI2) holds every coupon exactly once: while it can still be used (available or
 * locked) under EXPIRES, sorted by when its validity ends; once settled (used or expired) under SETTLED,
 * sorted by when it settled. The expiry job reads the first, the reminder job a day's slice of the
 * first, the archival job the old end of the second. Coupons are spread by user over this many
 * partitions, so a million coupons expiring in the same minute never share one index partition, and a
 * user's coupons always share one (the reminder job groups them by user).
 */
export const LIFECYCLE_SHARDS = 32;
export const lifecycleShardOf = (userId: string): number => shardOf(userId, LIFECYCLE_SHARDS);
export const expiryPartition = (shard: number): string => `EXPIRES#${pad(shard, 2)}`;
export const settledPartition = (shard: number): string => `SETTLED#${pad(shard, 2)}`;
export interface LifecycleIndexKey {
  readonly gsi2pk: string;
  readonly gsi2sk: string;
}
/** A coupon that can still be used: due to expire at `validUntil`. */
export const expiryIndexKey = (coupon: { readonly userId: string; readonly id: string; readonly validUntil: string }): LifecycleIndexKey => ({
  gsi2pk: expiryPartition(lifecycleShardOf(coupon.userId)),
  gsi2sk: `${coupon.validUntil}#${coupon.id}`,
});
/** A settled coupon (used or expired since `settledAt`): due for the archive once its retention has passed. */
export const settledIndexKey = (coupon: { readonly userId: string; readonly id: string }, settledAt: string): LifecycleIndexKey => ({
  gsi2pk: settledPartition(lifecycleShardOf(coupon.userId)),
  gsi2sk: `${settledAt}#${coupon.id}`,
});
/** The upper end of an index range "up to and including this instant" (sort keys are `<ISO time>#<id>`). */
export const upToInstant = (iso: string): string => `${iso}#\uffff`;

/** One expiry reminder: a user, a reminder offset, a day. Its conditional write is what makes the reminder happen once. */
export const userReminderKey = (userId: string, day: string, offset: string): ItemKey => ({ pk: userPartition(userId), sk: `REMINDER#${day}#${offset}` });

/** That a shard of a day's reminder window for an offset is done: later runs of the day skip it. */
export const reminderProgressKey = (day: string, offset: string, shard: number): ItemKey => ({ pk: `REMINDERS#${day}`, sk: `${offset}#${pad(shard, 2)}` });

/** Archive manifests, one partition sorted by when the archive batch was made (a few writes a second at most). */
export const archiveManifestPartition = 'ARCHIVES';
export const archiveManifestKey = (createdAt: string, batchId: string): ItemKey => ({ pk: archiveManifestPartition, sk: `${createdAt}#${batchId}` });
/** Which archival run holds a lifecycle shard, until when, and the batch it has not finished (if any). */
export const archiveShardKey = (shard: number): ItemKey => ({ pk: `ARCHIVE-SHARD#${pad(shard, 2)}`, sk: 'LEASE' });

/** A code batch and what belongs to it (counter shards, generated parts, export records) share its partition. */
export const codeBatchPartition = (batchId: string): string => `CODEBATCH#${batchId}`;
export const codeBatchKey = (batchId: string): ItemKey => ({ pk: codeBatchPartition(batchId), sk: 'BATCH' });
/** A batch's stock and redemptions are spread over counter shards, so redemptions of a big batch never share one item. */
export const CODE_BATCH_SHARDS_MAX = 16;
export const codeBatchShardKey = (batchId: string, shard: number): ItemKey => ({ pk: codeBatchPartition(batchId), sk: `COUNT#${pad(shard, 2)}` });
export const codeBatchShardPrefix = 'COUNT#';
/** Written once per generated part, in the transaction that counts it: a redelivered part is never counted twice. */
export const codeBatchPartPrefix = 'PART#';
export const codeBatchPartKey = (batchId: string, part: number): ItemKey => ({ pk: codeBatchPartition(batchId), sk: `${codeBatchPartPrefix}${pad(part, 5)}` });
/** Who exported a batch's codes, and when. */
export const codeExportKey = (batchId: string, at: string, exportId: string): ItemKey => ({ pk: codeBatchPartition(batchId), sk: `EXPORT#${at}#${exportId}` });
export const codeExportPrefix = 'EXPORT#';
/** A template's code batches, in the template's partition (the stock ledger reads them). */
export const templateCodeBatchKey = (templateId: string, batchId: string): ItemKey => ({ pk: templatePartition(templateId), sk: `CODEBATCH#${batchId}` });
export const templateCodeBatchPrefix = 'CODEBATCH#';
/** How many codes of a code space (one pattern and charset) batches have taken: the next batch numbers its codes from there. */
export const codeSpaceKey = (spaceId: string): ItemKey => ({ pk: `CODESPACE#${spaceId}`, sk: 'SPACE' });
/** One code, by the keyed hash of its normalized form (never the code itself); the sort key keeps codes of two batches apart. */
export const codePartition = (codeHash: string): string => `CODE#${codeHash}`;
export const codeKey = (codeHash: string, batchId: string): ItemKey => ({ pk: codePartition(codeHash), sk: `BATCH#${batchId}` });
/** That a user redeemed a shared code (once per user), with the coupon it gave. */
export const userCodeRedemptionKey = (userId: string, batchId: string): ItemKey => ({ pk: userPartition(userId), sk: `CODEUSE#${batchId}` });
/** Failed redemptions of a user, and of a source address, in one fixed window (lib/codes/failure-window.ts). */
export const userCodeFailuresKey = (userId: string, windowStart: number): ItemKey => ({ pk: userPartition(userId), sk: `CODEFAIL#${windowStart}` });
export const addressCodeFailuresKey = (address: string, windowStart: number): ItemKey => ({ pk: `CODEFAIL#${address}`, sk: `W#${windowStart}` });

/** An import (a legacy data set moving in): its progress, totals and reconciliation, with its parts and verified segments in its partition. */
export const importPartition = (importId: string): string => `IMPORT#${importId}`;
export const importKey = (importId: string): ItemKey => ({ pk: importPartition(importId), sk: 'IMPORT' });
/** Written once per part of the coupons file, in the transaction that adds its totals: a redelivered part is never counted twice. */
export const importPartPrefix = 'PART#';
export const importPartKey = (importId: string, part: number): ItemKey => ({ pk: importPartition(importId), sk: `${importPartPrefix}${pad(part, 6)}` });
/** One segment of the table's parallel scan that verifies an import, once done. */
export const importSegmentPrefix = 'SEGMENT#';
export const importSegmentKey = (importId: string, segment: number): ItemKey => ({ pk: importPartition(importId), sk: `${importSegmentPrefix}${pad(segment, 3)}` });
/** GSI1 key of an import: one partition for all imports, sorted by when they were started. */
export const importListingKey = (startedAt: string, importId: string) => ({ gsi1pk: 'IMPORTS', gsi1sk: `${startedAt}#${importId}` });
/**
 * The newest version of a legacy coupon the dual write received, in its user's partition: an import
 * writing the same coupon at the same moment reads it after its own write and puts the newer one back.
 */
export const legacyCouponVersionKey = (userId: string, externalId: string): ItemKey => ({ pk: userPartition(userId), sk: `LEGACY#${externalId}` });

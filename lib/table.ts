/**
 * The shape of the single DynamoDB table, shared by the CDK app and the local stack so that the two
 * cannot drift. Every item has a generic partition key `pk` and sort key `sk`; `docs/data-model.md`
 * lists what lives under which key.
 */
export const tableKeys = { partitionKey: 'pk', sortKey: 'sk' } as const;

export const indexes = {
  /**
   * Sparse and overloaded: templates by status and creation time (back office), and locked orders by
   * lock expiry. Only those items carry gsi1pk, so coupon writes never pay for an index write.
   */
  gsi1: { indexName: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk', projection: { type: 'ALL' } },
  /**
   * The lifecycle index (lib/keys.ts, LIFECYCLE_SHARDS): every coupon, by when it expires or settled.
   * It projects only what the lifecycle jobs read and what never changes after issue, plus the status
   * (so the jobs skip locked coupons without reading the table): a lock or a release rewrites its small
   * index entry, nothing else does.
   */
  gsi2: { indexName: 'gsi2', partitionKey: 'gsi2pk', sortKey: 'gsi2sk', projection: { type: 'INCLUDE', attributes: ['status', 'userId', 'templateId', 'name', 'validUntil'] } },
} as const;

export type IndexDefinition = (typeof indexes)[keyof typeof indexes];
export const globalSecondaryIndexes: readonly IndexDefinition[] = Object.values(indexes);

/** The index's projection in the shape DynamoDB's CreateTable takes (the CDK construct maps the same definition). */
export const projectionOf = (index: IndexDefinition) =>
  index.projection.type === 'ALL' ? { ProjectionType: 'ALL' as const } : { ProjectionType: 'INCLUDE' as const, NonKeyAttributes: [...index.projection.attributes] };

/** Attribute DynamoDB TTL deletes items by (idempotency records, reminders, finished orders, claim counters: docs/lifecycle.md). Epoch seconds. */
export const timeToLiveAttribute = 'expiresAt';

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
  gsi1: { indexName: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
} as const;

export const globalSecondaryIndexes = Object.values(indexes);

/** Attribute DynamoDB TTL deletes items by (idempotency records). Epoch seconds. */
export const timeToLiveAttribute = 'expiresAt';

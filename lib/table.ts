/**
 * The shape of the single DynamoDB table, shared by the CDK app and the local stack so that the two
 * cannot drift. Every item has a generic partition key `pk` and sort key `sk`; `docs/data-model.md`
 * lists what lives under which key.
 */
export const tableKeys = { partitionKey: 'pk', sortKey: 'sk' } as const;

export const globalSecondaryIndexes = [
  /** GSI1: templates listed by status and creation time (back office). Sparse: only templates carry gsi1pk. */
  { indexName: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
] as const;

/** Attribute DynamoDB TTL deletes items by (idempotency records). Epoch seconds. */
export const timeToLiveAttribute = 'expiresAt';

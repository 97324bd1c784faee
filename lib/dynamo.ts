import { TransactionCanceledException, ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, type BatchWriteCommandInput, type BatchWriteCommandOutput, QueryCommand, type DynamoDBDocumentClient, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';

/** Helpers for reading DynamoDB's failure shapes, shared by every repository. */

export type CancellationCode = 'None' | 'ConditionalCheckFailed' | 'TransactionConflict' | 'ThrottlingError' | string;

/** For a cancelled transaction: one code per item, in the order the items were sent. */
export function cancellationCodes(error: unknown): CancellationCode[] | undefined {
  if (!(error instanceof TransactionCanceledException)) return undefined;
  return (error.CancellationReasons ?? []).map((reason) => reason.Code ?? 'None');
}

export function isConditionalCheckFailure(error: unknown): boolean {
  return error instanceof ConditionalCheckFailedException;
}

/** Strips the key and bookkeeping attributes that every item carries, leaving the entity's own fields. */
export function withoutKeys<T>(item: Record<string, unknown>): T {
  const { pk: _pk, sk: _sk, gsi1pk: _g1pk, gsi1sk: _g1sk, entity: _entity, ...rest } = item;
  return rest as T;
}

/** Every item a Query matches, following LastEvaluatedKey (for partitions known to be small: a template's, a user's counters). */
export async function queryAll(client: DynamoDBDocumentClient, input: Omit<QueryCommandInput, 'ExclusiveStartKey'>): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await client.send(new QueryCommand({ ...input, ExclusiveStartKey: startKey }));
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}

export type WriteRequest = NonNullable<BatchWriteCommandInput['RequestItems']>[string][number];

/** Whole-call throttling: the SDK gave up retrying, but the requests can be tried again later. */
const isThrottling = (error: unknown) =>
  error instanceof Error && ['ProvisionedThroughputExceededException', 'ThrottlingException', 'RequestLimitExceeded'].includes(error.name);

/**
 * BatchWriteItem, 25 requests a call, retrying UnprocessedItems (and throttled calls) with exponential
 * backoff and full jitter. Returns the requests still unprocessed after `maxAttempts`: never drops one
 * silently.
 */
export async function batchWriteWithRetries(
  client: DynamoDBDocumentClient,
  tableName: string,
  requests: readonly WriteRequest[],
  options: { maxAttempts: number; baseDelayMs: number; sleep?: (ms: number) => Promise<void> },
): Promise<WriteRequest[]> {
  const sleep = options.sleep ?? ((ms: number) => new Promise((resolve) => setTimeout(resolve, ms)));
  const chunks: WriteRequest[][] = [];
  for (let i = 0; i < requests.length; i += 25) chunks.push(requests.slice(i, i + 25));
  const leftovers = await Promise.all(
    chunks.map(async (chunk) => {
      let pending: WriteRequest[] = chunk;
      for (let attempt = 0; attempt < options.maxAttempts && pending.length > 0; attempt++) {
        if (attempt > 0) await sleep(Math.random() * options.baseDelayMs * 2 ** attempt);
        try {
          const result: BatchWriteCommandOutput = await client.send(new BatchWriteCommand({ RequestItems: { [tableName]: pending } }));
          pending = result.UnprocessedItems?.[tableName] ?? [];
        } catch (error) {
          if (!isThrottling(error)) throw error;
        }
      }
      return pending;
    }),
  );
  return leftovers.flat();
}

import { BatchGetCommand, BatchWriteCommand, type BatchWriteCommandInput, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ItemKey } from '../keys';
import { type Backoff, untilDone } from '../retry';
import { isThrottling } from './errors';

export type WriteRequest = NonNullable<BatchWriteCommandInput['RequestItems']>[string][number];

const BATCH_WRITE_MAX = 25;
const BATCH_GET_MAX = 100;

/** Lets a call run when a slot is free (a p-limit limiter): bounds the calls a process has in flight. */
export type CallGate = <T>(call: () => Promise<T>) => Promise<T>;

/** The gate these retries go through: their shared limiter, or none. */
export const gateOf = (retries: Pick<BatchRetries, 'inFlight'>): CallGate => retries.inFlight ?? ((call) => call());

export interface BatchRetries extends Backoff {
  /** Calls per group of items before what is left is handed back (writes) or refused (reads). */
  readonly maxAttempts: number;
  /** Shared by every caller of one process, so that many chunks at once do not queue hundreds of calls on the HTTP agent. */
  readonly inFlight?: CallGate;
}

const groupsOf = <T>(items: readonly T[], size: number): T[][] => {
  const groups: T[][] = [];
  for (let i = 0; i < items.length; i += size) groups.push(items.slice(i, i + size));
  return groups;
};

/** A time after which a write must not be sent (what it was decided on may no longer hold). */
export interface SendDeadline {
  readonly atMs: number;
  readonly now: () => number;
}

export class SendDeadlinePassedError extends Error {
  constructor(atMs: number) {
    super(`a write was due before ${new Date(atMs).toISOString()} and was not sent; what it was decided on is read again`);
    this.name = 'SendDeadlinePassedError';
  }
}

/**
 * BatchWriteItem, 25 requests a call (the calls in parallel), retrying UnprocessedItems and throttled
 * calls with backoff. Returns the requests still unprocessed after `maxAttempts`: never drops one
 * silently. With `sendBefore`, no call is sent after its time: the batch throws instead.
 */
export async function batchWriteAll(client: DynamoDBDocumentClient, tableName: string, requests: readonly WriteRequest[], retries: BatchRetries & { readonly sendBefore?: SendDeadline }): Promise<WriteRequest[]> {
  const gate = gateOf(retries);
  const { sendBefore } = retries;
  const leftovers = await Promise.all(
    groupsOf(requests, BATCH_WRITE_MAX).map((group) =>
      untilDone(group, retries.maxAttempts, retries, async (pending) => {
        try {
          const result = await gate(() => {
            // Checked when the call gets its slot: waiting for one is part of the time.
            if (sendBefore && sendBefore.now() >= sendBefore.atMs) throw new SendDeadlinePassedError(sendBefore.atMs);
            return client.send(new BatchWriteCommand({ RequestItems: { [tableName]: [...pending] } }));
          });
          return result.UnprocessedItems?.[tableName] ?? [];
        } catch (error) {
          if (isThrottling(error)) return pending;
          throw error;
        }
      }),
    ),
  );
  return leftovers.flat();
}

/**
 * BatchGetItem, 100 keys a call, retrying UnprocessedKeys with backoff. Returns every item found
 * (in no particular order); throws if some keys are still unprocessed after `maxAttempts`.
 */
export async function batchGetAll(
  client: DynamoDBDocumentClient,
  tableName: string,
  keys: readonly ItemKey[],
  options: BatchRetries & { readonly consistent: boolean; readonly projection?: string },
): Promise<Record<string, unknown>[]> {
  const found: Record<string, unknown>[] = [];
  const gate = gateOf(options);
  const unread = await Promise.all(
    groupsOf(keys, BATCH_GET_MAX).map((group) =>
      untilDone<Record<string, unknown>>(
        group.map((key) => ({ pk: key.pk, sk: key.sk })),
        options.maxAttempts,
        options,
        async (pending) => {
          const result = await gate(() =>
            client.send(
              new BatchGetCommand({
                RequestItems: { [tableName]: { Keys: [...pending], ConsistentRead: options.consistent, ...(options.projection ? { ProjectionExpression: options.projection } : {}) } },
              }),
            ),
          );
          found.push(...(result.Responses?.[tableName] ?? []));
          return result.UnprocessedKeys?.[tableName]?.Keys ?? [];
        },
      ),
    ),
  );
  const left = unread.flat().length;
  if (left > 0) throw new Error(`BatchGetItem left ${left} keys unread after ${options.maxAttempts} attempts`);
  return found;
}

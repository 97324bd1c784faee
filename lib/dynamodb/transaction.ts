import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';

export type TransactWriteItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** What DynamoDB says about one item of a cancelled transaction. */
export type CancellationCode = 'ConditionalCheckFailed' | 'TransactionConflict' | 'Throttling' | 'None' | 'Other';

/** One item of a transaction, with the role it plays, so a cancellation can be read by role rather than by index. */
export interface RoledItem<R> {
  readonly role: R;
  readonly item: TransactWriteItem;
}

export interface ItemFailure<R> {
  readonly role: R;
  readonly code: CancellationCode;
  /** The item as it was, when the item asked for it (ReturnValuesOnConditionCheckFailure: ALL_OLD). */
  readonly old?: Record<string, unknown>;
}

export type TransactionOutcome<R> = { readonly committed: true } | { readonly committed: false; readonly failures: readonly ItemFailure<R>[] };

const codeOf = (raw: string | undefined): CancellationCode => {
  switch (raw) {
    case 'ConditionalCheckFailed':
    case 'TransactionConflict':
      return raw;
    case 'ThrottlingError':
    case 'ProvisionedThroughputExceeded':
      return 'Throttling';
    case undefined:
    case 'None':
      return 'None';
    default:
      return 'Other';
  }
};

/** A record written only if absent; when it was there, the cancellation carries it (`old`): idempotency records. */
export const putOnce = (tableName: string, item: Record<string, unknown>): TransactWriteItem => ({
  Put: { TableName: tableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)', ReturnValuesOnConditionCheckFailure: 'ALL_OLD' },
});

/**
 * TransactWriteItems whose cancellation comes back as typed outcomes, one per failed item with its
 * role (and its old image where asked). Errors that are not a cancellation are thrown as they are.
 */
export async function transactWrite<R>(client: DynamoDBDocumentClient, items: readonly RoledItem<R>[], options: { clientRequestToken?: string } = {}): Promise<TransactionOutcome<R>> {
  try {
    await client.send(new TransactWriteCommand({ TransactItems: items.map((i) => i.item), ...(options.clientRequestToken ? { ClientRequestToken: options.clientRequestToken } : {}) }));
    return { committed: true };
  } catch (error) {
    if (!(error instanceof TransactionCanceledException)) throw error;
    const reasons = error.CancellationReasons ?? [];
    const failures = items.flatMap((item, index): ItemFailure<R>[] => {
      const code = codeOf(reasons[index]?.Code);
      if (code === 'None') return [];
      const old = reasons[index]?.Item;
      return [{ role: item.role, code, ...(old ? { old: unmarshall(old as never) } : {}) }];
    });
    // A cancellation that names no item (validation of the whole request) is not an outcome we can read.
    if (failures.length === 0) throw error;
    return { committed: false, failures };
  }
}

/** Helpers for reading an outcome's failures. */
export const failuresOf = <R>(outcome: TransactionOutcome<R>): readonly ItemFailure<R>[] => (outcome.committed ? [] : outcome.failures);
export const conditionFailed = <R>(outcome: TransactionOutcome<R>, matches: (role: R) => boolean): ItemFailure<R>[] =>
  failuresOf(outcome).filter((failure) => failure.code === 'ConditionalCheckFailed' && matches(failure.role));
/** The transaction lost a race or was throttled: trying again may succeed. */
export const isContention = <R>(outcome: TransactionOutcome<R>): boolean => failuresOf(outcome).some((failure) => failure.code === 'TransactionConflict' || failure.code === 'Throttling');

import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { queryAll } from '../dynamo';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { Coupon } from '../coupons/coupon';
import { takeFromShard } from '../templates/stock-items';
import { userClaimCounterKey, userClaimCounterPrefix, userCouponKey, userIdempotencyKey, userPartition } from '../keys';
import type { ShardTake } from './stock-allocation';

export const CLAIM_OPERATION = 'claim';

export interface IdempotencyRecord {
  readonly requestHash: string;
  readonly couponIds: readonly string[];
  readonly createdAt: string;
  /** Epoch seconds; DynamoDB TTL deletes the record some time after, and the code ignores it from then. */
  readonly expiresAt: number;
}

export interface ClaimLine {
  readonly templateId: string;
  readonly perUserLimit: number;
  readonly takes: readonly ShardTake[];
  readonly coupons: readonly Coupon[];
}

export interface ClaimCommit {
  readonly userId: string;
  readonly idempotencyKey: string;
  readonly record: IdempotencyRecord;
  readonly nowSeconds: number;
  readonly lines: readonly ClaimLine[];
}

export type CommitOutcome =
  | { readonly kind: 'committed' }
  | { readonly kind: 'replay'; readonly record: IdempotencyRecord }
  | { readonly kind: 'limit-reached'; readonly templateIds: readonly string[] }
  | { readonly kind: 'shards-short'; readonly shortages: ReadonlyArray<{ templateId: string; shard: number }> }
  | { readonly kind: 'contention' };

type Role = { kind: 'shard'; templateId: string; shard: number } | { kind: 'counter'; templateId: string } | { kind: 'coupon' } | { kind: 'record' };

/**
 * The claim's single DynamoDB transaction: per template a conditional decrement of stock shard(s), a
 * conditional increment of the user's claim counter, the coupon items; and the idempotency record. All
 * or nothing, so stock taken always equals coupons issued, and a retried request cannot issue twice.
 */
export class ClaimRepository {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async commit(claim: ClaimCommit): Promise<CommitOutcome> {
    const roles: Role[] = [];
    const items: NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']> = [];
    for (const line of claim.lines) {
      for (const take of line.takes) {
        roles.push({ kind: 'shard', templateId: line.templateId, shard: take.shard });
        items.push(takeFromShard(this.tableName, line.templateId, take));
      }
      const quantity = line.coupons.length;
      roles.push({ kind: 'counter', templateId: line.templateId });
      items.push({
        Update: {
          TableName: this.tableName,
          Key: userClaimCounterKey(claim.userId, line.templateId),
          UpdateExpression: 'SET entity = :entity, templateId = :templateId ADD claimed :quantity',
          ConditionExpression: 'attribute_not_exists(claimed) OR claimed <= :most',
          ExpressionAttributeValues: { ':entity': 'claim-counter', ':templateId': line.templateId, ':quantity': quantity, ':most': line.perUserLimit - quantity },
        },
      });
      for (const coupon of line.coupons) {
        roles.push({ kind: 'coupon' });
        items.push({
          Put: { TableName: this.tableName, Item: { ...userCouponKey(claim.userId, coupon.id), entity: 'coupon', ...coupon }, ConditionExpression: 'attribute_not_exists(pk)' },
        });
      }
    }
    roles.push({ kind: 'record' });
    items.push({
      Put: {
        TableName: this.tableName,
        Item: { ...userIdempotencyKey(claim.userId, CLAIM_OPERATION, claim.idempotencyKey), entity: 'idempotency', ...claim.record },
        // An expired record that TTL has not deleted yet counts as absent.
        ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now',
        ExpressionAttributeValues: { ':now': claim.nowSeconds },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      },
    });

    try {
      await this.client.send(new TransactWriteCommand({ TransactItems: items }));
      return { kind: 'committed' };
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      return interpretCancellation(error, roles);
    }
  }

  /** How many coupons of each template the user has claimed: one Query on the user's counter items. */
  async claimCounts(userId: string): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    const items = await queryAll(this.client, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': userPartition(userId), ':prefix': userClaimCounterPrefix },
    });
    for (const item of items) counts.set(String(item.templateId), Number(item.claimed));
    return counts;
  }

  async idempotencyRecord(userId: string, idempotencyKey: string, nowSeconds: number): Promise<IdempotencyRecord | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: userIdempotencyKey(userId, CLAIM_OPERATION, idempotencyKey), ConsistentRead: true }),
    );
    if (!Item || Number(Item.expiresAt) < nowSeconds) return undefined;
    return toRecord(Item);
  }
}

const toRecord = (item: Record<string, unknown>): IdempotencyRecord => ({
  requestHash: String(item.requestHash),
  couponIds: (item.couponIds as string[]) ?? [],
  createdAt: String(item.createdAt),
  expiresAt: Number(item.expiresAt),
});

function interpretCancellation(error: TransactionCanceledException, roles: readonly Role[]): CommitOutcome {
  const reasons = error.CancellationReasons ?? [];
  const failed = (index: number) => reasons[index]?.Code === 'ConditionalCheckFailed';
  const recordIndex = roles.length - 1;
  if (failed(recordIndex)) {
    const raw = reasons[recordIndex]?.Item;
    if (raw) return { kind: 'replay', record: toRecord(unmarshall(raw as never)) };
  }
  const limitReached = roles.flatMap((role, i) => (role.kind === 'counter' && failed(i) ? [role.templateId] : []));
  if (limitReached.length > 0) return { kind: 'limit-reached', templateIds: limitReached };
  const shortages = roles.flatMap((role, i) => (role.kind === 'shard' && failed(i) ? [{ templateId: role.templateId, shard: role.shard }] : []));
  if (shortages.length > 0) return { kind: 'shards-short', shortages };
  // TransactionConflict, ThrottlingError, or a condition failure that told us nothing: retry.
  if (reasons.some((r) => r.Code === 'TransactionConflict' || r.Code === 'ThrottlingError' || r.Code === 'ProvisionedThroughputExceeded' || r.Code === 'ConditionalCheckFailed')) {
    return { kind: 'contention' };
  }
  throw error;
}

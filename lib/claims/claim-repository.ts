import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { queryPrefix } from '../dynamodb/query';
import { conditionFailed, isContention, type RoledItem, transactWrite, type TransactionOutcome } from '../dynamodb/transaction';
import { couponItem } from '../coupons/coupon-item';
import { timeToLiveAttribute } from '../table';
import { Entity, entityItem } from '../entities';
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
  /** When the user's counter for this template may go (epoch seconds), if ever (claimCounterRetainUntil). */
  readonly counterRetainUntil?: number;
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
    const items: RoledItem<Role>[] = [];
    for (const line of claim.lines) {
      for (const take of line.takes) items.push({ role: { kind: 'shard', templateId: line.templateId, shard: take.shard }, item: takeFromShard(this.tableName, line.templateId, take, 'claim') });
      const quantity = line.coupons.length;
      items.push({
        role: { kind: 'counter', templateId: line.templateId },
        item: claimCounterUpdate(this.tableName, { userId: claim.userId, templateId: line.templateId, quantity, perUserLimit: line.perUserLimit, retainUntil: line.counterRetainUntil }),
      });
      for (const coupon of line.coupons) items.push({ role: { kind: 'coupon' }, item: couponPut(this.tableName, coupon) });
    }
    items.push({
      role: { kind: 'record' },
      item: {
        Put: {
          TableName: this.tableName,
          Item: entityItem(Entity.idempotency, userIdempotencyKey(claim.userId, CLAIM_OPERATION, claim.idempotencyKey), claim.record),
          // An expired record that TTL has not deleted yet counts as absent.
          ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now',
          ExpressionAttributeValues: { ':now': claim.nowSeconds },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      },
    });
    return interpret(await transactWrite(this.client, items));
  }

  /** How many coupons of each template the user has claimed: one Query on the user's counter items. */
  async claimCounts(userId: string): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    const items = await queryPrefix(this.client, this.tableName, userPartition(userId), userClaimCounterPrefix, { consistent: false });
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

/**
 * Adds `quantity` to the user's counter for a template, on condition that it stays within the per-user
 * limit; every path that counts toward the limit (claims, counted campaigns) writes it here. The TTL is
 * set when the template's coupons have an end (claimCounterRetainUntil).
 */
export function claimCounterUpdate(tableName: string, counter: { userId: string; templateId: string; quantity: number; perUserLimit: number; retainUntil?: number | undefined }) {
  const retain = counter.retainUntil !== undefined;
  return {
    Update: {
      TableName: tableName,
      Key: userClaimCounterKey(counter.userId, counter.templateId),
      UpdateExpression: `SET entity = :entity, templateId = :templateId${retain ? ', #ttl = :retainUntil' : ''} ADD claimed :quantity`,
      ConditionExpression: 'attribute_not_exists(claimed) OR claimed <= :most',
      ...(retain ? { ExpressionAttributeNames: { '#ttl': timeToLiveAttribute } } : {}),
      ExpressionAttributeValues: {
        ':entity': Entity.claimCounter,
        ':templateId': counter.templateId,
        ':quantity': counter.quantity,
        ':most': counter.perUserLimit - counter.quantity,
        ...(retain ? { ':retainUntil': counter.retainUntil } : {}),
      },
    },
  };
}

/** A new coupon in its user's partition; the condition makes a second write of the same id fail instead of overwriting. */
export const couponPut = (tableName: string, coupon: Coupon) => ({
  Put: { TableName: tableName, Item: couponItem(coupon), ConditionExpression: 'attribute_not_exists(pk)' },
});

function interpret(outcome: TransactionOutcome<Role>): CommitOutcome {
  if (outcome.committed) return { kind: 'committed' };
  const [replayed] = conditionFailed(outcome, (role) => role.kind === 'record');
  if (replayed?.old) return { kind: 'replay', record: toRecord(replayed.old) };
  const limitReached = conditionFailed(outcome, (role) => role.kind === 'counter').flatMap(({ role }) => (role.kind === 'counter' ? [role.templateId] : []));
  if (limitReached.length > 0) return { kind: 'limit-reached', templateIds: limitReached };
  const shortages = conditionFailed(outcome, (role) => role.kind === 'shard').flatMap(({ role }) => (role.kind === 'shard' ? [{ templateId: role.templateId, shard: role.shard }] : []));
  if (shortages.length > 0) return { kind: 'shards-short', shortages };
  // TransactionConflict, throttling, or a condition failure that told us nothing: retry.
  if (isContention(outcome) || conditionFailed(outcome, () => true).length > 0) return { kind: 'contention' };
  throw new Error('claim transaction cancelled for an unexpected reason');
}

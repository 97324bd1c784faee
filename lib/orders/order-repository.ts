import { GetCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { conditionFailed, isContention, transactWrite, type TransactWriteItem } from '../dynamodb/transaction';
import { Entity, entityItem, withoutKeys } from '../entities';
import { ContentionError } from '../errors';
import { indexes, timeToLiveAttribute } from '../table';
import { LOCK_EXPIRY_SHARDS, expiryIndexKey, lockExpiryKey, lockExpiryPartition, orderKey, settledIndexKey, userCouponKey } from '../keys';
import { DAY_MS, toEpochMs } from '../time';
import type { Order, OrderState, RefundedCoupon } from './order';

/** What a failed order transaction tells: the order item's condition failed, or a coupon's did. */
export type OrderWriteOutcome =
  | { readonly kind: 'written' }
  | { readonly kind: 'order-changed' }
  | { readonly kind: 'coupons-unavailable'; readonly couponIds: readonly string[] };

/**
 * DynamoDB adapter for orders. Every state change of an order and of its coupons is one transaction,
 * conditioned on the order's current state and each coupon's status and order id: of two racing
 * changes (a late confirm and the timeout release, say) exactly one commits.
 */
/** Days a finished order is kept before DynamoDB's TTL deletes it (docs/lifecycle.md). */
export interface OrderRetention {
  /** Confirmed orders: refunds and audits read them. */
  readonly confirmedDays: number;
  /** Cancelled and released orders: only a retried request reads them. */
  readonly abandonedDays: number;
}

export class OrderRepository {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly retention: OrderRetention = { confirmedDays: 400, abandonedDays: 30 },
  ) {}

  async get(orderId: string): Promise<Order | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: orderKey(orderId), ConsistentRead: true }));
    return Item ? withoutKeys<Order>(Item) : undefined;
  }

  /** The order (locked, with its expiry in GSI1) and every coupon available -> locked. */
  async lock(order: Order, nowIso: string): Promise<OrderWriteOutcome> {
    return this.write(
      [
        {
          Put: {
            TableName: this.tableName,
            Item: entityItem(Entity.order, { ...orderKey(order.orderId), ...lockExpiryKey(order.orderId, order.lockExpiresAt) }, order),
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        ...order.coupons.map((coupon) => ({
          Update: {
            TableName: this.tableName,
            Key: userCouponKey(order.userId, coupon.couponId),
            UpdateExpression: 'SET #status = :locked, orderId = :orderId, lockedAt = :now',
            ConditionExpression: 'attribute_exists(pk) AND #status = :available AND validFrom <= :now AND validUntil > :now',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':locked': 'locked', ':available': 'available', ':orderId': order.orderId, ':now': nowIso },
          },
        })),
      ],
      order.coupons.map((c) => c.couponId),
    );
  }

  /** locked -> confirmed, every coupon locked -> used. */
  async confirm(order: Order, nowIso: string): Promise<OrderWriteOutcome> {
    return this.write(
      [
        this.endLock(order, 'confirmed', { confirmedAt: nowIso }, this.retention.confirmedDays),
        ...order.coupons.map((coupon) =>
          this.couponTransition(order, coupon.couponId, 'locked', 'SET #status = :to, usedAt = :now, gsi2pk = :indexPk, gsi2sk = :indexSk', {
            ':to': 'used',
            ':now': nowIso,
            ...indexValues(settledIndexKey({ userId: order.userId, id: coupon.couponId }, nowIso)),
          }),
        ),
      ],
      order.coupons.map((c) => c.couponId),
    );
  }

  /** locked -> cancelled or released; each coupon back to available, or to expired if its validity ended. */
  async unlock(order: Order, to: Extract<OrderState, 'cancelled' | 'released'>, nowIso: string): Promise<OrderWriteOutcome> {
    return this.write(
      [
        this.endLock(order, to, to === 'cancelled' ? { cancelledAt: nowIso } : { releasedAt: nowIso }, this.retention.abandonedDays, to === 'released' ? nowIso : undefined),
        ...order.coupons.map((coupon) =>
          coupon.validUntil > nowIso
            ? this.couponTransition(order, coupon.couponId, 'locked', 'SET #status = :to REMOVE orderId, lockedAt', { ':to': 'available' })
            : // Released after its validity ended: expired now, and settled in the lifecycle index.
              this.couponTransition(order, coupon.couponId, 'locked', 'SET #status = :to, expiredAt = :now, gsi2pk = :indexPk, gsi2sk = :indexSk REMOVE orderId, lockedAt', {
                ':to': 'expired',
                ':now': nowIso,
                ...indexValues(settledIndexKey({ userId: order.userId, id: coupon.couponId }, nowIso)),
              }),
        ),
      ],
      order.coupons.map((c) => c.couponId),
    );
  }

  /** Records refund outcomes on the order (guarded by its version) and gives the returned coupons back: used -> available. */
  async refund(order: Order, outcomes: readonly RefundedCoupon[], nextState: OrderState): Promise<OrderWriteOutcome> {
    const returned = outcomes.filter((o) => o.outcome === 'returned').map((o) => o.couponId);
    return this.write(
      [
        {
          Update: {
            TableName: this.tableName,
            Key: orderKey(order.orderId),
            UpdateExpression: 'SET refunds = list_append(refunds, :outcomes), #state = :next, #version = :nextVersion',
            ConditionExpression: '#version = :version AND #state IN (:confirmed, :partial)',
            ExpressionAttributeNames: { '#state': 'state', '#version': 'version' },
            ExpressionAttributeValues: {
              ':outcomes': outcomes,
              ':next': nextState,
              ':version': order.version,
              ':nextVersion': order.version + 1,
              ':confirmed': 'confirmed',
              ':partial': 'partially_refunded',
            },
          },
        },
        ...returned.map((couponId) =>
          // Back in the user's hands: due to expire again in the lifecycle index.
          this.couponTransition(order, couponId, 'used', 'SET #status = :to, returnedAt = :now, gsi2pk = :indexPk, gsi2sk = :indexSk REMOVE orderId, usedAt', {
            ':to': 'available',
            ':now': outcomes[0]!.at,
            ...indexValues(expiryIndexKey({ userId: order.userId, id: couponId, validUntil: order.coupons.find((c) => c.couponId === couponId)!.validUntil })),
          }),
        ),
      ],
      returned,
    );
  }

  /** Locked orders whose lock expired before `nowIso`, oldest first, from every GSI1 lock partition. */
  async expiredLocks(nowIso: string, limitPerShard: number): Promise<Order[]> {
    const pages = await Promise.all(
      Array.from({ length: LOCK_EXPIRY_SHARDS }, (_, shard) =>
        this.client.send(
          new QueryCommand({
            TableName: this.tableName,
            IndexName: indexes.gsi1.indexName,
            KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk < :now',
            ExpressionAttributeValues: { ':pk': lockExpiryPartition(shard), ':now': nowIso },
            Limit: limitPerShard,
          }),
        ),
      ),
    );
    return pages.flatMap((page) => (page.Items ?? []).map((item) => withoutKeys<Order>(item)));
  }

  /** The order leaves the lock index and is kept `retainDays` more (then TTL deletes it). */
  private endLock(order: Order, to: OrderState, timestamps: Record<string, string>, retainDays: number, expiredBefore?: string) {
    const names = Object.keys(timestamps);
    const retainUntil = Math.floor((toEpochMs(Object.values(timestamps)[0]!) + retainDays * DAY_MS) / 1000);
    return {
      Update: {
        TableName: this.tableName,
        Key: orderKey(order.orderId),
        UpdateExpression: `SET #state = :to, ${names.map((n) => `${n} = :${n}`).join(', ')}, #ttl = :retainUntil REMOVE gsi1pk, gsi1sk`,
        // The timeout release also re-checks the expiry, in case the lock was extended meanwhile.
        ConditionExpression: expiredBefore ? '#state = :locked AND lockExpiresAt <= :expiredBefore' : '#state = :locked',
        ExpressionAttributeNames: { '#state': 'state', '#ttl': timeToLiveAttribute },
        ExpressionAttributeValues: {
          ':to': to,
          ':locked': 'locked',
          ':retainUntil': retainUntil,
          ...Object.fromEntries(names.map((n) => [`:${n}`, timestamps[n]])),
          ...(expiredBefore ? { ':expiredBefore': expiredBefore } : {}),
        },
      },
    };
  }

  private couponTransition(order: Order, couponId: string, from: string, update: string, values: Record<string, unknown>) {
    return {
      Update: {
        TableName: this.tableName,
        Key: userCouponKey(order.userId, couponId),
        UpdateExpression: update,
        ConditionExpression: '#status = :from AND orderId = :orderId',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':from': from, ':orderId': order.orderId, ...values },
      },
    };
  }

  /** The order item first, then one update per coupon: a cancellation says which of them moved. */
  private async write([orderItem, ...couponItems]: readonly TransactWriteItem[], couponIds: readonly string[]): Promise<OrderWriteOutcome> {
    const outcome = await transactWrite<string | undefined>(this.client, [
      // The order's role is `undefined`; each coupon's role is its id.
      { role: undefined, item: orderItem! },
      ...couponItems.map((item, i) => ({ role: couponIds[i]!, item })),
    ]);
    if (outcome.committed) return { kind: 'written' };
    if (conditionFailed(outcome, (couponId) => couponId === undefined).length > 0) return { kind: 'order-changed' };
    const failed = conditionFailed(outcome, (couponId) => couponId !== undefined).map((failure) => failure.role!);
    if (failed.length > 0) return { kind: 'coupons-unavailable', couponIds: failed };
    // Another transaction held one of these items: the order service retries (503 + Retry-After).
    if (isContention(outcome)) throw new ContentionError();
    throw new Error('order transaction cancelled for an unexpected reason');
  }
}

const indexValues = (key: { gsi2pk: string; gsi2sk: string }) => ({ ':indexPk': key.gsi2pk, ':indexSk': key.gsi2sk });

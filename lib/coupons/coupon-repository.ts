import { GetCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { batchGetAll } from '../dynamodb/batch';
import { Entity, withoutKeys } from '../entities';
import { queryAll } from '../dynamodb/query';
import { userClaimCounterPrefix, userCouponKey, userCouponPrefix, userPartition } from '../keys';
import { decodeCursor, encodeCursor, type Page } from '../pagination';
import type { Coupon, CouponStatus } from './coupon';

/** What each wallet filter means on stored items; `expired` includes available coupons past their validity. */
function statusFilter(status: CouponStatus | undefined, nowIso: string) {
  switch (status) {
    case undefined:
      return undefined;
    case 'available':
      return { expression: '#status = :available AND validUntil > :now', values: { ':available': 'available', ':now': nowIso } };
    case 'expired':
      return { expression: '#status = :expired OR (#status = :available AND validUntil <= :now)', values: { ':expired': 'expired', ':available': 'available', ':now': nowIso } };
    default:
      return { expression: '#status = :status', values: { ':status': status } };
  }
}

/** Largest number of DynamoDB pages one wallet request reads while filling a page of results. */
const MAX_QUERY_PAGES = 5;

/** DynamoDB adapter for the coupons in users' partitions. */
export class CouponRepository {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(userId: string, couponId: string): Promise<Coupon | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: userCouponKey(userId, couponId), ConsistentRead: true }));
    return Item ? withoutKeys<Coupon>(Item) : undefined;
  }

  /** The user's coupons with these ids, in the order asked (ids not found are left out). */
  async getMany(userId: string, couponIds: readonly string[]): Promise<Coupon[]> {
    const items = await batchGetAll(this.client, this.tableName, couponIds.map((id) => userCouponKey(userId, id)), { consistent: true, maxAttempts: 8, baseDelayMs: 25, maxDelayMs: 1_000 });
    const found = new Map(items.map((item) => [String(item.id), withoutKeys<Coupon>(item)]));
    return couponIds.flatMap((id) => found.get(id) ?? []);
  }

  /**
   * The wallet: one Query on the user's partition, newest first, filtered by status. A filter can make
   * DynamoDB pages short, so this reads on (at most MAX_QUERY_PAGES pages) until the page is full, and
   * the cursor points just after the last coupon returned.
   */
  async listForUser(userId: string, query: { status?: CouponStatus; limit: number; cursor?: string; nowIso: string }): Promise<Page<Coupon>> {
    const partition = userPartition(userId);
    let startKey = decodeCursor(query.cursor, { attributes: ['pk', 'sk'], partition: { name: 'pk', value: partition } });
    const filter = statusFilter(query.status, query.nowIso);
    const coupons: Coupon[] = [];
    for (let page = 0; page < MAX_QUERY_PAGES; page++) {
      const result = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ...(filter ? { FilterExpression: filter.expression, ExpressionAttributeNames: { '#status': 'status' } } : {}),
          ExpressionAttributeValues: { ':pk': partition, ':prefix': userCouponPrefix, ...filter?.values },
          ScanIndexForward: false,
          Limit: query.limit,
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of result.Items ?? []) {
        coupons.push(withoutKeys<Coupon>(item));
        if (coupons.length === query.limit) {
          const last = userCouponKey(userId, String(item.id));
          const more = result.LastEvaluatedKey !== undefined || item !== result.Items?.at(-1);
          return { items: coupons, ...(more ? { nextCursor: encodeCursor({ ...last }) } : {}) };
        }
      }
      startKey = result.LastEvaluatedKey;
      if (!startKey) return { items: coupons };
    }
    return { items: coupons, nextCursor: encodeCursor(startKey) };
  }

  /**
   * My available coupons and my claim counters in one Query: counters (CLAIMS#) and coupons (CPN#) sit
   * next to each other in my partition, so one key range holds both; the filter keeps the counters and
   * the coupons available now.
   */
  async availableWithClaimCounts(userId: string, nowIso: string): Promise<{ coupons: Coupon[]; claimCounts: Map<string, number> }> {
    const items = await queryAll(this.client, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
      FilterExpression: '#entity = :counter OR (#status = :available AND validUntil > :now)',
      ExpressionAttributeNames: { '#status': 'status', '#entity': 'entity' },
      ExpressionAttributeValues: {
        ':pk': userPartition(userId),
        ':from': userClaimCounterPrefix,
        ':to': `${userCouponPrefix}\uffff`,
        ':counter': Entity.claimCounter,
        ':available': 'available',
        ':now': nowIso,
      },
      ConsistentRead: false,
    });
    const coupons: Coupon[] = [];
    const claimCounts = new Map<string, number>();
    for (const item of items) {
      if (item.entity === Entity.claimCounter) claimCounts.set(String(item.templateId), Number(item.claimed));
      else coupons.push(withoutKeys<Coupon>(item));
    }
    return { coupons, claimCounts };
  }
}

import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Coupon } from '../coupons/coupon';
import { type BatchRetries, batchGetAll, batchWriteAll } from '../dynamodb/batch';
import { Entity, entityItem } from '../entities';
import { userCouponKey } from '../keys';
import type { CampaignCoupon, CampaignCouponStore } from './campaign-coupons';

/**
 * Campaign coupons in users' partitions, written with BatchWriteItem (1 WCU per coupon of at most 1 KB,
 * no condition): the worker only writes users who do not hold the coupon yet, found with one BatchGetItem.
 */
export class CampaignCouponRepository implements CampaignCouponStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly retries: BatchRetries,
  ) {}

  async holders(coupons: ReadonlyArray<Pick<Coupon, 'id' | 'userId'>>): Promise<Map<string, string>> {
    const items = await batchGetAll(
      this.client,
      this.tableName,
      coupons.map((coupon) => userCouponKey(coupon.userId, coupon.id)),
      // Eventually consistent (half the read units): a redelivery comes a visibility timeout (minutes) after
      // the writes it must see, and duplicates within a page never reach two chunks.
      { ...this.retries, consistent: false, projection: 'userId, campaignChunk' },
    );
    return new Map(items.map((item) => [String(item.userId), String(item.campaignChunk)]));
  }

  async write(coupons: readonly CampaignCoupon[]): Promise<string[]> {
    const requests = coupons.map((coupon) => ({ PutRequest: { Item: entityItem(Entity.coupon, userCouponKey(coupon.userId, coupon.id), coupon) } }));
    const unwritten = await batchWriteAll(this.client, this.tableName, requests, this.retries);
    return unwritten.map((request) => String(request.PutRequest!.Item!.userId));
  }
}

import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { claimCounterUpdate, couponPut } from '../claims/claim-repository';
import { type BatchRetries, batchGetAll, batchWriteAll, gateOf } from '../dynamodb/batch';
import { isThrottling } from '../dynamodb/errors';
import { conditionFailed, isContention, transactWrite } from '../dynamodb/transaction';
import { couponItem } from '../coupons/coupon-item';
import { userCouponKey } from '../keys';
import { untilDone } from '../retry';
import { type CampaignCoupon, type CampaignCouponStore, holderIn, type IssueOptions, type IssueResult } from './campaign-coupons';

/** Per-user transactions a chunk starts at once (counted templates); the process-wide gate bounds them all. */
const PARALLEL_TRANSACTIONS = 25;

/**
 * Campaign coupons in users' partitions.
 *
 * Campaign-only templates: one strongly consistent BatchGetItem finds who already holds the coupon (an
 * earlier delivery of this chunk, or another chunk of the same user, which the lanes run strictly before
 * this one), then BatchWriteItem writes the rest: 1 WCU per coupon of at most 1 KB. The check is skipped
 * for the users in `onlyHere` (on a first delivery, those the audience's repeat filter rules out: nobody
 * else can have written their coupon), so it costs 1 RCU only per flagged user.
 *
 * Claimable templates: per user one TransactWriteItems of the claim counter (incremented only below the
 * limit) and the coupon (only if new): 2 items x 2 WCU = 4 WCU per coupon, no read.
 */
export class CampaignCouponRepository implements CampaignCouponStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly retries: BatchRetries,
  ) {}

  issue(coupons: readonly CampaignCoupon[], options: IssueOptions): Promise<IssueResult> {
    return options.counted ? this.issueCounted(coupons, options.perUserLimit, options.counterRetainUntil) : this.issueUncounted(coupons, options.onlyHere ?? new Set());
  }

  async holders(coupons: ReadonlyArray<Pick<CampaignCoupon, 'id' | 'userId'>>): Promise<Map<string, string>> {
    const held = await batchGetAll(this.client, this.tableName, coupons.map((c) => userCouponKey(c.userId, c.id)), { ...this.retries, consistent: true, projection: 'userId, campaignChunk' });
    return new Map(held.map((item) => [String(item.userId), String(item.campaignChunk)]));
  }

  private async issueUncounted(coupons: readonly CampaignCoupon[], onlyHere: ReadonlySet<string>): Promise<IssueResult> {
    const chunk = coupons[0]?.campaignChunk;
    const unknown = coupons.filter((coupon) => !onlyHere.has(coupon.userId));
    const holders = unknown.length > 0 ? await this.holders(unknown) : new Map<string, string>();
    const requests = coupons.filter((c) => !holders.has(c.userId)).map((coupon) => ({ PutRequest: { Item: couponItem(coupon) } }));
    const unwritten = new Set((await batchWriteAll(this.client, this.tableName, requests, this.retries)).map((request) => String(request.PutRequest!.Item!.userId)));
    const holder = holderIn(holders, chunk ?? '');
    return {
      issued: coupons.filter((c) => holder(c.userId) === 'this-chunk' || (holder(c.userId) === 'nobody' && !unwritten.has(c.userId))).map((c) => c.userId),
      heldElsewhere: coupons.filter((c) => holder(c.userId) === 'another-chunk').map((c) => c.userId),
      limitReached: [],
      unwritten: [...unwritten],
    };
  }

  private async issueCounted(coupons: readonly CampaignCoupon[], perUserLimit: number, counterRetainUntil: number | undefined): Promise<IssueResult> {
    const result = { issued: [] as string[], heldElsewhere: [] as string[], limitReached: [] as string[], unwritten: [] as string[] };
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(PARALLEL_TRANSACTIONS, coupons.length) }, async () => {
        while (next < coupons.length) {
          const coupon = coupons[next++]!;
          result[await this.issueOne(coupon, perUserLimit, counterRetainUntil)].push(coupon.userId);
        }
      }),
    );
    return result;
  }

  /** The counter and the coupon together; retried (with backoff) when another transaction on the user's items was in the way. */
  private async issueOne(coupon: CampaignCoupon, perUserLimit: number, counterRetainUntil: number | undefined): Promise<keyof IssueResult> {
    let kind: keyof IssueResult = 'unwritten';
    await untilDone([coupon], this.retries.maxAttempts, this.retries, async () => {
      const outcome = await gateOf(this.retries)(() => transactWrite(this.client, [
        {
          role: 'counter',
          item: claimCounterUpdate(this.tableName, { userId: coupon.userId, templateId: coupon.templateId, quantity: 1, perUserLimit, retainUntil: counterRetainUntil }),
        },
        { role: 'coupon', item: { Put: { ...couponPut(this.tableName, coupon).Put, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const } } },
      ])).catch((error: unknown) => {
        // Throttled as a whole (after the SDK's own retries): try again later, like a conflict.
        if (isThrottling(error)) return undefined;
        throw error;
      });
      if (!outcome) return [coupon];
      if (outcome.committed) kind = 'issued';
      else {
        const [existing] = conditionFailed(outcome, (role) => role === 'coupon');
        if (existing) kind = existing.old?.campaignChunk === coupon.campaignChunk ? 'issued' : 'heldElsewhere';
        else if (conditionFailed(outcome, (role) => role === 'counter').length > 0) kind = 'limitReached';
        else if (isContention(outcome)) return [coupon];
        else throw new Error(`campaign coupon ${coupon.id} was cancelled for an unexpected reason`);
      }
      return [];
    });
    return kind;
  }
}

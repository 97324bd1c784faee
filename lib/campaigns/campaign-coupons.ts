import type { Coupon } from '../coupons/coupon';

/** A campaign coupon as written: the coupon and the chunk that wrote it (so a redelivery recognises its own writes). */
export type CampaignCoupon = Coupon & { readonly campaignChunk: string };

/** What became of each user of a chunk. */
export interface IssueResult {
  /** Users who hold their coupon from this chunk (written now, or by an earlier delivery of it). */
  readonly issued: readonly string[];
  /** Users who already held this campaign's coupon from another chunk (the same user twice in the audience). */
  readonly heldElsewhere: readonly string[];
  /** Users already at the template's per-user limit (counted templates only). */
  readonly limitReached: readonly string[];
  /** Users whose coupon could not be written after every retry (throttling); a redelivery tries again. */
  readonly unwritten: readonly string[];
}

export interface IssueOptions {
  readonly counted: boolean;
  readonly perUserLimit: number;
  /** When users' counters for the template may go (epoch seconds), if ever (claimCounterRetainUntil). */
  readonly counterRetainUntil?: number | undefined;
  /**
   * Users known not to hold the coupon yet (in no other chunk, and this is the chunk's first delivery
   * with a draw): nothing to look up before writing theirs. Everyone else is looked up first.
   */
  readonly onlyHere?: ReadonlySet<string>;
}

/** Who holds a user's campaign coupon, given what `holders` read: the chunk asking, another chunk, or nobody yet. */
export const holderIn = (holders: ReadonlyMap<string, string>, chunk: string) => (userId: string): 'this-chunk' | 'another-chunk' | 'nobody' => {
  const holder = holders.get(userId);
  return holder === undefined ? 'nobody' : holder === chunk ? 'this-chunk' : 'another-chunk';
};

/**
 * Where the worker writes a campaign's coupons, one per user. `counted`: each coupon goes through the
 * user's per-template counter in the same transaction (claimable templates); otherwise the coupon alone
 * is written (campaign-only templates).
 */
export interface CampaignCouponStore {
  issue(coupons: readonly CampaignCoupon[], options: IssueOptions): Promise<IssueResult>;
  /** Which of these users hold their campaign coupon, and from which chunk (a strongly consistent read). */
  holders(coupons: ReadonlyArray<Pick<CampaignCoupon, 'id' | 'userId'>>): Promise<Map<string, string>>;
}

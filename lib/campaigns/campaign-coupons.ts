import type { Coupon } from '../coupons/coupon';

/** A campaign coupon as written: the coupon and the chunk that wrote it (so a redelivery recognises its own writes). */
export type CampaignCoupon = Coupon & { readonly campaignChunk: string };

/** Where the worker writes a campaign's coupons. */
export interface CampaignCouponStore {
  /** Which of these users already hold their campaign coupon (by its id), and from which chunk. */
  holders(coupons: ReadonlyArray<Pick<Coupon, 'id' | 'userId'>>): Promise<Map<string, string>>;
  /** Writes the coupons; returns the user ids whose coupon could not be written after every retry. */
  write(coupons: readonly CampaignCoupon[]): Promise<string[]>;
}

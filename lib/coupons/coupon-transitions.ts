import type { CouponStatus } from './coupon';

/**
 * The status changes a coupon can make, named once. The event publisher and the statistics consumer
 * both read them from here, so an event and its counter cannot disagree about what happened.
 */
export type CouponTransition = 'locked' | 'used' | 'released' | 'returned' | 'expired';

const TRANSITIONS: ReadonlyArray<readonly [CouponStatus, CouponStatus, CouponTransition]> = [
  ['available', 'locked', 'locked'],
  ['locked', 'used', 'used'],
  ['locked', 'available', 'released'],
  ['locked', 'expired', 'released'],
  ['used', 'available', 'returned'],
  ['available', 'expired', 'expired'],
];

export const couponTransition = (from: CouponStatus, to: CouponStatus): CouponTransition | undefined =>
  TRANSITIONS.find(([f, t]) => f === from && t === to)?.[2];

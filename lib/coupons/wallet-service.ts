import { NotFoundError } from '../errors';
import type { Page } from '../pagination';
import { type Clock, toIso } from '../time';
import { type CouponStatus, type CouponView, couponView } from './coupon';
import type { CouponRepository } from './coupon-repository';

/** A user's own coupons. The user id always comes from the caller's token, never from the request. */
export interface WalletDeps {
  readonly coupons: CouponRepository;
  readonly clock: Clock;
}

export async function listWallet(
  deps: WalletDeps,
  userId: string,
  query: { status?: CouponStatus; limit: number; cursor?: string },
): Promise<Page<CouponView>> {
  const nowMs = deps.clock();
  const page = await deps.coupons.listForUser(userId, { ...query, nowIso: toIso(nowMs) });
  return { ...page, items: page.items.map((coupon) => couponView(coupon, nowMs)) };
}

/** Another user's coupon is simply not in this user's partition: 404, the same as a coupon that does not exist. */
export async function getWalletCoupon(deps: WalletDeps, userId: string, couponId: string): Promise<CouponView> {
  const coupon = await deps.coupons.get(userId, couponId);
  if (!coupon) throw new NotFoundError('coupon', couponId);
  return couponView(coupon, deps.clock());
}

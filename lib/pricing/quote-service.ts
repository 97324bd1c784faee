import * as z from 'zod';
import { type Coupon, couponView } from '../coupons/coupon';
import type { CouponRepository } from '../coupons/coupon-repository';
import { NotFoundError } from '../errors';
import type { Clock } from '../time';
import { toIso } from '../time';
import { Cart } from './cart';
import { type PricingCoupon, type Quote, quote } from './pricing-engine';
import { BusinessMetric, type Telemetry } from '../telemetry';

export const QuoteInput = Cart.extend({
  /** Price only these of my coupons; without it, every coupon I hold that is available now. */
  couponIds: z.array(z.string().min(1).max(64)).min(1).max(100).optional(),
});
export type QuoteInput = z.infer<typeof QuoteInput>;

/** The most coupons a wallet quote considers (newest first); a wallet rarely holds more that are usable. */
export const MAX_QUOTED_COUPONS = 200;

export interface QuoteDeps {
  readonly coupons: Pick<CouponRepository, 'getMany' | 'listForUser'>;
  readonly blockedProductIds: () => Promise<ReadonlySet<string>>;
  readonly clock: Clock;
  readonly maxCouponsPerOrder: number;
  readonly telemetry: Pick<Telemetry, 'count'>;
}

/** A coupon as the engine sees it: its view (rules, validity, effective status) is exactly what pricing needs. */
export const toPricingCoupon = (coupon: Coupon, nowMs: number): PricingCoupon => couponView(coupon, nowMs);

async function availableCoupons(deps: QuoteDeps, userId: string, nowMs: number): Promise<Coupon[]> {
  const coupons: Coupon[] = [];
  let cursor: string | undefined;
  do {
    const page = await deps.coupons.listForUser(userId, { status: 'available', limit: 100, cursor, nowIso: toIso(nowMs) });
    coupons.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor && coupons.length < MAX_QUOTED_COUPONS);
  return coupons.slice(0, MAX_QUOTED_COUPONS);
}

/** Which of my coupons fit this cart, what each saves, and the best combination. Reads coupons only from my partition. */
export async function quoteForUser(deps: QuoteDeps, userId: string, input: QuoteInput): Promise<Quote> {
  const nowMs = deps.clock();
  const { couponIds, ...cart } = input;
  let coupons: Coupon[];
  if (couponIds) {
    coupons = await deps.coupons.getMany(userId, [...new Set(couponIds)]);
    const missing = couponIds.find((id) => !coupons.some((c) => c.id === id));
    if (missing) throw new NotFoundError('coupon', missing);
  } else {
    coupons = await availableCoupons(deps, userId, nowMs);
  }
  const priced = quote(cart, coupons.map((c) => toPricingCoupon(c, nowMs)), { nowMs, blockedProductIds: await deps.blockedProductIds(), maxCouponsPerOrder: deps.maxCouponsPerOrder });
  deps.telemetry.count(BusinessMetric.quotesPriced);
  return priced;
}

import * as z from 'zod';
import { ulidString } from '../ids';
import { pageOf } from '../pagination';
import { COUPON_STATUSES, CouponView } from './coupon';

export const ListCouponsQuery = z.strictObject({
  status: z.enum(COUPON_STATUSES).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(2_000).optional(),
});

/** A ULID for claimed coupons; campaign coupons have a hash id (`cmp_...`). */
export const CouponIdPath = z.strictObject({ couponId: ulidString('a coupon id').or(z.string().regex(/^[A-Za-z0-9_-]{1,64}$/)) });

export const CouponPage = pageOf(CouponView);

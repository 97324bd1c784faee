import { z } from 'zod';
import { COUPON_STATUSES } from '../coupons/coupon';
import { ulidString } from '../ids';
import { MAX_TEMPLATES_PER_CLAIM } from './claim-service';

export const ClaimInput = z.strictObject({
  /** Repeat an id to claim several of that template (up to its per-user limit). */
  templateIds: z.array(ulidString('a template id')).min(1).max(MAX_TEMPLATES_PER_CLAIM),
});

export const ListCouponsQuery = z.strictObject({
  status: z.enum(COUPON_STATUSES).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(2_000).optional(),
});

export const CouponIdPath = z.strictObject({ couponId: ulidString('a coupon id').or(z.string().regex(/^[A-Za-z0-9_-]{1,64}$/)) });

export const UserIdPath = z.strictObject({ userId: z.string().min(1).max(128).regex(/^[^#\s]+$/, 'a user id has no "#" or spaces') });
export const UserTagsInput = z.strictObject({ tags: z.array(z.string().min(1).max(64)).max(50) });

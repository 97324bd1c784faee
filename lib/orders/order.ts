import * as z from 'zod';
import { CartLine } from '../pricing/cart';
import { userIdString } from '../ids';
import { currencyCode } from '../money';
import type { Combination } from '../pricing/pricing-engine';
import { CombinationView } from '../pricing/pricing-views';

export const ORDER_STATES = ['locked', 'confirmed', 'partially_refunded', 'refunded', 'cancelled', 'released'] as const;
export type OrderState = (typeof ORDER_STATES)[number];

/** What the order remembers of each coupon, so no order step needs to read the coupons again. */
export interface OrderCoupon {
  readonly couponId: string;
  readonly templateId: string;
  readonly validUntil: string;
  readonly returnOnRefund: boolean;
}

export interface RefundedCoupon {
  readonly couponId: string;
  readonly outcome: 'returned' | 'kept';
  /** Why a coupon stayed used: its validity ended, or its template does not give coupons back. */
  readonly reason?: 'EXPIRED' | 'NOT_RETURNABLE';
  readonly at: string;
}

export interface Order {
  readonly orderId: string;
  readonly userId: string;
  readonly state: OrderState;
  readonly coupons: readonly OrderCoupon[];
  readonly pricing: Combination;
  readonly currency: string;
  readonly kind: 'purchase' | 'payout';
  /** Identity of the lock request, so a replayed lock is recognised and a different one refused. */
  readonly requestHash: string;
  readonly lockedAt: string;
  readonly lockExpiresAt: string;
  readonly confirmedAt?: string;
  readonly cancelledAt?: string;
  readonly releasedAt?: string;
  readonly refunds: readonly RefundedCoupon[];
  /** Bumped by every refund, so two refunds racing cannot both record the same coupon. */
  readonly version: number;
}

const orderId = () => z.string().regex(/^[A-Za-z0-9._:-]{1,64}$/, 'expected an order id of 1 to 64 letters, digits or ._:-');
export const OrderIdPath = z.strictObject({ orderId: orderId() });

export const LockOrderInput = z.strictObject({
  userId: userIdString(),
  couponIds: z.array(z.string().min(1).max(64)).min(1).max(20),
  kind: z.enum(['purchase', 'payout']).default('purchase'),
  currency: currencyCode(),
  items: z.array(CartLine).min(1).max(200),
  /** How long the lock holds before the system releases it; default from configuration (30 minutes). */
  lockMinutes: z.int().min(1).max(24 * 60).optional(),
});
export type LockOrderInput = z.infer<typeof LockOrderInput>;

export const RefundInput = z.strictObject({
  /** The coupons to give back; without it, every coupon of the order (a full refund). */
  couponIds: z.array(z.string().min(1).max(64)).min(1).max(20).optional(),
});

/** What the API answers: the order without its bookkeeping, with the coupon ids. */
export type OrderView = Omit<Order, 'coupons' | 'requestHash' | 'version'> & { readonly couponIds: readonly string[] };

export const orderView = (order: Order): OrderView => {
  const { coupons, requestHash: _hash, version: _version, ...rest } = order;
  return { ...rest, couponIds: coupons.map((c) => c.couponId) };
};

export const OrderViewSchema = z.object({
  orderId: z.string(),
  userId: z.string(),
  state: z.enum(ORDER_STATES),
  couponIds: z.array(z.string()),
  currency: z.string(),
  kind: z.enum(['purchase', 'payout']),
  pricing: CombinationView,
  lockedAt: z.string(),
  lockExpiresAt: z.string(),
  confirmedAt: z.string().optional(),
  cancelledAt: z.string().optional(),
  releasedAt: z.string().optional(),
  refunds: z.array(z.object({ couponId: z.string(), outcome: z.enum(['returned', 'kept']), reason: z.enum(['EXPIRED', 'NOT_RETURNABLE']).optional(), at: z.string() })),
});

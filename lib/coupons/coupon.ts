import * as z from 'zod';
import type { Template } from '../templates/template';
import { Effect, Scope, Stacking } from '../templates/template-schema';
import { DAY_MS, toEpochMs, toIso } from '../time';

export const COUPON_STATUSES = ['available', 'locked', 'used', 'expired'] as const;
export type CouponStatus = (typeof COUPON_STATUSES)[number];
export const COUPON_SOURCES = ['claim', 'campaign', 'code', 'import'] as const;
export type CouponSource = (typeof COUPON_SOURCES)[number];

/**
 * A coupon held by a user. The rule fields are copied from its template when it is issued, so the
 * wallet, the quote and the order lock never read templates, and a later template edit never changes
 * a coupon somebody already holds.
 */
export interface Coupon {
  readonly id: string;
  readonly userId: string;
  readonly templateId: string;
  /** Stored status; `expired` is also derived at read time from `validUntil` (see effectiveStatus). */
  readonly status: CouponStatus;
  readonly name: string;
  readonly currency: string;
  readonly effect: Template['effect'];
  readonly scope: Template['scope'];
  readonly stacking: Template['stacking'];
  readonly returnOnRefund: boolean;
  readonly validFrom: string;
  readonly validUntil: string;
  readonly issuedAt: string;
  readonly source: CouponSource;
  readonly campaignId?: string;
  /** The code batch whose code the user redeemed for it. */
  readonly codeBatchId?: string;
  /** An imported coupon's id in the legacy system, and the legacy system's last change of it (lib/imports: the newest change wins). */
  readonly externalId?: string;
  readonly legacyUpdatedAt?: string;
  readonly orderId?: string;
  /** When it was used (set by the order confirm) and when it expired (set by the expiry job or a late release). */
  readonly usedAt?: string;
  readonly expiredAt?: string;
}

/** The rule fields a coupon copies from its template when it is issued (every path, imports too). */
export const rulesOf = (template: Template) => ({
  templateId: template.id,
  name: template.name,
  currency: template.currency,
  effect: template.effect,
  scope: template.scope,
  stacking: template.stacking,
  returnOnRefund: template.returnOnRefund,
});

export function issueCoupon(template: Template, issue: { id: string; userId: string; nowMs: number; source: CouponSource; campaignId?: string; codeBatchId?: string }): Coupon {
  const validity =
    template.validity.type === 'fixed'
      ? { validFrom: template.validity.from, validUntil: template.validity.until }
      : { validFrom: toIso(issue.nowMs), validUntil: toIso(issue.nowMs + template.validity.days * DAY_MS) };
  return {
    id: issue.id,
    userId: issue.userId,
    status: 'available',
    ...rulesOf(template),
    ...validity,
    issuedAt: toIso(issue.nowMs),
    source: issue.source,
    ...(issue.campaignId ? { campaignId: issue.campaignId } : {}),
    ...(issue.codeBatchId ? { codeBatchId: issue.codeBatchId } : {}),
  };
}

/** An available coupon past its validity is expired, whether or not a process has written that yet. */
export function effectiveStatus(coupon: Pick<Coupon, 'status' | 'validUntil'>, nowMs: number): CouponStatus {
  return coupon.status === 'available' && toEpochMs(coupon.validUntil) <= nowMs ? 'expired' : coupon.status;
}

export const CouponView = z.object({
  id: z.string(),
  templateId: z.string(),
  status: z.enum(COUPON_STATUSES),
  name: z.string(),
  currency: z.string(),
  effect: Effect,
  scope: Scope,
  stacking: Stacking,
  validFrom: z.string(),
  validUntil: z.string(),
  issuedAt: z.string(),
  source: z.enum(COUPON_SOURCES),
  orderId: z.string().optional(),
});
export type CouponView = z.infer<typeof CouponView>;

export function couponView(coupon: Coupon, nowMs: number): CouponView {
  return {
    id: coupon.id,
    templateId: coupon.templateId,
    status: effectiveStatus(coupon, nowMs),
    name: coupon.name,
    currency: coupon.currency,
    effect: coupon.effect,
    scope: coupon.scope,
    stacking: coupon.stacking,
    validFrom: coupon.validFrom,
    validUntil: coupon.validUntil,
    issuedAt: coupon.issuedAt,
    source: coupon.source,
    ...(coupon.orderId ? { orderId: coupon.orderId } : {}),
  };
}

import * as z from 'zod';
import { CAMPAIGN_REQUEST_SOURCE } from '../topology';

/**
 * Every event the platform publishes to EventBridge. Source `coupon-platform`; detail-type the event
 * name; detail `{ metadata: { id, version, occurredAt }, data }`. A schema change that breaks consumers
 * gets a new version; `id` is stable across redeliveries (delivery is at least once: dedupe on it).
 */
export const EVENT_SOURCE = 'coupon-platform';

/** A campaign's counts, as CampaignCompleted publishes them and the campaign's progress view shows them. */
export const CampaignCounts = z.object({ processed: z.int(), issued: z.int(), skipped: z.int(), failed: z.int() });

const CouponRef = {
  couponId: z.string(),
  userId: z.string(),
  templateId: z.string(),
};

export const eventSchemas = {
  CouponClaimed: z.object({ ...CouponRef, issuedAt: z.string(), validFrom: z.string(), validUntil: z.string() }),
  CouponIssued: z.object({ ...CouponRef, campaignId: z.string().optional(), issuedAt: z.string(), validFrom: z.string(), validUntil: z.string() }),
  CouponLocked: z.object({ ...CouponRef, orderId: z.string() }),
  CouponUsed: z.object({ ...CouponRef, orderId: z.string() }),
  CouponReleased: z.object({ ...CouponRef, orderId: z.string(), status: z.enum(['available', 'expired']) }),
  CouponReturned: z.object({ ...CouponRef, orderId: z.string() }),
  CouponExpired: z.object({ ...CouponRef }),
  /** One per user, reminder offset and day (docs/lifecycle.md): the user's available coupons that expire in that day's window for the offset. */
  CouponsExpiringSoon: z.object({
    userId: z.string(),
    offset: z.string(),
    day: z.string(),
    coupons: z.array(z.object({ couponId: z.string(), templateId: z.string(), name: z.string(), validUntil: z.string() })),
  }),
  CampaignRequested: z.looseObject({ campaignId: z.string(), templateId: z.string() }),
  CampaignCompleted: CampaignCounts.extend({ campaignId: z.string(), templateId: z.string(), status: z.literal('completed'), total: z.int() }),
  /** Ended before processing its whole audience (an operator, its deadline, or its template's validity ending); what it did not issue went back. */
  CampaignCancelled: CampaignCounts.extend({ campaignId: z.string(), templateId: z.string(), reason: z.string(), total: z.int() }),
  /** Could not start (template not active or not found, validity over, empty audience, too little stock). */
  CampaignFailed: z.object({ campaignId: z.string(), templateId: z.string(), reason: z.string() }),
  /** A code batch's codes are all generated and exported (a shared batch: at once); the export can be handed out. */
  CodeBatchGenerated: z.object({ batchId: z.string(), templateId: z.string(), kind: z.enum(['unique', 'shared']), codes: z.int() }),
  /** A user redeemed a code of a batch for a coupon (besides the coupon's CouponIssued). */
  CodeRedeemed: z.object({ ...CouponRef, batchId: z.string() }),
  /** The daily audit found a template whose stock ledger does not balance (lib/ledger). */
  StockLedgerImbalanced: z.object({ templateId: z.string(), difference: z.int(), failedChecks: z.array(z.string()) }),
} as const;

export type EventType = keyof typeof eventSchemas;
export const EVENT_VERSION: Record<EventType, number> = {
  CouponClaimed: 1,
  CouponIssued: 1,
  CouponLocked: 1,
  CouponUsed: 1,
  CouponReleased: 1,
  CouponReturned: 1,
  CouponExpired: 1,
  CouponsExpiringSoon: 1,
  CampaignRequested: 1,
  CampaignCompleted: 1,
  CampaignCancelled: 1,
  CampaignFailed: 1,
  StockLedgerImbalanced: 1,
  CodeBatchGenerated: 1,
  CodeRedeemed: 1,
};

export const sourceOf = (type: EventType): string => (type === 'CampaignRequested' ? CAMPAIGN_REQUEST_SOURCE : EVENT_SOURCE);

export interface DomainEvent<T extends EventType = EventType> {
  readonly type: T;
  readonly metadata: { readonly id: string; readonly version: number; readonly occurredAt: string };
  readonly data: z.infer<(typeof eventSchemas)[T]>;
}

import * as z from 'zod';
import { COUPON_STATUSES } from '../coupons/coupon';

/** How the pricing engine's answers look on the wire (the quote, and the pricing an order keeps). */
const CartKind = z.enum(['purchase', 'payout']);

export const VerdictReasonView = z.discriminatedUnion('code', [
  z.object({ code: z.literal('NOT_AVAILABLE'), status: z.enum(COUPON_STATUSES) }),
  z.object({ code: z.literal('NOT_YET_VALID'), validFrom: z.string() }),
  z.object({ code: z.literal('EXPIRED'), validUntil: z.string() }),
  z.object({ code: z.literal('CURRENCY_MISMATCH'), currency: z.string() }),
  z.object({ code: z.literal('WRONG_KIND'), appliesTo: CartKind }),
  z.object({ code: z.literal('OUT_OF_SCOPE') }),
  z.object({ code: z.literal('BLOCKED_PRODUCT'), productIds: z.array(z.string()) }),
  z.object({ code: z.literal('BELOW_MINIMUM'), minimum: z.int(), eligibleAmount: z.int(), missing: z.int() }),
  z.object({ code: z.literal('STACKING_CONFLICT'), conflictsWith: z.array(z.string()) }),
  z.object({ code: z.literal('TOO_MANY_COUPONS'), maximum: z.int() }),
  z.object({ code: z.literal('NO_EXTRA_SAVING') }),
]);

const LineAllocationView = z.object({ line: z.int(), amount: z.int() });

export const CouponVerdictView = z.object({
  couponId: z.string(),
  applicable: z.boolean(),
  selected: z.boolean(),
  reasons: z.array(VerdictReasonView),
  saving: z.int(),
  allocations: z.array(LineAllocationView),
});

export const CombinationView = z.object({
  couponIds: z.array(z.string()),
  applied: z.array(z.object({ couponId: z.string(), saving: z.int(), allocations: z.array(LineAllocationView) })),
  saving: z.int(),
  totals: z.object({ subtotal: z.int(), adjustment: z.int(), total: z.int() }),
  lines: z.array(z.object({ line: z.int(), amount: z.int(), adjustment: z.int(), final: z.int() })),
});

/** What a quote answers. */
export const QuoteView = z.object({
  kind: CartKind,
  currency: z.string(),
  subtotal: z.int(),
  verdicts: z.array(CouponVerdictView),
  best: CombinationView,
  optimal: z.boolean().describe('True when the search proved that no combination saves more (or as much with fewer coupons); false only if its node budget ran out first'),
});

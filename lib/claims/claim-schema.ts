import * as z from 'zod';
import { CouponView } from '../coupons/coupon';
import { ulidString } from '../ids';
import { MAX_TEMPLATES_PER_CLAIM } from './claim-service';
import { ClaimableTemplateView } from './claimable-templates';

/** What a claim answers: the coupons issued, in the order of the template ids asked for. */
export const CouponList = z.object({ coupons: z.array(CouponView) });
export const ClaimableTemplateList = z.object({ items: z.array(ClaimableTemplateView) });

export const ClaimInput = z.strictObject({
  /** Repeat an id to claim several of that template (up to its per-user limit). */
  templateIds: z.array(ulidString('a template id')).min(1).max(MAX_TEMPLATES_PER_CLAIM),
});

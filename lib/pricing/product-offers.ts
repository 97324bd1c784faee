import * as z from 'zod';
import type { ActiveTemplateCatalog } from '../claims/claimable-templates';
import { claimRefusal, hasAudience, type UserTags } from '../claims/eligibility';
import { type Coupon, couponView, issueCoupon } from '../coupons/coupon';
import { currencyCode } from '../money';
import type { Template } from '../templates/template';
import { Effect, Scope, Stacking } from '../templates/template-schema';
import type { Clock } from '../time';
import { type Cart, CartLine, MAX_UNIT_PRICE } from './cart';
import { type PricingCoupon, priceEachAlone } from './pricing-engine';
import { VerdictReasonView } from './pricing-views';

/**
 * Coupons on a product page (seeds 000/002: the product detail page is where launch traffic lands).
 * Two parts: the offers, which are the same for everyone (active templates that apply to the product,
 * not sold out, with what each saves at the page's price), computed from the in-process template
 * catalog and cacheable by a CDN; and what is mine (which of those offers I can still claim, and my
 * available coupons that apply), one Query of my partition.
 */

const id = () => z.string().min(1).max(64);

/** The product as the page shows it: its category, merchant and unit price in minor units of `currency`. */
export const ProductQuery = z.strictObject({
  categoryId: id(),
  merchantId: id(),
  unitPrice: z.coerce.number().int().min(0).max(MAX_UNIT_PRICE),
  currency: currencyCode(),
});
export type ProductQuery = z.infer<typeof ProductQuery>;
export const ProductPath = z.strictObject({ productId: id() });

const Saving = {
  applies: z.boolean().describe('Applies to one unit at this price on its own (a minimum spend may need more in the cart)'),
  saving: z.int().describe('What it saves on one unit at this price, on its own, in minor units'),
  reasons: z.array(VerdictReasonView).describe('Why it does not apply to one unit at this price (BELOW_MINIMUM says how much more to spend)'),
};

export const ProductOfferView = z.object({
  templateId: z.string(),
  name: z.string(),
  description: z.string().optional(),
  effect: Effect,
  scope: Scope,
  stacking: Stacking,
  validUntil: z.string().describe('When a coupon claimed now would end'),
  perUserLimit: z.int(),
  ...Saving,
});
export type ProductOfferView = z.infer<typeof ProductOfferView>;

export const ProductOffers = z.object({
  productId: z.string(),
  offers: z.array(ProductOfferView),
  /** Seconds the answer may be cached: sold-out and paused templates drop out within this time. */
  maxAgeSeconds: z.int(),
});
export type ProductOffers = z.infer<typeof ProductOffers>;

export const MyProductCoupons = z.object({
  productId: z.string(),
  /** Offers I can claim now: in their claim window, for my audience, under my limit. */
  claimable: z.array(ProductOfferView.extend({ claimedByMe: z.int() })),
  /** My available coupons that apply to this product, the largest saving first. */
  mine: z.array(z.object({ couponId: z.string(), templateId: z.string(), name: z.string(), validUntil: z.string(), ...Saving })),
});
export type MyProductCoupons = z.infer<typeof MyProductCoupons>;

export interface ProductOfferDeps {
  readonly catalog: Pick<ActiveTemplateCatalog, 'entries'>;
  /** My available coupons and my claim counters, in one read of my partition. */
  readonly myCouponsAndClaims: (userId: string, nowIso: string) => Promise<{ coupons: Coupon[]; claimCounts: Map<string, number> }>;
  readonly tags: { tagsOf(userId: string): Promise<UserTags> };
  readonly blockedProductIds: () => Promise<ReadonlySet<string>>;
  readonly clock: Clock;
  /** How long the catalog behind the offers is kept: the answer's cache lifetime. */
  readonly cacheSeconds: number;
}

const oneUnit = (productId: string, query: ProductQuery): Cart => ({
  kind: 'purchase',
  currency: query.currency,
  lines: [CartLine.parse({ productId, categoryId: query.categoryId, merchantId: query.merchantId, unitPrice: query.unitPrice, quantity: 1 })],
});

/** What a coupon claimed now would look like, priced like any coupon. */
const wouldBeCoupon = (template: Template, nowMs: number): PricingCoupon => couponView(issueCoupon(template, { id: template.id, userId: '-', nowMs, source: 'claim' }), nowMs);

/** Out of scope, blocked, another currency or a payout coupon: not an offer for this product at all. */
const NOT_FOR_THIS_PRODUCT = new Set(['OUT_OF_SCOPE', 'BLOCKED_PRODUCT', 'CURRENCY_MISMATCH', 'WRONG_KIND', 'NOT_AVAILABLE', 'EXPIRED']);
const forThisProduct = (reasons: readonly { code: string }[]) => !reasons.some((reason) => NOT_FOR_THIS_PRODUCT.has(reason.code));

/** What the page prices against: one unit of the product, and the block list. */
interface ProductPricing {
  readonly cart: Cart;
  readonly nowMs: number;
  readonly blockedProductIds: ReadonlySet<string>;
}

/** Each coupon's verdict on one unit of the product, for the coupons that are about this product at all (by index). */
function forProduct(pricing: ProductPricing, coupons: readonly PricingCoupon[]) {
  return priceEachAlone(pricing.cart, coupons, pricing)
    .map((verdict, index) => ({ index, verdict }))
    .filter(({ verdict }) => forThisProduct(verdict.reasons));
}

/** Live claimable templates (active, not sold out) that apply to this product, with what each saves at this price. */
async function offersFor(deps: ProductOfferDeps, pricing: ProductPricing) {
  const live = (await deps.catalog.entries()).filter(({ template, remaining }) => remaining > 0 && template.claimable);
  const coupons = live.map(({ template }) => wouldBeCoupon(template, pricing.nowMs));
  return forProduct(pricing, coupons)
    .sort((a, b) => b.verdict.saving - a.verdict.saving || (live[a.index]!.template.id < live[b.index]!.template.id ? -1 : 1))
    .map(({ index, verdict }) => {
      const { template } = live[index]!;
      return {
        template,
        offer: {
          templateId: template.id,
          name: template.name,
          ...(template.description ? { description: template.description } : {}),
          effect: template.effect,
          scope: template.scope,
          stacking: template.stacking,
          validUntil: coupons[index]!.validUntil,
          perUserLimit: template.perUserLimit,
          applies: verdict.applicable,
          saving: verdict.saving,
          reasons: verdict.reasons,
        },
      };
    });
}

async function productPricing(deps: ProductOfferDeps, productId: string, query: ProductQuery): Promise<ProductPricing> {
  return { cart: oneUnit(productId, query), nowMs: deps.clock(), blockedProductIds: await deps.blockedProductIds() };
}

/**
 * The offers for everyone: live templates for this product that anyone could claim now (inside their
 * claim window, for no particular audience), the largest saving first. Computed from the in-process
 * catalog (no read per request once it is warm).
 */
export async function productOffers(deps: ProductOfferDeps, productId: string, query: ProductQuery) {
  const pricing = await productPricing(deps, productId, query);
  const offers = await offersFor(deps, pricing);
  const forAnyone = offers.filter(({ template }) => !hasAudience(template) && !claimRefusal(template, { nowMs: pricing.nowMs, quantity: 1, tags: [] }));
  return { productId, offers: forAnyone.map(({ offer }) => offer), maxAgeSeconds: deps.cacheSeconds };
}

/** Which of the product's offers I can still claim (including those for an audience I am in), and my available coupons that apply to it. */
export async function myProductCoupons(deps: ProductOfferDeps, userId: string, productId: string, query: ProductQuery) {
  const pricing = await productPricing(deps, productId, query);
  const { nowMs } = pricing;
  const [offered, mine] = await Promise.all([offersFor(deps, pricing), deps.myCouponsAndClaims(userId, new Date(nowMs).toISOString())]);
  const tags: UserTags = offered.some(({ template }) => hasAudience(template)) ? await deps.tags.tagsOf(userId) : [];
  const claimable = offered
    .filter(({ template }) => !claimRefusal(template, { nowMs, quantity: (mine.claimCounts.get(template.id) ?? 0) + 1, tags }))
    .map(({ offer }) => ({ ...offer, claimedByMe: mine.claimCounts.get(offer.templateId) ?? 0 }));
  const coupons = mine.coupons.map((coupon) => couponView(coupon, nowMs)).filter((coupon) => coupon.status === 'available');
  const applying = forProduct(pricing, coupons)
    .map(({ index, verdict }) => ({
      couponId: coupons[index]!.id,
      templateId: coupons[index]!.templateId,
      name: coupons[index]!.name,
      validUntil: coupons[index]!.validUntil,
      applies: verdict.applicable,
      saving: verdict.saving,
      reasons: verdict.reasons,
    }))
    .sort((a, b) => b.saving - a.saving || (a.validUntil < b.validUntil ? -1 : a.validUntil > b.validUntil ? 1 : 0));
  return { productId, claimable, mine: applying };
}

import type { CouponStatus } from '../coupons/coupon';
import type { Effect, Scope, Stacking } from '../templates/template-schema';
import { InvalidInputError } from '../errors';
import { toEpochMs } from '../time';
import { actionKey, compareApplication, isLineScoped, isPayoutEffect, type LineAllocation, savingOnLines } from './application';
import { searchBestCombination } from './best-combination';
import { type Cart, type CartLine, lineAmount, MAX_CART_AMOUNT } from './cart';

export type { LineAllocation } from './application';

/**
 * The pricing engine: pure and deterministic. Given a cart and coupons it says, per coupon, whether it
 * applies and why not, what it saves on its own and how that saving falls on the lines; then the best
 * combination under the stacking rules.
 *
 * Rules:
 * - A coupon applies to the lines in its scope that are not on the global block list ("eligible lines").
 *   Minimum spend and percentages are computed on eligible lines only.
 * - Percent savings round down to the minor unit; caps apply after rounding. A saving never exceeds the
 *   eligible amount and is never negative.
 * - In a combination, coupons act in application order (lib/pricing/application.ts): line-scoped before
 *   order-wide, amounts before percentages, the larger first; each on what earlier coupons left of its
 *   eligible lines; minimum spends are checked on the original prices. Payout bonuses each apply to the
 *   original payout and simply add.
 * - A saving is allocated to its eligible lines in proportion to what is left of them, by the
 *   largest-remainder method: allocations sum exactly to the saving, ties go to the earlier line.
 * - Best combination: exclusive coupons stand alone; at most one coupon per stacking group; at most
 *   `maxCouponsPerOrder`. Largest total saving wins; ties go to fewer coupons, then to the combination
 *   whose coupons come first in application order (of coupons that act alike, the one expiring sooner).
 *   Found by an exact search (lib/pricing/best-combination.ts).
 * - Amounts: a cart worth more than MAX_CART_AMOUNT minor units is refused (AMOUNT_TOO_LARGE), which keeps
 *   every sum the engine forms below 2^53, so every number is exact.
 */
export interface PricingCoupon {
  readonly id: string;
  readonly currency: string;
  readonly effect: Effect;
  readonly scope: Scope;
  readonly stacking: Stacking;
  readonly validFrom: string;
  readonly validUntil: string;
  /** The coupon's effective status; only `available` coupons can be priced into an order. */
  readonly status: CouponStatus;
}

export type VerdictReason =
  | { readonly code: 'NOT_AVAILABLE'; readonly status: CouponStatus }
  | { readonly code: 'NOT_YET_VALID'; readonly validFrom: string }
  | { readonly code: 'EXPIRED'; readonly validUntil: string }
  | { readonly code: 'CURRENCY_MISMATCH'; readonly currency: string }
  | { readonly code: 'WRONG_KIND'; readonly appliesTo: Cart['kind'] }
  | { readonly code: 'OUT_OF_SCOPE' }
  | { readonly code: 'BLOCKED_PRODUCT'; readonly productIds: readonly string[] }
  | { readonly code: 'BELOW_MINIMUM'; readonly minimum: number; readonly eligibleAmount: number; readonly missing: number }
  | { readonly code: 'STACKING_CONFLICT'; readonly conflictsWith: readonly string[] }
  | { readonly code: 'TOO_MANY_COUPONS'; readonly maximum: number }
  | { readonly code: 'NO_EXTRA_SAVING' };

export interface CouponVerdict {
  readonly couponId: string;
  /** Applies on its own to this cart. */
  readonly applicable: boolean;
  /** Part of the best combination. */
  readonly selected: boolean;
  readonly reasons: readonly VerdictReason[];
  /** What it saves (or adds, for payout bonuses) on its own. */
  readonly saving: number;
  readonly allocations: readonly LineAllocation[];
}

export interface AppliedCoupon {
  readonly couponId: string;
  readonly saving: number;
  readonly allocations: readonly LineAllocation[];
}

export interface Combination {
  readonly couponIds: readonly string[];
  readonly applied: readonly AppliedCoupon[];
  readonly saving: number;
  readonly totals: { readonly subtotal: number; readonly adjustment: number; readonly total: number };
  /** What each line ends at (purchase: price after discounts; payout: payout with bonuses). */
  readonly lines: ReadonlyArray<{ readonly line: number; readonly amount: number; readonly adjustment: number; readonly final: number }>;
}

export interface PricingOptions {
  readonly nowMs: number;
  readonly blockedProductIds: ReadonlySet<string>;
  readonly maxCouponsPerOrder: number;
  /** Nodes the combination search may visit before it settles for the best found so far (the answer then says `optimal: false`). */
  readonly searchBudget?: number;
}

export interface Quote {
  readonly kind: Cart['kind'];
  readonly currency: string;
  readonly subtotal: number;
  readonly verdicts: readonly CouponVerdict[];
  readonly best: Combination;
  /** True when the search proved that no combination beats `best`; false only if its node budget ran out first. */
  readonly optimal: boolean;
}

const minimumOf = (effect: Effect): number => ('minSpend' in effect ? (effect.minSpend ?? 0) : 'minPayout' in effect ? (effect.minPayout ?? 0) : 0);

function matches(ids: { productIds?: string[]; categoryIds?: string[]; merchantIds?: string[] } | undefined, line: CartLine): boolean {
  return !!ids && (!!ids.productIds?.includes(line.productId) || !!ids.categoryIds?.includes(line.categoryId) || !!ids.merchantIds?.includes(line.merchantId));
}

export const inScope = (scope: Scope, line: CartLine): boolean => (!scope.include || matches(scope.include, line)) && !matches(scope.exclude, line);

interface Evaluated {
  readonly verdict: Omit<CouponVerdict, 'selected'>;
  readonly eligibleLines: readonly number[];
  readonly eligibleAmount: number;
  readonly coupon: PricingCoupon;
}

function evaluate(coupon: PricingCoupon, cart: Cart, options: Pick<PricingOptions, 'nowMs' | 'blockedProductIds'>, amounts: readonly number[] = cart.lines.map(lineAmount)): Evaluated {
  const reasons: VerdictReason[] = [];
  if (coupon.status !== 'available') reasons.push({ code: 'NOT_AVAILABLE', status: coupon.status });
  if (options.nowMs < toEpochMs(coupon.validFrom)) reasons.push({ code: 'NOT_YET_VALID', validFrom: coupon.validFrom });
  if (options.nowMs >= toEpochMs(coupon.validUntil)) reasons.push({ code: 'EXPIRED', validUntil: coupon.validUntil });
  if (coupon.currency !== cart.currency) reasons.push({ code: 'CURRENCY_MISMATCH', currency: coupon.currency });
  const couponKind: Cart['kind'] = isPayoutEffect(coupon.effect) ? 'payout' : 'purchase';
  if (couponKind !== cart.kind) reasons.push({ code: 'WRONG_KIND', appliesTo: couponKind });

  const eligibleLines: number[] = [];
  const blockedInScope: string[] = [];
  let eligibleAmount = 0;
  cart.lines.forEach((line, index) => {
    if (!inScope(coupon.scope, line)) return;
    if (options.blockedProductIds.has(line.productId)) blockedInScope.push(line.productId);
    else {
      eligibleLines.push(index);
      eligibleAmount += amounts[index]!;
    }
  });
  if (eligibleLines.length === 0 && blockedInScope.length === 0) reasons.push({ code: 'OUT_OF_SCOPE' });
  else if (eligibleLines.length === 0) reasons.push({ code: 'BLOCKED_PRODUCT', productIds: [...new Set(blockedInScope)] });

  const minimum = minimumOf(coupon.effect);
  if (eligibleLines.length > 0 && eligibleAmount < minimum) reasons.push({ code: 'BELOW_MINIMUM', minimum, eligibleAmount, missing: minimum - eligibleAmount });

  const applicable = reasons.length === 0;
  const alone = applicable ? savingOnLines(coupon.effect, eligibleLines, amounts) : { saving: 0, allocations: [] };
  return { coupon, eligibleLines, eligibleAmount, verdict: { couponId: coupon.id, applicable, reasons, saving: alone.saving, allocations: alone.allocations } };
}

/** Applies coupons in application order and totals the result. */
function combine(chosen: readonly Evaluated[], cart: Cart): Combination {
  const original = cart.lines.map(lineAmount);
  const remaining = [...original];
  const applied: AppliedCoupon[] = [];
  const adjustments = original.map(() => 0);
  for (const entry of [...chosen].sort(compareApplication)) {
    // Discounts compound on what is left; payout bonuses are each computed on the original payout.
    const result = savingOnLines(entry.coupon.effect, entry.eligibleLines, cart.kind === 'purchase' ? remaining : original);
    for (const { line, amount } of result.allocations) {
      adjustments[line]! += amount;
      if (cart.kind === 'purchase') remaining[line]! -= amount;
    }
    applied.push({ couponId: entry.coupon.id, ...result });
  }
  const subtotal = original.reduce((a, b) => a + b, 0);
  const saving = applied.reduce((sum, a) => sum + a.saving, 0);
  const sign = cart.kind === 'purchase' ? -1 : 1;
  return {
    couponIds: applied.map((a) => a.couponId),
    applied,
    saving,
    totals: { subtotal, adjustment: saving, total: subtotal + sign * saving },
    lines: original.map((amount, line) => ({ line, amount, adjustment: adjustments[line]!, final: amount + sign * adjustments[line]! })),
  };
}

/** Why a set of coupons may not be used together, if it may not. */
export function stackingProblem(coupons: readonly Pick<PricingCoupon, 'id' | 'stacking'>[], maxCouponsPerOrder: number): VerdictReason | undefined {
  if (coupons.length > maxCouponsPerOrder) return { code: 'TOO_MANY_COUPONS', maximum: maxCouponsPerOrder };
  if (coupons.length > 1) {
    const exclusive = coupons.filter((c) => c.stacking.type === 'exclusive');
    if (exclusive.length > 0) return { code: 'STACKING_CONFLICT', conflictsWith: coupons.map((c) => c.id) };
    const seen = new Map<string, string>();
    for (const c of coupons) {
      const group = c.stacking.type === 'group' ? c.stacking.group : '';
      const other = seen.get(group);
      if (other) return { code: 'STACKING_CONFLICT', conflictsWith: [other, c.id] };
      seen.set(group, c.id);
    }
  }
  return undefined;
}

function bestCombination(candidates: readonly Evaluated[], cart: Cart, options: PricingOptions): { best: Combination; optimal: boolean } {
  const ordered = [...candidates].sort(compareApplication);
  const result = searchBestCombination(
    ordered.map((entry) => ({
      effect: entry.coupon.effect,
      eligibleLines: entry.eligibleLines,
      group: entry.coupon.stacking.type === 'group' ? entry.coupon.stacking.group : undefined,
      actionKey: actionKey(entry),
      lineScoped: isLineScoped(entry.coupon.scope),
    })),
    cart.lines.map(lineAmount),
    { kind: cart.kind, maxCoupons: options.maxCouponsPerOrder, nodeBudget: options.searchBudget },
  );
  return { best: combine(result.chosen.map((index) => ordered[index]!), cart), optimal: result.optimal };
}

/** Refuses carts whose sums could pass 2^53 - 1 minor units, before any arithmetic. */
function assertCartAmount(cart: Cart): void {
  const subtotal = cart.lines.reduce((sum, line) => sum + lineAmount(line), 0);
  if (subtotal > MAX_CART_AMOUNT) {
    throw new InvalidInputError('AMOUNT_TOO_LARGE', `The cart is worth ${subtotal} minor units; at most ${MAX_CART_AMOUNT} can be priced exactly`, { subtotal, maximum: MAX_CART_AMOUNT });
  }
}

function notSelectedReason(entry: Evaluated, selected: readonly PricingCoupon[], maxCouponsPerOrder: number): VerdictReason {
  const problem = stackingProblem([...selected, entry.coupon], maxCouponsPerOrder);
  return problem ?? { code: 'NO_EXTRA_SAVING' };
}

export function quote(cart: Cart, coupons: readonly PricingCoupon[], options: PricingOptions): Quote {
  assertCartAmount(cart);
  const amounts = cart.lines.map(lineAmount);
  const evaluated = [...coupons].sort((a, b) => (a.id < b.id ? -1 : 1)).map((coupon) => evaluate(coupon, cart, options, amounts));
  const { best, optimal } = bestCombination(
    evaluated.filter((e) => e.verdict.applicable),
    cart,
    options,
  );
  const chosenIds = new Set(best.couponIds);
  const selectedCoupons = evaluated.filter((e) => chosenIds.has(e.coupon.id)).map((e) => e.coupon);
  const verdicts = evaluated.map((entry) => {
    const selected = chosenIds.has(entry.coupon.id);
    const reasons = entry.verdict.applicable && !selected ? [notSelectedReason(entry, selectedCoupons, options.maxCouponsPerOrder)] : entry.verdict.reasons;
    return { ...entry.verdict, reasons, selected };
  });
  return { kind: cart.kind, currency: cart.currency, subtotal: best.totals.subtotal, verdicts, best, optimal };
}

/** What each coupon saves on its own on this cart, and why it does not apply if it does not (no combination is searched). */
export function priceEachAlone(cart: Cart, coupons: readonly PricingCoupon[], options: Omit<PricingOptions, 'maxCouponsPerOrder' | 'searchBudget'>): Omit<CouponVerdict, 'selected'>[] {
  assertCartAmount(cart);
  return coupons.map((coupon) => evaluate(coupon, cart, options).verdict);
}

export type SelectionResult = { readonly ok: true; readonly combination: Combination; readonly verdicts: readonly CouponVerdict[] } | { readonly ok: false; readonly verdicts: readonly CouponVerdict[] };

/** Prices exactly the coupons asked for (an order lock): each must apply, and together they must stack. */
export function priceSelection(cart: Cart, coupons: readonly PricingCoupon[], options: PricingOptions): SelectionResult {
  assertCartAmount(cart);
  const evaluated = [...coupons].sort((a, b) => (a.id < b.id ? -1 : 1)).map((coupon) => evaluate(coupon, cart, options));
  const problem = stackingProblem(coupons, options.maxCouponsPerOrder);
  const verdicts = evaluated.map((e) => ({
    ...e.verdict,
    applicable: e.verdict.applicable && !problem,
    reasons: problem && e.verdict.applicable ? [problem] : e.verdict.reasons,
    selected: e.verdict.applicable && !problem,
  }));
  if (problem || evaluated.some((e) => !e.verdict.applicable)) return { ok: false, verdicts };
  return { ok: true, combination: combine(evaluated, cart), verdicts };
}

import type { CouponStatus } from '../coupons/coupon';
import type { Effect, Scope, Stacking } from '../templates/template-schema';
import { toEpochMs } from '../time';
import { allocateProportionally, percentOf } from './allocation';
import { type Cart, type CartLine, lineAmount } from './cart';

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
 * - In a combination, amount-off coupons apply before percent-off ones (a percentage of the already
 *   reduced price), each on what earlier coupons left of its eligible lines; minimum spends are checked
 *   on the original prices. Payout bonuses each apply to the original payout and simply add.
 * - A saving is allocated to its eligible lines in proportion to what is left of them, by the
 *   largest-remainder method: allocations sum exactly to the saving, ties go to the earlier line.
 * - Best combination: exclusive coupons stand alone; at most one coupon per stacking group; at most
 *   `maxCouponsPerOrder`. Largest total saving wins; ties go to fewer coupons, then to coupons that expire
 *   sooner, then to the smaller coupon ids.
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

export interface LineAllocation {
  readonly line: number;
  readonly amount: number;
}

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
  /** Leaves the combination search may evaluate before it settles for the best found so far. */
  readonly searchBudget?: number;
}

export interface Quote {
  readonly kind: Cart['kind'];
  readonly currency: string;
  readonly subtotal: number;
  readonly verdicts: readonly CouponVerdict[];
  readonly best: Combination;
}

const isPayoutEffect = (effect: Effect) => effect.type === 'payout_amount' || effect.type === 'payout_percent';
const minimumOf = (effect: Effect): number => ('minSpend' in effect ? (effect.minSpend ?? 0) : 'minPayout' in effect ? (effect.minPayout ?? 0) : 0);

function matches(ids: { productIds?: string[]; categoryIds?: string[]; merchantIds?: string[] } | undefined, line: CartLine): boolean {
  return !!ids && (!!ids.productIds?.includes(line.productId) || !!ids.categoryIds?.includes(line.categoryId) || !!ids.merchantIds?.includes(line.merchantId));
}

export const inScope = (scope: Scope, line: CartLine): boolean => (!scope.include || matches(scope.include, line)) && !matches(scope.exclude, line);

interface Evaluated {
  readonly verdict: Omit<CouponVerdict, 'selected'>;
  readonly eligibleLines: readonly number[];
  readonly coupon: PricingCoupon;
}

/** One coupon's saving on the given line amounts (what is left of them), allocated to its eligible lines. */
function savingOn(coupon: PricingCoupon, eligibleLines: readonly number[], amounts: readonly number[]): AppliedCoupon {
  const base = eligibleLines.reduce((sum, line) => sum + amounts[line]!, 0);
  const effect = coupon.effect;
  let saving: number;
  switch (effect.type) {
    case 'amount_off':
      saving = Math.min(effect.amountOff, base);
      break;
    case 'percent_off':
      saving = Math.min(percentOf(base, effect.percentOffBps), effect.maxDiscount ?? Number.MAX_SAFE_INTEGER);
      break;
    case 'payout_amount':
      saving = effect.bonus;
      break;
    case 'payout_percent':
      saving = Math.min(percentOf(base, effect.bonusBps), effect.maxBonus ?? Number.MAX_SAFE_INTEGER);
      break;
  }
  // A payout bonus is not bounded by the payout; spread it by the lines' payout, capped to what they hold only for discounts.
  const weights = eligibleLines.map((line) => amounts[line]!);
  const parts = isPayoutEffect(effect) ? allocateBonus(saving, weights) : allocateProportionally(saving, weights);
  return { couponId: coupon.id, saving, allocations: eligibleLines.map((line, i) => ({ line, amount: parts[i]! })).filter((a) => a.amount > 0) };
}

/** A bonus may exceed the payout it rides on; allocate whole multiples first, then the rest proportionally. */
function allocateBonus(bonus: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  if (sum === 0) return weights.map((_, i) => (i === 0 ? bonus : 0));
  const rounds = Math.floor(bonus / sum);
  const rest = allocateProportionally(bonus - rounds * sum, weights);
  return weights.map((w, i) => w * rounds + rest[i]!);
}

function evaluate(coupon: PricingCoupon, cart: Cart, options: PricingOptions): Evaluated {
  const reasons: VerdictReason[] = [];
  if (coupon.status !== 'available') reasons.push({ code: 'NOT_AVAILABLE', status: coupon.status });
  if (options.nowMs < toEpochMs(coupon.validFrom)) reasons.push({ code: 'NOT_YET_VALID', validFrom: coupon.validFrom });
  if (options.nowMs >= toEpochMs(coupon.validUntil)) reasons.push({ code: 'EXPIRED', validUntil: coupon.validUntil });
  if (coupon.currency !== cart.currency) reasons.push({ code: 'CURRENCY_MISMATCH', currency: coupon.currency });
  const couponKind: Cart['kind'] = isPayoutEffect(coupon.effect) ? 'payout' : 'purchase';
  if (couponKind !== cart.kind) reasons.push({ code: 'WRONG_KIND', appliesTo: couponKind });

  const scoped = cart.lines.map((line, index) => ({ line, index })).filter(({ line }) => inScope(coupon.scope, line));
  const eligible = scoped.filter(({ line }) => !options.blockedProductIds.has(line.productId));
  if (scoped.length === 0) reasons.push({ code: 'OUT_OF_SCOPE' });
  else if (eligible.length === 0) reasons.push({ code: 'BLOCKED_PRODUCT', productIds: [...new Set(scoped.map(({ line }) => line.productId))] });

  const eligibleLines = eligible.map(({ index }) => index);
  const amounts = cart.lines.map(lineAmount);
  const eligibleAmount = eligibleLines.reduce((sum, line) => sum + amounts[line]!, 0);
  const minimum = minimumOf(coupon.effect);
  if (eligible.length > 0 && eligibleAmount < minimum) reasons.push({ code: 'BELOW_MINIMUM', minimum, eligibleAmount, missing: minimum - eligibleAmount });

  const applicable = reasons.length === 0;
  const alone = applicable ? savingOn(coupon, eligibleLines, amounts) : { saving: 0, allocations: [] };
  return { coupon, eligibleLines, verdict: { couponId: coupon.id, applicable, reasons, saving: alone.saving, allocations: alone.allocations } };
}

const applicationOrder = (effect: Effect) => (effect.type === 'amount_off' || effect.type === 'payout_amount' ? 0 : 1);

/** Applies coupons in the engine's order and totals the result. */
function combine(chosen: readonly Evaluated[], cart: Cart): Combination {
  const original = cart.lines.map(lineAmount);
  const remaining = [...original];
  const ordered = [...chosen].sort((a, b) => applicationOrder(a.coupon.effect) - applicationOrder(b.coupon.effect) || (a.coupon.id < b.coupon.id ? -1 : 1));
  const applied: AppliedCoupon[] = [];
  const adjustments = original.map(() => 0);
  for (const entry of ordered) {
    // Discounts compound on what is left; payout bonuses are each computed on the original payout.
    const result = savingOn(entry.coupon, entry.eligibleLines, cart.kind === 'purchase' ? remaining : original);
    for (const { line, amount } of result.allocations) {
      adjustments[line]! += amount;
      if (cart.kind === 'purchase') remaining[line]! -= amount;
    }
    applied.push(result);
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

function better(a: Combination, b: Combination, expiry: ReadonlyMap<string, string>): boolean {
  if (a.saving !== b.saving) return a.saving > b.saving;
  if (a.couponIds.length !== b.couponIds.length) return a.couponIds.length < b.couponIds.length;
  const key = (c: Combination) => c.couponIds.map((id) => `${expiry.get(id)}|${id}`).sort().join(',');
  return key(a) < key(b);
}

function bestCombination(candidates: readonly Evaluated[], cart: Cart, options: PricingOptions): Combination {
  const expiry = new Map(candidates.map((c) => [c.coupon.id, c.coupon.validUntil]));
  let best = combine([], cart);
  const consider = (combination: Combination) => {
    if (better(combination, best, expiry)) best = combination;
  };
  // Every coupon alone first: whatever the search budget, the answer is never worse than the best single coupon.
  for (const single of candidates) consider(combine([single], cart));

  // Stackable coupons: at most one per group. Depth-first over groups, best standalone first, pruned by
  // an upper bound (a coupon never saves more in a combination than alone).
  const groups = new Map<string, Evaluated[]>();
  for (const c of candidates) if (c.coupon.stacking.type === 'group') groups.set(c.coupon.stacking.group, [...(groups.get(c.coupon.stacking.group) ?? []), c]);
  const ordered = [...groups.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([, members]) => [...members].sort((a, b) => b.verdict.saving - a.verdict.saving || (a.coupon.id < b.coupon.id ? -1 : 1)));
  const groupMax = ordered.map((members) => members[0]?.verdict.saving ?? 0);
  let budget = options.searchBudget ?? 20_000;
  const chosen: Evaluated[] = [];
  const upperBound = (from: number, room: number) =>
    groupMax
      .slice(from)
      .sort((a, b) => b - a)
      .slice(0, room)
      .reduce((a, b) => a + b, 0);
  const search = (groupIndex: number, standaloneSum: number) => {
    if (budget <= 0) return;
    const room = options.maxCouponsPerOrder - chosen.length;
    if (groupIndex === ordered.length || room === 0) {
      budget--;
      if (chosen.length > 0) consider(combine(chosen, cart));
      return;
    }
    if (standaloneSum + upperBound(groupIndex, room) < best.saving) return;
    for (const member of ordered[groupIndex]!) {
      chosen.push(member);
      search(groupIndex + 1, standaloneSum + member.verdict.saving);
      chosen.pop();
    }
    search(groupIndex + 1, standaloneSum);
  };
  search(0, 0);
  return best;
}

function notSelectedReason(entry: Evaluated, best: Combination, all: readonly Evaluated[], maxCouponsPerOrder: number): VerdictReason {
  const selected = all.filter((e) => best.couponIds.includes(e.coupon.id)).map((e) => e.coupon);
  const problem = stackingProblem([...selected, entry.coupon], maxCouponsPerOrder);
  return problem ?? { code: 'NO_EXTRA_SAVING' };
}

export function quote(cart: Cart, coupons: readonly PricingCoupon[], options: PricingOptions): Quote {
  const evaluated = [...coupons].sort((a, b) => (a.id < b.id ? -1 : 1)).map((coupon) => evaluate(coupon, cart, options));
  const best = bestCombination(
    evaluated.filter((e) => e.verdict.applicable),
    cart,
    options,
  );
  const verdicts = evaluated.map((entry) => {
    const selected = best.couponIds.includes(entry.coupon.id);
    const reasons = entry.verdict.applicable && !selected ? [notSelectedReason(entry, best, evaluated, options.maxCouponsPerOrder)] : entry.verdict.reasons;
    return { ...entry.verdict, reasons, selected };
  });
  return { kind: cart.kind, currency: cart.currency, subtotal: best.totals.subtotal, verdicts, best };
}

export type SelectionResult = { readonly ok: true; readonly combination: Combination; readonly verdicts: readonly CouponVerdict[] } | { readonly ok: false; readonly verdicts: readonly CouponVerdict[] };

/** Prices exactly the coupons asked for (an order lock): each must apply, and together they must stack. */
export function priceSelection(cart: Cart, coupons: readonly PricingCoupon[], options: PricingOptions): SelectionResult {
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

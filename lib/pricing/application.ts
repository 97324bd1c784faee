import type { Effect, Scope } from '../templates/template-schema';
import { allocateProportionally, percentOf } from './allocation';

/**
 * How one coupon acts on a cart, and the order in which stacked coupons act: the arithmetic the quote,
 * the best-combination search and the order lock share, so that what the search proves best is what
 * the order is charged.
 */

export const isPayoutEffect = (effect: Effect): boolean => effect.type === 'payout_amount' || effect.type === 'payout_percent';

/** What a coupon saves (or adds, for a payout bonus) on a base of `base` minor units. Non-decreasing in the base. */
export function savingOnBase(effect: Effect, base: number): number {
  switch (effect.type) {
    case 'amount_off':
      return Math.min(effect.amountOff, base);
    case 'percent_off':
      return Math.min(percentOf(base, effect.percentOffBps), effect.maxDiscount ?? Number.MAX_SAFE_INTEGER);
    case 'payout_amount':
      return effect.bonus;
    case 'payout_percent':
      return Math.min(percentOf(base, effect.bonusBps), effect.maxBonus ?? Number.MAX_SAFE_INTEGER);
  }
}

export interface LineAllocation {
  readonly line: number;
  readonly amount: number;
}

/** A bonus may exceed the payout it rides on; allocate whole multiples first, then the rest proportionally. */
function allocateBonus(bonus: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  if (sum === 0) return weights.map((_, i) => (i === 0 ? bonus : 0));
  const rounds = Math.floor(bonus / sum);
  const rest = allocateProportionally(bonus - rounds * sum, weights);
  return weights.map((w, i) => w * rounds + rest[i]!);
}

/**
 * One coupon's saving on the given line amounts (what is left of them), allocated to its eligible
 * lines in proportion to those amounts.
 */
export function savingOnLines(effect: Effect, eligibleLines: readonly number[], amounts: ArrayLike<number>): { saving: number; allocations: LineAllocation[] } {
  let base = 0;
  for (const line of eligibleLines) base += amounts[line]!;
  const saving = savingOnBase(effect, base);
  const weights = eligibleLines.map((line) => amounts[line]!);
  // A payout bonus is not bounded by the payout; a discount never takes more than a line holds.
  const parts = isPayoutEffect(effect) ? allocateBonus(saving, weights) : allocateProportionally(saving, weights);
  const allocations: LineAllocation[] = [];
  eligibleLines.forEach((line, i) => {
    if (parts[i]! > 0) allocations.push({ line, amount: parts[i]! });
  });
  return { saving, allocations };
}

/** Line-scoped coupons (an include list by product, category or merchant) act before order-wide ones. */
export const isLineScoped = (scope: Scope): boolean => scope.include !== undefined;

const kindRank = (effect: Effect) => (effect.type === 'amount_off' || effect.type === 'payout_amount' ? 0 : 1);
const valueOf = (effect: Effect): number => {
  switch (effect.type) {
    case 'amount_off':
      return effect.amountOff;
    case 'percent_off':
      return effect.percentOffBps;
    case 'payout_amount':
      return effect.bonus;
    case 'payout_percent':
      return effect.bonusBps;
  }
};
const capOf = (effect: Effect): number =>
  effect.type === 'percent_off' ? (effect.maxDiscount ?? Number.POSITIVE_INFINITY) : effect.type === 'payout_percent' ? (effect.maxBonus ?? Number.POSITIVE_INFINITY) : Number.POSITIVE_INFINITY;

/** What the application order looks at: the coupon's rule, its eligible lines on this cart and their original amount. */
export interface Orderable {
  readonly coupon: { readonly id: string; readonly effect: Effect; readonly scope: Scope; readonly validUntil: string };
  readonly eligibleLines: readonly number[];
  readonly eligibleAmount: number;
}

function compareLines(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

/**
 * The order in which stacked coupons act, by rule and never by id (ids only order coupons that are
 * equal in every other respect, whose order changes nothing):
 * 1. line-scoped coupons before order-wide ones (the convention of Vendure, Saleor and commercetools);
 * 2. within a level, amounts off before percentages (a percentage of the already reduced price);
 * 3. then the larger value first (amount, or percentage), then the higher cap (none is highest);
 * 4. then the coupon whose eligible lines are worth more, then by the lines themselves;
 * 5. then the coupon that expires sooner.
 */
export function compareApplication(a: Orderable, b: Orderable): number {
  const ea = a.coupon.effect;
  const eb = b.coupon.effect;
  return (
    Number(!isLineScoped(a.coupon.scope)) - Number(!isLineScoped(b.coupon.scope)) ||
    kindRank(ea) - kindRank(eb) ||
    valueOf(eb) - valueOf(ea) ||
    (capOf(ea) === capOf(eb) ? 0 : capOf(eb) > capOf(ea) ? 1 : -1) ||
    b.eligibleAmount - a.eligibleAmount ||
    compareLines(a.eligibleLines, b.eligibleLines) ||
    (a.coupon.validUntil < b.coupon.validUntil ? -1 : a.coupon.validUntil > b.coupon.validUntil ? 1 : 0) ||
    (a.coupon.id < b.coupon.id ? -1 : a.coupon.id > b.coupon.id ? 1 : 0)
  );
}

/** Coupons with the same key act identically on this cart wherever they stand in a stack. */
export const actionKey = (entry: Orderable): string =>
  `${Number(isLineScoped(entry.coupon.scope))}|${entry.coupon.effect.type}|${valueOf(entry.coupon.effect)}|${capOf(entry.coupon.effect)}|${entry.eligibleLines.join(',')}`;

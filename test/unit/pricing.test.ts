import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allocateProportionally } from '../../lib/pricing/allocation';
import type { Cart, CartLine } from '../../lib/pricing/cart';
import { type PricingCoupon, priceSelection, quote, stackingProblem } from '../../lib/pricing/pricing-engine';
import type { Effect } from '../../lib/templates/template-schema';

const NOW = Date.parse('2026-06-01T00:00:00Z');
const options = { nowMs: NOW, blockedProductIds: new Set<string>(), maxCouponsPerOrder: 5 };
const line = (productId: string, unitPrice: number, quantity = 1, categoryId = 'general', merchantId = 'shop'): CartLine => ({ productId, categoryId, merchantId, unitPrice, quantity });
const cart = (...lines: CartLine[]): Cart => ({ kind: 'purchase', currency: 'EUR', lines });
let nextId = 0;
const coupon = (effect: Effect, overrides: Partial<PricingCoupon> = {}): PricingCoupon => ({
  id: `c${String(++nextId).padStart(3, '0')}`,
  currency: 'EUR',
  effect,
  scope: {},
  stacking: { type: 'group', group: 'default' },
  validFrom: '2026-01-01T00:00:00Z',
  validUntil: '2026-12-31T00:00:00Z',
  status: 'available',
  ...overrides,
});
const alone = (c: PricingCoupon, k: Cart, o = options) => quote(k, [c], o).verdicts[0]!;

describe('each effect on its own', () => {
  it.each([
    ['amount off, no minimum', { type: 'amount_off', amountOff: 500 }, [line('p', 3000)], 500],
    ['amount off, minimum met exactly', { type: 'amount_off', amountOff: 500, minSpend: 3000 }, [line('p', 1500, 2)], 500],
    ['amount off larger than the cart', { type: 'amount_off', amountOff: 5000 }, [line('p', 1200)], 1200],
    ['percent off rounds down', { type: 'percent_off', percentOffBps: 1000 }, [line('p', 999)], 99],
    ['percent off with a cap', { type: 'percent_off', percentOffBps: 5000, maxDiscount: 700 }, [line('p', 10_000)], 700],
    ['percent off 100%', { type: 'percent_off', percentOffBps: 10_000 }, [line('p', 1234, 3)], 3702],
    ['12.5% in basis points', { type: 'percent_off', percentOffBps: 1250 }, [line('p', 8000)], 1000],
  ] as const)('%s', (_label, effect, lines, saving) => {
    const verdict = alone(coupon(effect as Effect), cart(...lines));
    expect(verdict.applicable).toBe(true);
    expect(verdict.saving).toBe(saving);
  });

  it('payout bonuses add to a payout quote, above its own minimum only', () => {
    const payout: Cart = { kind: 'payout', currency: 'EUR', lines: [line('phone', 20_000, 1, 'phones')] };
    expect(alone(coupon({ type: 'payout_amount', bonus: 1500, minPayout: 10_000 }), payout).saving).toBe(1500);
    expect(alone(coupon({ type: 'payout_percent', bonusBps: 500, maxBonus: 800 }), payout).saving).toBe(800);
    const verdict = alone(coupon({ type: 'payout_amount', bonus: 1500, minPayout: 30_000 }), payout);
    expect(verdict.reasons).toEqual([{ code: 'BELOW_MINIMUM', minimum: 30_000, eligibleAmount: 20_000, missing: 10_000 }]);
    const q = quote(payout, [coupon({ type: 'payout_amount', bonus: 1500 }), coupon({ type: 'payout_percent', bonusBps: 1000 }, { stacking: { type: 'group', group: 'bonus2' } })], options);
    expect(q.best.totals).toEqual({ subtotal: 20_000, adjustment: 3500, total: 23_500 });
  });

  it('a payout coupon does not apply to a purchase, nor a discount to a payout', () => {
    expect(alone(coupon({ type: 'payout_amount', bonus: 100 }), cart(line('p', 1000))).reasons).toEqual([{ code: 'WRONG_KIND', appliesTo: 'payout' }]);
    expect(alone(coupon({ type: 'amount_off', amountOff: 100 }), { ...cart(line('p', 1000)), kind: 'payout' }).reasons).toEqual([{ code: 'WRONG_KIND', appliesTo: 'purchase' }]);
  });
});

describe('verdict reasons', () => {
  const k = cart(line('shoe', 4000, 1, 'shoes', 'nike'), line('sock', 500, 2, 'socks', 'nike'), line('gift', 2000, 1, 'cards', 'shop'));

  it.each([
    ['not yet valid', coupon({ type: 'amount_off', amountOff: 1 }, { validFrom: '2026-07-01T00:00:00Z' }), 'NOT_YET_VALID'],
    ['expired', coupon({ type: 'amount_off', amountOff: 1 }, { validUntil: '2026-05-01T00:00:00Z' }), 'EXPIRED'],
    ['locked elsewhere', coupon({ type: 'amount_off', amountOff: 1 }, { status: 'locked' }), 'NOT_AVAILABLE'],
    ['another currency', coupon({ type: 'amount_off', amountOff: 1 }, { currency: 'USD' }), 'CURRENCY_MISMATCH'],
    ['no line in scope', coupon({ type: 'amount_off', amountOff: 1 }, { scope: { include: { categoryIds: ['hats'] } } }), 'OUT_OF_SCOPE'],
  ])('%s', (_label, c, code) => {
    expect(alone(c, k).reasons.map((r) => r.code)).toEqual([code]);
  });

  it('computes the minimum on lines in scope only, and says how much is missing', () => {
    const shoesOnly = coupon({ type: 'amount_off', amountOff: 1000, minSpend: 5000 }, { scope: { include: { categoryIds: ['shoes'] } } });
    expect(alone(shoesOnly, k).reasons).toEqual([{ code: 'BELOW_MINIMUM', minimum: 5000, eligibleAmount: 4000, missing: 1000 }]);
  });

  it('applies scope by product, category and merchant, with excludes winning', () => {
    const nikeButNotSocks = coupon({ type: 'percent_off', percentOffBps: 1000 }, { scope: { include: { merchantIds: ['nike'] }, exclude: { productIds: ['sock'] } } });
    const verdict = alone(nikeButNotSocks, k);
    expect(verdict.saving).toBe(400);
    expect(verdict.allocations).toEqual([{ line: 0, amount: 400 }]);
  });

  it('never discounts globally blocked products, and says so when nothing else is in scope', () => {
    const blocked = { ...options, blockedProductIds: new Set(['gift']) };
    const everything = coupon({ type: 'percent_off', percentOffBps: 1000 });
    expect(alone(everything, k, blocked).saving).toBe(500); // 10% of 4000 + 1000, not of the gift card
    const cardsOnly = coupon({ type: 'amount_off', amountOff: 100 }, { scope: { include: { categoryIds: ['cards'] } } });
    expect(alone(cardsOnly, k, blocked).reasons).toEqual([{ code: 'BLOCKED_PRODUCT', productIds: ['gift'] }]);
  });
});

describe('allocation', () => {
  it('spreads a saving over lines by the largest remainder, ties to the earlier line', () => {
    expect(allocateProportionally(100, [300, 300, 300])).toEqual([34, 33, 33]);
    expect(allocateProportionally(10, [500, 300, 200])).toEqual([5, 3, 2]);
    expect(allocateProportionally(7, [0, 10, 0])).toEqual([0, 7, 0]);
  });

  it('always sums to the total and never gives a line more than it weighs', () => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: 10_000_000_000 }), { minLength: 1, maxLength: 30 }), fc.double({ min: 0, max: 1, noNaN: true }), (weights, fraction) => {
        const sum = weights.reduce((a, b) => a + b, 0);
        const total = Math.floor(sum * fraction);
        const parts = allocateProportionally(total, weights);
        expect(parts.reduce((a, b) => a + b, 0)).toBe(total);
        parts.forEach((part, i) => {
          expect(part).toBeGreaterThanOrEqual(0);
          expect(part).toBeLessThanOrEqual(weights[i]!);
        });
      }),
    );
  });
});

describe('stacking and the best combination', () => {
  const k = cart(line('a', 10_000), line('b', 5_000));

  it('lets exclusive coupons stand alone and picks the better of them or a stack', () => {
    const exclusive = coupon({ type: 'amount_off', amountOff: 2_500 }, { stacking: { type: 'exclusive' } });
    const platform = coupon({ type: 'amount_off', amountOff: 1_000 }, { stacking: { type: 'group', group: 'platform' } });
    const shop = coupon({ type: 'percent_off', percentOffBps: 1_000 }, { stacking: { type: 'group', group: 'shop' } });
    const q = quote(k, [exclusive, platform, shop], options);
    // platform 1,000 then 10% of the remaining 14,000 = 1,400: 2,400 < 2,500 exclusive
    expect(q.best.couponIds).toEqual([exclusive.id]);
    expect(q.verdicts.find((v) => v.couponId === platform.id)!.reasons[0]!.code).toBe('STACKING_CONFLICT');
  });

  it('takes at most one coupon per group, the best of the group', () => {
    const small = coupon({ type: 'amount_off', amountOff: 500 }, { stacking: { type: 'group', group: 'shop' } });
    const large = coupon({ type: 'amount_off', amountOff: 900 }, { stacking: { type: 'group', group: 'shop' } });
    const other = coupon({ type: 'amount_off', amountOff: 300 }, { stacking: { type: 'group', group: 'platform' } });
    const q = quote(k, [small, large, other], options);
    expect([...q.best.couponIds].sort()).toEqual([large.id, other.id].sort());
    expect(q.best.totals).toEqual({ subtotal: 15_000, adjustment: 1_200, total: 13_800 });
  });

  it('respects the maximum per order', () => {
    const coupons = ['g1', 'g2', 'g3'].map((group, i) => coupon({ type: 'amount_off', amountOff: 100 * (i + 1) }, { stacking: { type: 'group', group } }));
    const q = quote(k, coupons, { ...options, maxCouponsPerOrder: 2 });
    expect(q.best.saving).toBe(500);
    expect(q.verdicts.find((v) => !v.selected)!.reasons[0]!.code).toBe('TOO_MANY_COUPONS');
  });

  it('applies amount-off before percent-off in a stack', () => {
    const percent = coupon({ type: 'percent_off', percentOffBps: 1_000 }, { stacking: { type: 'group', group: 'p' } });
    const amount = coupon({ type: 'amount_off', amountOff: 5_000 }, { stacking: { type: 'group', group: 'a' } });
    const q = quote(k, [percent, amount], options);
    expect(q.best.saving).toBe(5_000 + 1_000); // 10% of 15,000 - 5,000
  });

  it('breaks ties deterministically: fewer coupons, then the one expiring sooner', () => {
    const late = coupon({ type: 'amount_off', amountOff: 700 }, { validUntil: '2026-12-01T00:00:00Z', stacking: { type: 'exclusive' } });
    const soon = coupon({ type: 'amount_off', amountOff: 700 }, { validUntil: '2026-06-15T00:00:00Z', stacking: { type: 'exclusive' } });
    expect(quote(k, [late, soon], options).best.couponIds).toEqual([soon.id]);
    expect(quote(k, [soon, late], options).best.couponIds).toEqual([soon.id]);
  });

  it('checks an explicit selection (an order lock) against the same rules', () => {
    const a = coupon({ type: 'amount_off', amountOff: 100 }, { stacking: { type: 'group', group: 'x' } });
    const b = coupon({ type: 'amount_off', amountOff: 200 }, { stacking: { type: 'group', group: 'x' } });
    const result = priceSelection(k, [a, b], options);
    expect(result.ok).toBe(false);
    expect(result.verdicts[0]!.reasons[0]!.code).toBe('STACKING_CONFLICT');
    expect(stackingProblem([a], 5)).toBeUndefined();
  });
});

describe('pricing invariants (fast-check)', () => {
  const lineArb = fc.record({
    productId: fc.constantFrom('p1', 'p2', 'p3', 'p4'),
    categoryId: fc.constantFrom('c1', 'c2'),
    merchantId: fc.constantFrom('m1', 'm2'),
    unitPrice: fc.integer({ min: 0, max: 1_000_000 }),
    quantity: fc.integer({ min: 1, max: 5 }),
  });
  const effectArb: fc.Arbitrary<Effect> = fc.oneof(
    fc.record({ type: fc.constant('amount_off' as const), amountOff: fc.integer({ min: 1, max: 500_000 }), minSpend: fc.option(fc.integer({ min: 0, max: 1_000_000 }), { nil: undefined }) }),
    fc.record({
      type: fc.constant('percent_off' as const),
      percentOffBps: fc.integer({ min: 1, max: 10_000 }),
      maxDiscount: fc.option(fc.integer({ min: 1, max: 500_000 }), { nil: undefined }),
      minSpend: fc.option(fc.integer({ min: 0, max: 1_000_000 }), { nil: undefined }),
    }),
  );
  const couponArb = fc.record({
    effect: effectArb,
    include: fc.option(fc.record({ categoryIds: fc.subarray(['c1', 'c2']) }), { nil: undefined }),
    exclude: fc.option(fc.record({ productIds: fc.subarray(['p1', 'p2', 'p3', 'p4']) }), { nil: undefined }),
    stacking: fc.oneof(fc.constant({ type: 'exclusive' as const }), fc.constantFrom('g1', 'g2', 'g3').map((group) => ({ type: 'group' as const, group }))),
  });

  it('savings are never negative, never above the eligible amount, allocations sum to the saving, and the best stack obeys the rules and beats any single coupon', () => {
    fc.assert(
      fc.property(fc.array(lineArb, { minLength: 1, maxLength: 8 }), fc.array(couponArb, { minLength: 0, maxLength: 8 }), fc.integer({ min: 1, max: 4 }), (lines, specs, max) => {
        const k = cart(...lines);
        const coupons = specs.map((s, i) => ({ ...coupon(s.effect, { stacking: s.stacking, scope: { include: s.include, exclude: s.exclude } }), id: `c${i}` }));
        const q = quote(k, coupons, { ...options, maxCouponsPerOrder: max });
        const amounts = k.lines.map((l) => l.unitPrice * l.quantity);
        for (const v of q.verdicts) {
          expect(v.saving).toBeGreaterThanOrEqual(0);
          expect(v.allocations.reduce((sum, a) => sum + a.amount, 0)).toBe(v.saving);
          for (const a of v.allocations) expect(a.amount).toBeLessThanOrEqual(amounts[a.line]!);
          if (v.applicable) expect(q.best.saving).toBeGreaterThanOrEqual(v.saving);
        }
        expect(q.best.saving).toBeLessThanOrEqual(q.subtotal);
        for (const l of q.best.lines) expect(l.final).toBeGreaterThanOrEqual(0);
        for (const applied of q.best.applied) expect(applied.allocations.reduce((sum, a) => sum + a.amount, 0)).toBe(applied.saving);
        expect(q.best.totals.total).toBe(q.subtotal - q.best.saving);
        const chosen = coupons.filter((c) => q.best.couponIds.includes(c.id));
        expect(stackingProblem(chosen, max)).toBeUndefined();
      }),
      { numRuns: 500 },
    );
  });

  it('is deterministic: the same input in any order gives the same best combination', () => {
    fc.assert(
      fc.property(fc.array(lineArb, { minLength: 1, maxLength: 5 }), fc.array(couponArb, { minLength: 1, maxLength: 6 }), (lines, specs) => {
        const coupons = specs.map((s, i) => ({ ...coupon(s.effect, { stacking: s.stacking }), id: `c${i}` }));
        const forward = quote(cart(...lines), coupons, options);
        const backward = quote(cart(...lines), [...coupons].reverse(), options);
        expect(backward.best).toEqual(forward.best);
      }),
    );
  });
});

describe('application order: by rule, never by id', () => {
  it('applies a product-scoped percentage before an order-wide amount (the convention of Vendure, Saleor and commercetools)', () => {
    const k = cart(line('shirt', 3_000, 1, 'apparel'), line('mug', 2_435, 1, 'kitchen'));
    const tenPercentShirts = coupon({ type: 'percent_off', percentOffBps: 1_000 }, { scope: { include: { productIds: ['shirt'] } }, stacking: { type: 'group', group: 'product' } });
    const fiveOffOrder = coupon({ type: 'amount_off', amountOff: 500 }, { stacking: { type: 'group', group: 'order' } });
    const q = quote(k, [fiveOffOrder, tenPercentShirts], options);
    expect(q.best.applied.map((a) => [a.couponId, a.saving])).toEqual([
      [tenPercentShirts.id, 300],
      [fiveOffOrder.id, 500],
    ]);
    expect(q.best.totals.total).toBe(5_435 - 800);
  });

  it('attributes savings by rule: swapping the coupons\u2019 ids moves no money between them', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 9_000 }), { minLength: 2, maxLength: 4 }), fc.integer({ min: 1_000, max: 900_000 }), (percents, price) => {
        const k = cart(line('a', price), line('b', Math.floor(price / 3) + 1));
        const make = (ids: string[]) =>
          percents.map((bps, i) =>
            coupon({ type: 'percent_off', percentOffBps: bps, maxDiscount: 1_000 + 997 * i }, { id: ids[i]!, validUntil: `2026-12-${String(10 + i).padStart(2, '0')}T00:00:00Z`, stacking: { type: 'group', group: `g${i}` } }),
          );
        const ids = percents.map((_, i) => `id-${i}`);
        const forward = quote(k, make(ids), options);
        const reversed = quote(k, make([...ids].reverse()), options);
        const savingByIndex = (q: typeof forward, names: string[]) => Object.fromEntries(q.best.applied.map((a) => [names.indexOf(a.couponId), a.saving]));
        expect(savingByIndex(reversed, [...ids].reverse())).toEqual(savingByIndex(forward, ids));
      }),
      { numRuns: 300 },
    );
  });
});

describe('the best combination is exact', () => {
  const lineArb = fc.record({
    productId: fc.constantFrom('p1', 'p2', 'p3', 'p4', 'p5'),
    categoryId: fc.constantFrom('c1', 'c2', 'c3'),
    merchantId: fc.constantFrom('m1', 'm2'),
    unitPrice: fc.integer({ min: 1, max: 200_000 }),
    quantity: fc.integer({ min: 1, max: 3 }),
  });
  const effectArb: fc.Arbitrary<Effect> = fc.oneof(
    fc.record({ type: fc.constant('amount_off' as const), amountOff: fc.integer({ min: 1, max: 100_000 }), minSpend: fc.option(fc.integer({ min: 0, max: 300_000 }), { nil: undefined }) }),
    fc.record({
      type: fc.constant('percent_off' as const),
      percentOffBps: fc.oneof(fc.integer({ min: 1, max: 10_000 }), fc.constantFrom(1_000, 2_000, 5_000)),
      maxDiscount: fc.option(fc.integer({ min: 1, max: 100_000 }), { nil: undefined }),
    }),
    fc.record({ type: fc.constant('payout_amount' as const), bonus: fc.integer({ min: 1, max: 50_000 }) }),
    fc.record({ type: fc.constant('payout_percent' as const), bonusBps: fc.integer({ min: 1, max: 5_000 }), maxBonus: fc.option(fc.integer({ min: 1, max: 50_000 }), { nil: undefined }) }),
  );
  const couponArb = fc.record({
    effect: effectArb,
    include: fc.option(fc.oneof(fc.record({ categoryIds: fc.subarray(['c1', 'c2', 'c3'], { minLength: 1 }) }), fc.record({ productIds: fc.subarray(['p1', 'p2', 'p3'], { minLength: 1 }) })), { nil: undefined }),
    exclude: fc.option(fc.record({ productIds: fc.subarray(['p4', 'p5'], { minLength: 1 }) }), { nil: undefined }),
    stacking: fc.oneof(
      { weight: 1, arbitrary: fc.constant({ type: 'exclusive' as const }) },
      { weight: 6, arbitrary: fc.constantFrom('g1', 'g2', 'g3', 'g4', 'g5', 'g6', 'g7', 'g8').map((group) => ({ type: 'group' as const, group })) },
    ),
    copies: fc.integer({ min: 1, max: 3 }),
  });

  /** Every combination the stacking rules allow, priced one by one: the largest saving, and the fewest coupons that reach it. */
  function exhaustiveBest(k: Cart, coupons: PricingCoupon[], max: number): { saving: number; count: number } {
    const applicable = coupons.filter((c) => priceSelection(k, [c], { ...options, maxCouponsPerOrder: max }).ok);
    let best = { saving: 0, count: 0 };
    for (let mask = 1; mask < 1 << applicable.length; mask++) {
      const subset = applicable.filter((_, i) => mask & (1 << i));
      if (subset.length > max || stackingProblem(subset, max)) continue;
      const priced = priceSelection(k, subset, { ...options, maxCouponsPerOrder: max });
      if (!priced.ok) continue;
      const saving = priced.combination.saving;
      if (saving > best.saving || (saving === best.saving && subset.length < best.count)) best = { saving, count: subset.length };
    }
    return best;
  }

  it('saves exactly what an exhaustive search finds, with as few coupons, on random wallets of up to 12 coupons (purchases and payouts)', () => {
    fc.assert(
      fc.property(fc.array(lineArb, { minLength: 1, maxLength: 6 }), fc.array(couponArb, { minLength: 1, maxLength: 6 }), fc.integer({ min: 1, max: 10 }), fc.constantFrom('purchase', 'payout'), (lines, specs, max, kind) => {
        const k: Cart = { ...cart(...lines), kind: kind as Cart['kind'] };
        // Copies of a coupon (same rule, other ids) exercise the search's handling of coupons that act alike.
        const coupons = specs
          .flatMap((s, i) => Array.from({ length: s.copies }, (_, copy) => ({ ...coupon(s.effect, { stacking: copy === 0 ? s.stacking : { type: 'group', group: `copy-${i}-${copy}` }, scope: { include: s.include, exclude: s.exclude } }), id: `c${i}-${copy}` })))
          .slice(0, 12);
        const q = quote(k, coupons, { ...options, maxCouponsPerOrder: max });
        const expected = exhaustiveBest(k, coupons, max);
        expect(q.optimal).toBe(true);
        expect({ saving: q.best.saving, count: q.best.couponIds.length }).toEqual(expected);
      }),
      { numRuns: 1_000 },
    );
  });

  it('proves the optimum for the worst wallets the API allows (100 coupons, 30 lines)', () => {
    const lines = Array.from({ length: 30 }, (_, i) => line(`p${i}`, 1_000 + 37 * i, 1 + (i % 3), `c${i % 6}`, `m${i % 3}`));
    const k = cart(...lines);
    const own = (i: number) => ({ stacking: { type: 'group' as const, group: `g${i}` } });
    const wallets: Record<string, PricingCoupon[]> = {
      identical: Array.from({ length: 100 }, (_, i) => coupon({ type: 'percent_off', percentOffBps: 1_000 }, own(i))),
      uncappedPercentages: Array.from({ length: 100 }, (_, i) => coupon({ type: 'percent_off', percentOffBps: 500 + 37 * i }, own(i))),
      mixedScopes: Array.from({ length: 100 }, (_, i) =>
        coupon(i % 2 ? { type: 'percent_off', percentOffBps: 300 + 53 * i } : { type: 'amount_off', amountOff: 200 + 71 * i }, {
          ...own(i),
          scope: i % 3 === 0 ? {} : { include: i % 3 === 1 ? { categoryIds: [`c${i % 6}`, `c${(i + 1) % 6}`] } : { merchantIds: [`m${i % 3}`] } },
        }),
      ),
    };
    for (const [name, wallet] of Object.entries(wallets)) {
      const q = quote(k, wallet, { ...options, maxCouponsPerOrder: 5 });
      expect(q.optimal, name).toBe(true);
      expect(q.best.couponIds, name).toHaveLength(5);
    }
  });
});

describe('exact money', () => {
  it('refuses a cart that could pass 2^53 minor units with AMOUNT_TOO_LARGE instead of pricing it wrong', () => {
    const huge = cart(...Array.from({ length: 200 }, (_, i) => line(`p${i}`, 10_000_000_000, 10_000)));
    expect(() => quote(huge, [coupon({ type: 'percent_off', percentOffBps: 3_333 })], options)).toThrow(expect.objectContaining({ code: 'AMOUNT_TOO_LARGE' }));
    expect(() => priceSelection(huge, [coupon({ type: 'amount_off', amountOff: 1 })], options)).toThrow(expect.objectContaining({ code: 'AMOUNT_TOO_LARGE' }));
  });

  it('prices the largest accepted cart exactly (checked in BigInt)', () => {
    // 100 lines of 10^13: exactly the limit of 10^15.
    const k = cart(...Array.from({ length: 100 }, (_, i) => line(`p${i}`, 9_999_999_999 - i * 7, 1_000)));
    const percent = coupon({ type: 'percent_off', percentOffBps: 3_333 }, { stacking: { type: 'group', group: 'a' } });
    const amount = coupon({ type: 'amount_off', amountOff: 999_999_999_999 }, { stacking: { type: 'group', group: 'b' } });
    const q = quote(k, [percent, amount], options);
    const subtotal = k.lines.reduce((sum, l) => sum + BigInt(l.unitPrice) * BigInt(l.quantity), 0n);
    const afterAmount = subtotal - 999_999_999_999n;
    const expectedSaving = 999_999_999_999n + (afterAmount * 3_333n) / 10_000n;
    expect(BigInt(q.subtotal)).toBe(subtotal);
    expect(BigInt(q.best.saving)).toBe(expectedSaving);
    expect(BigInt(q.best.totals.total)).toBe(subtotal - expectedSaving);
    expect(q.best.lines.reduce((sum, l) => sum + BigInt(l.final), 0n)).toBe(subtotal - expectedSaving);
  });
});

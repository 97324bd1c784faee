import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BloomFilter, RepeatFinder } from '../../lib/campaigns/repeat-filter';

describe('the repeat filter of a campaign audience', () => {
  it('never rules out a user it was given (no false negatives), also after a round trip through bytes', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.string({ minLength: 1, maxLength: 40 }), { maxLength: 300 }), fc.integer({ min: 1, max: 5_000 }), (values, expected) => {
        const filter = BloomFilter.sized(expected, 0.01);
        for (const value of values) filter.add(value);
        const copy = BloomFilter.fromBytes(Uint8Array.from(filter.bits), filter.size, filter.probes);
        expect(values.filter((value) => !copy.has(value))).toEqual([]);
      }),
      { numRuns: 200, seed: 20261123 },
    );
  });

  it('keeps false positives near the rate it was sized for', () => {
    const filter = BloomFilter.sized(20_000, 0.01);
    for (let i = 0; i < 20_000; i++) filter.add(`user-${i}`);
    let falsePositives = 0;
    for (let i = 0; i < 200_000; i++) if (filter.has(`other-${i}`)) falsePositives++;
    expect(falsePositives / 200_000).toBeLessThan(0.015);
  });

  it('finds every user that appears more than once, each appearance, and few others', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 3_000 }), { minLength: 1, maxLength: 2_000 }), (picks) => {
        const audience = picks.map((n) => `u${n}`);
        const finder = new RepeatFinder(audience.length);
        for (const userId of audience) finder.add(userId);
        const appearances = new Map<string, number>();
        for (const userId of audience) appearances.set(userId, (appearances.get(userId) ?? 0) + 1);
        const repeated = [...appearances].filter(([, n]) => n > 1).map(([userId]) => userId);
        expect(repeated.filter((userId) => !finder.repeats.has(userId))).toEqual([]);
      }),
      { numRuns: 100, seed: 20261123 },
    );
    const finder = new RepeatFinder(100_000);
    for (let i = 0; i < 100_000; i++) finder.add(`once-${i}`);
    let flagged = 0;
    for (let i = 0; i < 100_000; i++) if (finder.repeats.has(`once-${i}`)) flagged++;
    // Users that appear once are flagged only through the seen filter's 0.1% and the repeat filter's 1%.
    expect(flagged / 100_000).toBeLessThan(0.02);
  });
});

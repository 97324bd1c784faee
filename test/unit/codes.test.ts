import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkCharacterOf, codeGenerator, DEFAULT_CHARSET, DEFAULT_PATTERN, hasValidCheck, normalizeCode, shapeProblem, spaceCapacity, spaceIdOf } from '../../lib/codes/code-format';
import { codeKeys } from '../../lib/codes/code-keys';
import { retryAfterSeconds, slidingCount } from '../../lib/codes/failure-window';

const keys = codeKeys('unit-test-code-secret-of-sufficient-length');

describe('code format', () => {
  it('makes distinct codes of the pattern, each with a valid check character: every code of a small space exactly once', () => {
    const shape = { pattern: 'AB-#####', charset: 'ABCDEFGHJK' };
    const generator = codeGenerator(shape, keys.spaceKey(spaceIdOf(shape)));
    const all = new Set<string>();
    for (let n = 0; n < 10 ** 4; n++) {
      const code = generator.codeAt(n);
      expect(code).toMatch(/^AB-[A-HJK]{4}[A-Z2-9]$/);
      expect(hasValidCheck(normalizeCode(code))).toBe(true);
      all.add(code);
    }
    // 10 characters, 4 random slots: the permutation visits all 10,000 strings, each once.
    expect(all.size).toBe(10 ** 4);
  });

  it('depends on the key: another secret makes other codes', () => {
    const shape = { pattern: DEFAULT_PATTERN, charset: DEFAULT_CHARSET };
    const other = codeKeys('another-secret-of-sufficient-length-here');
    const a = codeGenerator(shape, keys.spaceKey('s'));
    const b = codeGenerator(shape, other.spaceKey('s'));
    expect(Array.from({ length: 50 }, (_, n) => a.codeAt(n))).not.toEqual(Array.from({ length: 50 }, (_, n) => b.codeAt(n)));
  });

  it('catches every single mistyped character of the default charset and every swap of two different neighbours', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000 }), fc.integer({ min: 0, max: 10 }), fc.integer({ min: 1, max: DEFAULT_CHARSET.length - 1 }), (n, position, shift) => {
        const code = normalizeCode(codeGenerator({ pattern: DEFAULT_PATTERN, charset: DEFAULT_CHARSET }, keys.spaceKey('t')).codeAt(n));
        const chars = [...code];
        const typo = [...chars];
        typo[position] = DEFAULT_CHARSET[(DEFAULT_CHARSET.indexOf(chars[position]!) + shift) % DEFAULT_CHARSET.length]!;
        expect(hasValidCheck(typo.join(''))).toBe(false);
        const swapped = [...chars];
        [swapped[position], swapped[position + 1]] = [swapped[position + 1]!, swapped[position]!];
        if (swapped[position] !== chars[position]) expect(hasValidCheck(swapped.join(''))).toBe(false);
      }),
    );
  });

  it('reads codes as people type them: any case, dashes and spaces ignored', () => {
    const body = 'SUMMER25';
    const code = body + checkCharacterOf(body);
    expect(hasValidCheck(normalizeCode(` ${code.toLowerCase().slice(0, 4)}-${code.slice(4)} `))).toBe(true);
    expect(hasValidCheck('SUMMER25')).toBe(checkCharacterOf('SUMMER2') === '5');
  });

  it('sizes spaces at one valid code per million strings, and refuses shapes that cannot carry a check character', () => {
    expect(spaceCapacity({ pattern: DEFAULT_PATTERN, charset: DEFAULT_CHARSET })).toBe(Math.floor(31 ** 11 / 1e6));
    expect(spaceCapacity({ pattern: 'SPRING-####-####', charset: DEFAULT_CHARSET })).toBe(Math.floor(31 ** 7 / 1e6));
    expect(shapeProblem({ pattern: '####-####-X', charset: DEFAULT_CHARSET })?.field).toBe('pattern');
    expect(shapeProblem({ pattern: '####', charset: DEFAULT_CHARSET })?.field).toBe('pattern');
    expect(shapeProblem({ pattern: DEFAULT_PATTERN, charset: 'AABCDEFGHJK' })?.field).toBe('charset');
    expect(shapeProblem({ pattern: DEFAULT_PATTERN, charset: 'abcdefghjk' })?.field).toBe('charset');
    expect(shapeProblem({ pattern: DEFAULT_PATTERN, charset: DEFAULT_CHARSET })).toBeUndefined();
  });

  it('stores a code as a keyed hash: the same code always the same, never the code', () => {
    expect(keys.hashOf('ABCD')).toBe(keys.hashOf('ABCD'));
    expect(keys.hashOf('ABCD')).not.toBe(keys.hashOf('ABCE'));
    expect(keys.hashOf('ABCD')).not.toContain('ABCD');
    expect(() => codeKeys('short')).toThrow(/32 characters/);
  });
});

describe('failure window', () => {
  const window = { windowMs: 15 * 60_000, limit: 5 };
  const start = 1_800_000_000_000 - (1_800_000_000_000 % window.windowMs);

  it('weighs the previous window by how much of it still overlaps', () => {
    expect(slidingCount({ previous: 4, current: 1 }, start, window.windowMs)).toBe(5);
    expect(slidingCount({ previous: 4, current: 1 }, start + window.windowMs / 2, window.windowMs)).toBe(3);
  });

  it('answers 0 below the limit, and otherwise the seconds until the sliding count falls below it', () => {
    expect(retryAfterSeconds({ previous: 0, current: 4 }, start, window)).toBe(0);
    // Five failures now: only once the next window has taken them below five.
    const wait = retryAfterSeconds({ previous: 0, current: 5 }, start + 60_000, window);
    expect(wait).toBeGreaterThan(14 * 60);
    const later = start + 60_000 + wait * 1000;
    const nextWindowCounts = { previous: 5, current: 0 };
    expect(slidingCount(nextWindowCounts, later, window.windowMs)).toBeLessThan(5);
    // Two seconds earlier it was still this window, with its five.
    expect(slidingCount({ previous: 0, current: 5 }, later - 2_000, window.windowMs)).toBe(5);
    // Ten from the previous window, none now: half-way through, five still count; a little later, fewer.
    const fromPrevious = retryAfterSeconds({ previous: 10, current: 0 }, start + 60_000, window);
    expect(slidingCount({ previous: 10, current: 0 }, start + 60_000 + fromPrevious * 1000, window.windowMs)).toBeLessThan(5);
  });
});

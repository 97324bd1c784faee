import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { currencyDigits, formatMoney, toBasisPoints, toMinorUnits } from '../../console/src/money';

/** The console turns what people type into the API's integer minor units on the digits, never through floating point. */
describe('console money', () => {
  it('reads amounts with the currency\'s decimals, and refuses more decimals or anything else', () => {
    expect(toMinorUnits('20', 'EUR')).toBe(2000);
    expect(toMinorUnits('20.5', 'EUR')).toBe(2050);
    expect(toMinorUnits('0.07', 'EUR')).toBe(7);
    expect(toMinorUnits('1999', 'JPY')).toBe(1999);
    expect(toMinorUnits('1.5', 'JPY')).toBeUndefined();
    expect(toMinorUnits('1.234', 'EUR')).toBeUndefined();
    expect(toMinorUnits('1.234', 'KWD')).toBe(1234);
    for (const bad of ['', '-1', '1,5', '1e3', 'abc', '.5']) expect(toMinorUnits(bad, 'EUR'), bad).toBeUndefined();
  });

  it('formats and reads back every amount exactly, huge ones included', () => {
    fc.assert(
      fc.property(fc.constantFrom('EUR', 'JPY', 'KWD', 'USD'), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), (currency, minor) => {
        const text = formatMoney(minor, currency).split(' ')[0]!;
        expect(toMinorUnits(text, currency)).toBe(minor);
        expect(text.replace('.', '')).toBe(String(minor).padStart(currencyDigits(currency) + 1, '0'));
      }),
    );
  });

  it('reads percentages as basis points', () => {
    expect(toBasisPoints('12.5')).toBe(1250);
    expect(toBasisPoints('150')).toBe(15000);
    expect(toBasisPoints('0.01')).toBe(1);
    expect(toBasisPoints('1.234')).toBeUndefined();
  });
});

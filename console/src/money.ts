/**
 * Money in the console: the API takes integer minor units; people type major units. Conversion is done
 * on the digits (never through floating point), with the currency's own number of decimals.
 */
export function currencyDigits(currency: string): number {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}

/** "20.5" in EUR is 2050; undefined when the text is not an amount with at most the currency's decimals. */
export function toMinorUnits(text: string, currency: string): number | undefined {
  const digits = currencyDigits(currency);
  const match = /^(\d{1,16})(?:\.(\d*))?$/.exec(text.trim());
  if (!match) return undefined;
  const fraction = match[2] ?? '';
  if (fraction.length > digits) return undefined;
  const value = Number(match[1]) * 10 ** digits + Number(fraction.padEnd(digits, '0') || '0');
  return Number.isSafeInteger(value) ? value : undefined;
}

export function formatMoney(minorUnits: number, currency: string): string {
  const digits = currencyDigits(currency);
  const negative = minorUnits < 0;
  const text = String(Math.abs(minorUnits)).padStart(digits + 1, '0');
  const major = digits === 0 ? text : `${text.slice(0, -digits)}.${text.slice(-digits)}`;
  return `${negative ? '-' : ''}${major} ${currency}`;
}

/** Percent text ("12.5") as basis points (1250). */
export function toBasisPoints(text: string): number | undefined {
  const match = /^(\d{1,5})(?:\.(\d{0,2}))?$/.exec(text.trim());
  if (!match) return undefined;
  return Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0') || '0');
}

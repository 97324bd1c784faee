import * as z from 'zod';

/**
 * Money is an integer number of minor units (cents, fen, pence) with an ISO 4217 currency on the
 * template. No floating-point amount exists anywhere; percentages are integer basis points
 * (1 bp = 0.01 %), so every computation is integer arithmetic with an explicit rounding rule.
 */
export const MAX_MINOR_UNITS = 1_000_000_000_000; // 10^12 minor units: far above any basket, far below 2^53

export const minorUnits = () => z.int().min(0).max(MAX_MINOR_UNITS);
export const positiveMinorUnits = () => z.int().min(1).max(MAX_MINOR_UNITS);
export const basisPoints = () => z.int().min(1).max(10_000);
export const currencyCode = () => z.string().regex(/^[A-Z]{3}$/, 'expected an ISO 4217 code such as "EUR"');

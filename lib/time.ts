import * as z from 'zod';

/** Timestamps are ISO-8601 UTC strings at the edge and in storage (they sort as strings); epoch ms where we compute. */
export const isoTimestamp = () =>
  z.iso.datetime({ offset: true }).transform((value) => new Date(value).toISOString());

export const DAY_MS = 86_400_000;

export const toIso = (epochMs: number): string => new Date(epochMs).toISOString();
export const toEpochMs = (iso: string): number => Date.parse(iso);

export type Clock = () => number;
export const systemClock: Clock = () => Date.now();

/** ISO 8601 durations of fixed length (weeks, days, hours, minutes: no years or months, whose length varies), e.g. P3D, PT12H, P1DT6H. */
const FIXED_DURATION = /^P(?:(\d{1,4})W)?(?:(\d{1,4})D)?(?:T(?:(\d{1,5})H)?(?:(\d{1,6})M)?)?$/;

/** Milliseconds of a fixed-length ISO 8601 duration, or undefined when it is not one (or is empty). */
export function durationMs(duration: string): number | undefined {
  const match = FIXED_DURATION.exec(duration);
  if (!match || duration === 'P' || duration.endsWith('T')) return undefined;
  const [weeks, days, hours, minutes] = match.slice(1).map((part) => Number(part ?? 0)) as [number, number, number, number];
  return (((weeks * 7 + days) * 24 + hours) * 60 + minutes) * 60_000;
}

/** The UTC day (YYYY-MM-DD) an instant falls on, and the instant that day starts. */
export const utcDay = (epochMs: number): string => toIso(epochMs).slice(0, 10);
export const startOfUtcDay = (epochMs: number): number => epochMs - (epochMs % DAY_MS);

/** The one spelling of a fixed-length duration (P1D and PT24H are the same offset): whole days as PnD, else PTnHnM. */
export function canonicalDuration(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes % (24 * 60) === 0) return `P${minutes / (24 * 60)}D`;
  const hours = Math.floor(minutes / 60);
  return `PT${hours > 0 ? `${hours}H` : ''}${minutes % 60 > 0 ? `${minutes % 60}M` : ''}`;
}

import * as z from 'zod';

/** Timestamps are ISO-8601 UTC strings at the edge and in storage (they sort as strings); epoch ms where we compute. */
export const isoTimestamp = () =>
  z.iso.datetime({ offset: true }).transform((value) => new Date(value).toISOString());

export const DAY_MS = 86_400_000;

export const toIso = (epochMs: number): string => new Date(epochMs).toISOString();
export const toEpochMs = (iso: string): number => Date.parse(iso);

export type Clock = () => number;
export const systemClock: Clock = () => Date.now();

import * as z from 'zod';
import type { Coupon } from '../coupons/coupon';
import { type CouponTransition, couponTransition } from '../coupons/coupon-transitions';
import type { ItemChange } from '../entities';

/**
 * Per-template counters, kept from the table's stream. Gauges say how many coupons are in each stored
 * status now; totals count transitions since the template began. Every counter is a sum over shard
 * items, so no single item is hot.
 */
export const COUNTERS = ['issued', 'available', 'locked', 'used', 'expired', 'lockedTotal', 'usedTotal', 'releasedTotal', 'returnedTotal', 'expiredTotal'] as const;
export type Counter = (typeof COUNTERS)[number];
export type Counters = Record<Counter, number>;

/** What GET /v1/admin/templates/{id}/stats answers. */
export const TemplateStatisticsView = z.object({
  templateId: z.string(),
  stock: z.object({ total: z.int(), remaining: z.int() }),
  counters: z.object(Object.fromEntries(COUNTERS.map((c) => [c, z.int()])) as Record<Counter, z.ZodInt>),
});
export type TemplateStatistics = z.infer<typeof TemplateStatisticsView>;

export const zeroCounters = (): Counters => Object.fromEntries(COUNTERS.map((c) => [c, 0])) as Counters;

/** Expiry is counted for every move into `expired` (below), whatever it came from. */
const totalOf: Partial<Record<CouponTransition, Counter>> = { locked: 'lockedTotal', used: 'usedTotal', released: 'releasedTotal', returned: 'returnedTotal' };

/** The counter changes a batch of coupon changes implies, per template. Pure. */
export function statisticsDeltas(changes: readonly ItemChange<Pick<Coupon, 'templateId' | 'status'>>[]): Map<string, Partial<Counters>> {
  const deltas = new Map<string, Partial<Counters>>();
  const add = (templateId: string, counter: Counter, by: number) => {
    const entry = deltas.get(templateId) ?? {};
    entry[counter] = (entry[counter] ?? 0) + by;
    deltas.set(templateId, entry);
  };
  for (const { kind, after, before } of changes) {
    const coupon = after ?? before;
    if (!coupon?.templateId) continue;
    if (kind === 'insert' && after?.status) {
      add(coupon.templateId, 'issued', 1);
      add(coupon.templateId, after.status, 1);
    } else if (kind === 'modify' && before?.status && after?.status && before.status !== after.status) {
      add(coupon.templateId, before.status, -1);
      add(coupon.templateId, after.status, 1);
      const transition = couponTransition(before.status, after.status);
      const total = transition && totalOf[transition];
      if (total) add(coupon.templateId, total, 1);
      if (after.status === 'expired') add(coupon.templateId, 'expiredTotal', 1);
    } else if (kind === 'remove' && before?.status) {
      add(coupon.templateId, before.status, -1);
    }
  }
  for (const [templateId, entry] of deltas) {
    for (const counter of COUNTERS) if (entry[counter] === 0) delete entry[counter];
    if (Object.keys(entry).length === 0) deltas.delete(templateId);
  }
  return deltas;
}

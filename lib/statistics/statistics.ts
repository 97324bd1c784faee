import * as z from 'zod';
import type { Coupon } from '../coupons/coupon';
import { type CouponTransition, couponTransition } from '../coupons/coupon-transitions';
import { Entity, type ItemChange } from '../entities';
import type { Reminder } from '../lifecycle/lifecycle-ports';

/**
 * Per-template counters, kept from the table's stream. Gauges say how many coupons are in each stored
 * status now; totals count transitions since the template began. Every counter is a sum over shard
 * items, so no single item is hot.
 */
export const COUNTERS = ['issued', 'available', 'locked', 'used', 'expired', 'lockedTotal', 'usedTotal', 'releasedTotal', 'returnedTotal', 'expiredTotal', 'remindersSent'] as const;
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

/**
 * The counter changes a batch of coupon and reminder changes implies, per template. Pure. Gauges count
 * coupons by status over their whole life: archival (the only delete of a coupon) changes none of them.
 * `remindersSent` counts reminders that listed at least one of the template's coupons.
 */
export function statisticsDeltas(changes: readonly ItemChange<unknown>[]): Map<string, Partial<Counters>> {
  const deltas = new Map<string, Partial<Counters>>();
  const add = (templateId: string, counter: Counter, by: number) => {
    const entry = deltas.get(templateId) ?? {};
    entry[counter] = (entry[counter] ?? 0) + by;
    deltas.set(templateId, entry);
  };
  for (const change of changes) {
    if (change.entity === Entity.reminder) {
      const reminder = change.after as Pick<Reminder, 'coupons'> | undefined;
      if (change.kind === 'insert' && reminder) for (const templateId of new Set(reminder.coupons.map((c) => c.templateId))) add(templateId, 'remindersSent', 1);
      continue;
    }
    if (change.entity !== Entity.coupon) continue;
    const { kind, after, before } = change as ItemChange<Pick<Coupon, 'templateId' | 'status'>>;
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
    }
  }
  for (const [templateId, entry] of deltas) {
    for (const counter of COUNTERS) if (entry[counter] === 0) delete entry[counter];
    if (Object.keys(entry).length === 0) deltas.delete(templateId);
  }
  return deltas;
}

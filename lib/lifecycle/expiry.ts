import { toIso } from '../time';
import { forEachShard, type JobContext, type JobRun, outOfTime } from './job-run';
import type { ExpiryWriter, LifecycleIndex } from './lifecycle-ports';

export interface ExpiryDeps extends JobContext {
  readonly index: LifecycleIndex;
  readonly expiry: ExpiryWriter;
}

export interface ExpiryResult {
  /** Coupons moved available -> expired by this run. */
  readonly expired: number;
  /** Due coupons another writer changed first (locked, used, or expired by an overlapping run). */
  readonly skipped: number;
  /** False when the run's time ran out before every due coupon was seen (the next run goes on). */
  readonly finished: boolean;
}

/**
 * Moves every available coupon whose validity ended by `run.nowMs` to `expired`, reading only the
 * lifecycle index's due end (never the table). Each move is a conditional write, so a coupon locked or
 * used meanwhile is left alone, and overlapping runs change each coupon once. The stream turns each
 * move into CouponExpired and the statistics' expired count. Everything due since the last run that
 * finished is still in the index, so a run after downtime catches up by itself.
 */
export async function expireDueCoupons(deps: ExpiryDeps, run: JobRun): Promise<ExpiryResult> {
  const nowIso = toIso(run.nowMs);
  let expired = 0;
  let skipped = 0;
  let finished = true;
  await forEachShard(async (shard) => {
    for await (const page of deps.index.expiring(shard, { to: nowIso }, deps.pageSize)) {
      const outcomes = await Promise.all(page.map((entry) => deps.writes(() => deps.expiry.expire(entry, nowIso))));
      for (const outcome of outcomes) outcome === 'expired' ? expired++ : skipped++;
      if (outOfTime(deps, run)) {
        finished = false;
        return;
      }
    }
  });
  return { expired, skipped, finished };
}

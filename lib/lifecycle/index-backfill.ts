import { type JobContext, type JobRun, outOfTime } from './job-run';
import type { UnindexedCoupons } from './lifecycle-ports';

export interface IndexBackfillDeps extends JobContext {
  readonly coupons: UnindexedCoupons;
}

export interface IndexBackfillResult {
  /** Coupons that got their lifecycle index key. */
  readonly indexed: number;
  readonly finished: boolean;
}

/**
 * Once, after upgrading a table whose coupons predate the lifecycle index: gives every coupon without an
 * index key the one its status says (a Scan of the table, one conditional write each). Safe to run again
 * or while the platform runs: a coupon that a writer moved meanwhile already carries its key.
 */
export async function indexUnindexedCoupons(deps: IndexBackfillDeps, run: JobRun): Promise<IndexBackfillResult> {
  let indexed = 0;
  for await (const page of deps.coupons.unindexed(deps.pageSize)) {
    const outcomes = await Promise.all(page.map((coupon) => deps.writes(() => deps.coupons.addIndexKey(coupon))));
    indexed += outcomes.filter((outcome) => outcome === 'indexed').length;
    if (outOfTime(deps, run)) return { indexed, finished: false };
  }
  return { indexed, finished: true };
}

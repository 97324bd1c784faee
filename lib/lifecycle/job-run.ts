import type { CallGate } from '../dynamodb/batch';
import { LIFECYCLE_SHARDS } from '../keys';
import type { Clock } from '../time';

/**
 * One run of a lifecycle job: the instant it acts as of (`nowMs`: due dates are compared with it, so a
 * run with a fixed clock is repeatable), and when it stops starting new work (`deadlineMs`, by the
 * wall clock; the next run goes on where it stopped).
 */
export interface JobRun {
  readonly nowMs: number;
  readonly deadlineMs: number;
}

export interface JobContext {
  readonly clock: Clock;
  /** Bounds the job's DynamoDB writes in flight across shards. */
  readonly writes: CallGate;
  /** Index entries per Query page. */
  readonly pageSize: number;
}

export const jobRun = (clock: Clock, budgetMs: number, nowMs: number = clock()): JobRun => ({ nowMs, deadlineMs: clock() + budgetMs });

export const outOfTime = (context: Pick<JobContext, 'clock'>, run: JobRun): boolean => context.clock() >= run.deadlineMs;

/**
 * Every lifecycle shard at once (each reads its own index partition); the write gate bounds the load.
 * The run ends when every shard has stopped, and fails with the first failure if any did.
 */
export async function forEachShard(work: (shard: number) => Promise<void>): Promise<void> {
  const outcomes = await Promise.allSettled(Array.from({ length: LIFECYCLE_SHARDS }, (_, shard) => work(shard)));
  const failed = outcomes.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
  if (failed) throw failed.reason;
}

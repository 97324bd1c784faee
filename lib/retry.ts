/**
 * Exponential backoff with full jitter (AWS's recommended shape): the wait before attempt n is a random
 * time in [0, min(cap, base x 2^n)). Every retry loop of the code base waits through this.
 */
export interface Backoff {
  readonly baseDelayMs: number;
  /** Longest wait between two attempts. */
  readonly maxDelayMs?: number;
  readonly random?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export function backoffDelay(attempt: number, backoff: Backoff): number {
  const ceiling = Math.min(backoff.maxDelayMs ?? 20_000, backoff.baseDelayMs * 2 ** Math.min(attempt, 16));
  return (backoff.random ?? Math.random)() * ceiling;
}

/** Waits before attempt `attempt` (nothing before the first). */
export async function waitBeforeAttempt(attempt: number, backoff: Backoff): Promise<void> {
  if (attempt > 0) await (backoff.sleep ?? sleep)(backoffDelay(attempt, backoff));
}

/**
 * Runs `step` until it reports nothing left to do, at most `attempts` times, waiting with backoff
 * between tries. `step` gets what is still pending and returns what is still pending after its try.
 */
export async function untilDone<T>(pending: readonly T[], attempts: number, backoff: Backoff, step: (pending: readonly T[]) => Promise<readonly T[]>): Promise<readonly T[]> {
  let left = pending;
  for (let attempt = 0; attempt < attempts && left.length > 0; attempt++) {
    await waitBeforeAttempt(attempt, backoff);
    left = await step(left);
  }
  return left;
}

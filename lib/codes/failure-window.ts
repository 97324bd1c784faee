/**
 * Failed redemptions in a sliding window, counted the cheap way: one counter per fixed window of
 * `windowMs`, and the sliding count estimated as the current window's count plus the previous one's,
 * weighted by how much of it still overlaps the sliding window (the "sliding window counter" of rate
 * limiters). One write per failed attempt per counted subject (the current window's counter), one read of
 * two counters per attempt, and nothing to clean up (counters expire by TTL). Pure.
 */
export interface FailureWindow {
  readonly windowMs: number;
  readonly limit: number;
}

export interface WindowCounts {
  readonly previous: number;
  readonly current: number;
}

/** The fixed window an instant falls in (its start, epoch ms) and the one before. */
export const windowStartOf = (nowMs: number, windowMs: number): number => nowMs - (nowMs % windowMs);

/** The sliding count at `nowMs`: all of the current window, the overlapping share of the previous one. */
export function slidingCount(counts: WindowCounts, nowMs: number, windowMs: number): number {
  const elapsed = nowMs - windowStartOf(nowMs, windowMs);
  return counts.current + counts.previous * (1 - elapsed / windowMs);
}

/**
 * Seconds until the sliding count falls below the limit if no attempt fails meanwhile, or 0 when it
 * already is (the attempt may go ahead).
 */
export function retryAfterSeconds(counts: WindowCounts, nowMs: number, window: FailureWindow): number {
  const { windowMs, limit } = window;
  if (slidingCount(counts, nowMs, windowMs) < limit) return 0;
  const elapsed = nowMs - windowStartOf(nowMs, windowMs);
  let waitMs: number;
  if (counts.current >= limit) {
    // Only in the next window, once enough of this one has slid out: current x (1 - t/W) < limit.
    waitMs = windowMs - elapsed + windowMs * (1 - limit / counts.current);
  } else {
    // Later in this window, once enough of the previous one has slid out: previous x (1 - t/W) < limit - current.
    waitMs = windowMs * (1 - (limit - counts.current) / counts.previous) - elapsed;
  }
  return Math.max(1, Math.ceil(waitMs / 1000) + 1);
}

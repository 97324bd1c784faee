import type { Clock } from '../time';

export class CircuitOpenError extends Error {}
export class TimeoutError extends Error {}

/**
 * A small circuit breaker with a timeout. After `failureThreshold` failures in a row it opens and fails
 * calls at once for `openMs`; then one trial call is let through (half-open), and its result closes or
 * reopens the circuit. Protects the claim path from a slow dependency holding every request up.
 */
export class CircuitBreaker {
  private consecutiveFailures = 0;
  private openedAt: number | undefined;
  private trialInFlight = false;

  constructor(
    private readonly options: { timeoutMs: number; failureThreshold: number; openMs: number },
    private readonly clock: Clock,
  ) {}

  get state(): 'closed' | 'open' | 'half-open' {
    if (this.openedAt === undefined) return 'closed';
    return this.clock() - this.openedAt >= this.options.openMs ? 'half-open' : 'open';
  }

  async call<T>(operation: () => Promise<T>): Promise<T> {
    const state = this.state;
    if (state === 'open' || (state === 'half-open' && this.trialInFlight)) throw new CircuitOpenError('circuit open');
    if (state === 'half-open') this.trialInFlight = true;
    try {
      const result = await withTimeout(operation(), this.options.timeoutMs);
      this.consecutiveFailures = 0;
      this.openedAt = undefined;
      return result;
    } catch (error) {
      this.consecutiveFailures++;
      if (state === 'half-open' || this.consecutiveFailures >= this.options.failureThreshold) this.openedAt = this.clock();
      throw error;
    } finally {
      if (state === 'half-open') this.trialInFlight = false;
    }
  }
}

async function withTimeout<T>(promise: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new TimeoutError(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

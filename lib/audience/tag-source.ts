import type { UserTags } from '../claims/eligibility';
import type { CircuitBreaker } from './circuit-breaker';

/** Where a user's audience tags come from. The default keeps them in the user's partition; a CRM or segment service can implement this instead. */
export interface TagSource {
  tagsOf(userId: string): Promise<readonly string[]>;
}

/**
 * Reads tags through a timeout and circuit breaker. Any failure becomes `unavailable`: targeted
 * templates are then refused with NOT_ELIGIBLE, and untargeted ones are unaffected.
 */
export class ResilientTagReader {
  constructor(
    private readonly source: TagSource,
    private readonly breaker: CircuitBreaker,
    private readonly onUnavailable: (error: unknown) => void = () => {},
  ) {}

  async tagsOf(userId: string): Promise<UserTags> {
    try {
      return await this.breaker.call(() => this.source.tagsOf(userId));
    } catch (error) {
      this.onUnavailable(error);
      return 'unavailable';
    }
  }
}

import type { DomainEvent } from './event-catalog';

/** Where published events go (EventBridge on AWS and locally). Returns the events it could not take. */
export interface EventSink {
  publish(events: readonly DomainEvent[]): Promise<readonly DomainEvent[]>;
}

import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { type DomainEvent, sourceOf } from './event-catalog';
import type { EventSink } from './event-sink';

const PUT_EVENTS_MAX_ENTRIES = 10;

/** EventBridge adapter: PutEvents in chunks of 10; entries with an ErrorCode come back as not taken. */
export class EventBridgeSink implements EventSink {
  constructor(
    /** Loaded on first use (lib/clients.ts): functions that never publish never load the package. */
    private readonly client: () => Promise<EventBridgeClient>,
    private readonly eventBusName: string,
  ) {}

  async publish(events: readonly DomainEvent[]): Promise<readonly DomainEvent[]> {
    const failed: DomainEvent[] = [];
    if (events.length === 0) return failed;
    const [client, { PutEventsCommand }] = await Promise.all([this.client(), import('@aws-sdk/client-eventbridge')]);
    for (let i = 0; i < events.length; i += PUT_EVENTS_MAX_ENTRIES) {
      const chunk = events.slice(i, i + PUT_EVENTS_MAX_ENTRIES);
      const result = await client.send(
        new PutEventsCommand({
          Entries: chunk.map((event) => ({
            EventBusName: this.eventBusName,
            Source: sourceOf(event.type),
            DetailType: event.type,
            Time: new Date(event.metadata.occurredAt),
            Detail: JSON.stringify({ metadata: event.metadata, data: event.data }),
          })),
        }),
      );
      // PutEvents is not atomic: entries with an ErrorCode were not accepted.
      result.Entries?.forEach((entry, index) => {
        if (entry.ErrorCode) failed.push(chunk[index]!);
      });
    }
    return failed;
  }
}

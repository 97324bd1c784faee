import { appendFile } from 'node:fs/promises';
import { PutEventsCommand, type EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { type DomainEvent, sourceOf } from './event-catalog';

/** Where published events go: EventBridge on AWS, a file locally. Returns the events it could not take. */
export interface EventSink {
  publish(events: readonly DomainEvent[]): Promise<readonly DomainEvent[]>;
}

const PUT_EVENTS_MAX_ENTRIES = 10;

export class EventBridgeSink implements EventSink {
  constructor(
    private readonly client: EventBridgeClient,
    private readonly eventBusName: string,
  ) {}

  async publish(events: readonly DomainEvent[]): Promise<readonly DomainEvent[]> {
    const failed: DomainEvent[] = [];
    for (let i = 0; i < events.length; i += PUT_EVENTS_MAX_ENTRIES) {
      const chunk = events.slice(i, i + PUT_EVENTS_MAX_ENTRIES);
      const result = await this.client.send(
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

/** Local stand-in for the event bus: one JSON line per event, in the order published. */
export class FileEventSink implements EventSink {
  constructor(private readonly path: string) {}

  async publish(events: readonly DomainEvent[]): Promise<readonly DomainEvent[]> {
    if (events.length > 0) {
      await appendFile(this.path, events.map((event) => `${JSON.stringify({ source: sourceOf(event.type), 'detail-type': event.type, detail: { metadata: event.metadata, data: event.data } })}\n`).join(''));
    }
    return [];
  }
}

import type { ItemChange } from '../entities';
import { type Backoff, untilDone } from '../retry';
import type { EventSink } from './event-sink';
import { eventsFromChange } from './stream-events';

export interface PublishResult {
  /** Sequence number of the first change whose events could not be published; the stream resumes there. */
  readonly firstFailedSequenceNumber?: string;
  readonly published: number;
}

/**
 * Turns a batch of changes (coupons, reminders) into events and publishes them (in chunks, not one call per change).
 * Events that fail are retried a few times; if some still fail, the first change they came from is
 * reported so Lambda (or the local poller) resumes the stream there. Delivery is at least once: events
 * of later changes may be sent again, with the same metadata.id.
 */
export async function publishChangeEvents(changes: readonly ItemChange<unknown>[], sink: EventSink, attempts = 3, backoff: Backoff = { baseDelayMs: 100 }): Promise<PublishResult> {
  const all = changes.flatMap((change, index) => eventsFromChange(change).map((event) => ({ event, index })));
  const pending = await untilDone(all, attempts, backoff, async (left) => {
    const failed = new Set(await sink.publish(left.map((p) => p.event)));
    return left.filter((p) => failed.has(p.event));
  });
  if (pending.length === 0) return { published: all.length };
  const firstFailed = Math.min(...pending.map((p) => p.index));
  return { firstFailedSequenceNumber: changes[firstFailed]?.sequenceNumber ?? '', published: all.length - pending.length };
}

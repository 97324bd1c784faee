import type { EventSink } from './event-sink';
import { eventsFromStreamRecord, type StreamRecord } from './stream-events';

export interface PublishResult {
  /** Sequence number of the first record whose events could not be published; the stream resumes there. */
  readonly firstFailedSequenceNumber?: string;
  readonly published: number;
}

/**
 * Turns a batch of stream records into events and publishes them (in chunks, not one call per record).
 * Events that fail are retried a few times; if some still fail, the first record they came from is
 * reported so Lambda (or the local poller) resumes the stream there. Delivery is at least once: events
 * of later records may be sent again, with the same metadata.id.
 */
export async function publishStreamEvents(records: readonly StreamRecord[], sink: EventSink, attempts = 3): Promise<PublishResult> {
  let pending = records.flatMap((record, index) => eventsFromStreamRecord(record).map((event) => ({ event, index })));
  const total = pending.length;
  for (let attempt = 0; attempt < attempts && pending.length > 0; attempt++) {
    if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
    const failed = new Set(await sink.publish(pending.map((p) => p.event)));
    pending = pending.filter((p) => failed.has(p.event));
  }
  if (pending.length === 0) return { published: total };
  const firstFailed = Math.min(...pending.map((p) => p.index));
  return { firstFailedSequenceNumber: records[firstFailed]?.dynamodb?.SequenceNumber ?? '', published: total - pending.length };
}

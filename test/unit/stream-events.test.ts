import { marshall } from '@aws-sdk/util-dynamodb';
import { describe, expect, it } from 'vitest';
import type { DomainEvent } from '../../lib/events/event-catalog';
import type { Coupon } from '../../lib/coupons/coupon';
import { changesOf, type StreamRecord } from '../../lib/dynamodb/stream';
import { Entity } from '../../lib/entities';
import type { EventSink } from '../../lib/events/event-sink';
import { publishChangeEvents } from '../../lib/events/publish-stream-events';
import { eventsFromChange, eventsFromCouponChange } from '../../lib/events/stream-events';
import { streamConsumers } from '../../lib/topology';

const coupon = {
  pk: 'USER#u1',
  sk: 'CPN#c1',
  entity: 'coupon',
  id: 'c1',
  userId: 'u1',
  templateId: 't1',
  status: 'available',
  source: 'claim',
  issuedAt: '2026-01-01T00:00:00.000Z',
  validFrom: '2026-01-01T00:00:00.000Z',
  validUntil: '2026-02-01T00:00:00.000Z',
};
const record = (eventName: string, after?: object, before?: object, seq = '1'): StreamRecord => ({
  eventID: `ev-${seq}`,
  eventName,
  dynamodb: {
    SequenceNumber: seq,
    ApproximateCreationDateTime: 1_767_225_600,
    ...(after ? { NewImage: marshall(after) as never } : {}),
    ...(before ? { OldImage: marshall(before) as never } : {}),
  },
});

/** A stream record read as the deployed functions read it: coupon changes only. */
const couponChanges = (records: StreamRecord[]) => changesOf<Coupon>(records, Entity.coupon);
const eventsFromStreamRecord = (r: StreamRecord) => couponChanges([r]).flatMap(eventsFromCouponChange);
const publishStreamEvents = (records: StreamRecord[], sink: EventSink, attempts?: number) => publishChangeEvents(couponChanges(records), sink, attempts, { baseDelayMs: 1 });

describe('events from coupon changes', () => {
  it('turns an inserted claimed coupon into CouponClaimed v1 with a stable id', () => {
    const [event] = eventsFromStreamRecord(record('INSERT', coupon));
    expect(event).toEqual({
      type: 'CouponClaimed',
      metadata: { id: 'ev-1:CouponClaimed', version: 1, occurredAt: '2026-01-01T00:00:00.000Z' },
      data: { couponId: 'c1', userId: 'u1', templateId: 't1', issuedAt: coupon.issuedAt, validFrom: coupon.validFrom, validUntil: coupon.validUntil },
    });
  });

  it.each([
    ['available', 'locked', 'CouponLocked'],
    ['locked', 'used', 'CouponUsed'],
    ['locked', 'available', 'CouponReleased'],
    ['used', 'available', 'CouponReturned'],
    ['available', 'expired', 'CouponExpired'],
  ])('turns %s -> %s into %s', (from, to, type) => {
    const events = eventsFromStreamRecord(record('MODIFY', { ...coupon, status: to, orderId: 'o1' }, { ...coupon, status: from, orderId: 'o1' }));
    expect(events.map((e) => e.type)).toEqual([type]);
  });

  it('publishes nothing for other items or for changes that keep the status', () => {
    expect(eventsFromStreamRecord(record('INSERT', { pk: 'TPL#1', sk: 'STOCK#000', available: 3 }))).toEqual([]);
    expect(eventsFromStreamRecord(record('MODIFY', { ...coupon, name: 'x' }, coupon))).toEqual([]);
    expect(eventsFromStreamRecord(record('REMOVE', undefined, coupon))).toEqual([]);
  });
});

describe('events from codes', () => {
  const publisherChanges = (records: StreamRecord[]) => changesOf(records, streamConsumers.publisher.entities).flatMap(eventsFromChange);
  const batch = { pk: 'CODEBATCH#b1', sk: 'BATCH', entity: 'code-batch', batchId: 'b1', templateId: 't1', kind: 'unique', count: 1000, generated: 1000 };

  it('a coupon issued for a code: CouponIssued and CodeRedeemed with the batch', () => {
    const events = publisherChanges([record('INSERT', { ...coupon, source: 'code', codeBatchId: 'b1' })]);
    expect(events.map((e) => [e.type, e.metadata.id])).toEqual([
      ['CouponIssued', 'ev-1:CouponIssued'],
      ['CodeRedeemed', 'ev-1:CodeRedeemed'],
    ]);
    expect(events[1]!.data).toEqual({ couponId: 'c1', userId: 'u1', templateId: 't1', batchId: 'b1' });
  });

  it('a batch becoming ready: CodeBatchGenerated once (a shared batch is written ready); later changes of a ready batch publish nothing', () => {
    const generated = publisherChanges([record('MODIFY', { ...batch, status: 'ready' }, { ...batch, status: 'generating' })]);
    expect(generated).toEqual([{ type: 'CodeBatchGenerated', metadata: { id: 'code-batch:b1:generated', version: 1, occurredAt: '2026-01-01T00:00:00.000Z' }, data: { batchId: 'b1', templateId: 't1', kind: 'unique', codes: 1000 } }]);
    expect(publisherChanges([record('INSERT', { ...batch, kind: 'shared', count: 1, status: 'ready' })]).map((e) => e.type)).toEqual(['CodeBatchGenerated']);
    expect(publisherChanges([record('MODIFY', { ...batch, status: 'ready', exported: 2 }, { ...batch, status: 'ready', exported: 1 })])).toEqual([]);
    expect(publisherChanges([record('MODIFY', { ...batch, status: 'generating', generated: 20 }, { ...batch, status: 'generating', generated: 10 })])).toEqual([]);
  });
});

describe('publishChangeEvents', () => {
  const records = [record('INSERT', { ...coupon, id: 'a' }, undefined, '1'), record('INSERT', { ...coupon, id: 'b' }, undefined, '2'), record('INSERT', { ...coupon, id: 'c' }, undefined, '3')];

  it('publishes every event and reports no failure', async () => {
    const received: DomainEvent[] = [];
    const result = await publishStreamEvents(records, { publish: async (events) => (received.push(...events), []) });
    expect(result).toEqual({ published: 3 });
    expect(received.map((e) => (e.data as { couponId: string }).couponId)).toEqual(['a', 'b', 'c']);
  });

  it('retries events the sink refused, and reports the first record still failing so the stream resumes there', async () => {
    let calls = 0;
    const flaky: EventSink = { publish: async (events) => (calls++, calls === 1 ? events.slice(1) : []) };
    expect(await publishStreamEvents(records, flaky)).toEqual({ published: 3 });

    const brokenForB: EventSink = { publish: async (events) => events.filter((e) => (e.data as { couponId: string }).couponId === 'b') };
    expect(await publishStreamEvents(records, brokenForB, 2)).toEqual({ firstFailedSequenceNumber: '2', published: 2 });
  });
});

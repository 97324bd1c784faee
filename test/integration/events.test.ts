import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimCoupons } from '../../lib/claims/claim-service';
import { streamConsumers } from '../../lib/topology';
import { buildEntry } from '../../tools/local/functions';
import { type LocalEventBridge, startLocalEventBridge } from '../../tools/local/local-eventbridge';
import { startStreamPoller, type StreamPoller } from '../../tools/local/stream-poller';
import { testContainer } from '../support/container';
import { activeTemplate, claimDepsFor } from '../support/claims';
import { createTestTable, type TestTable } from '../support/dynamodb';

let table: TestTable;
let poller: StreamPoller;
let bus: LocalEventBridge;
let eventsFile: string;

beforeAll(async () => {
  table = await createTestTable('events');
  eventsFile = path.join(mkdtempSync(path.join(tmpdir(), 'coupon-events-')), 'events.jsonl');
  // The publisher puts events on the local bus, which writes every event it takes to the file.
  bus = await startLocalEventBridge({ eventsFile });
  const handler = await buildEntry(streamConsumers.publisher.entry, testContainer(table, { endpoints: { eventBridge: bus.endpoint } }));
  poller = await startStreamPoller({ endpoint: table.endpoint, tableName: table.tableName, consumer: streamConsumers.publisher, handler: handler as never, intervalMs: 50, maxBatchingWindowSeconds: 0 });
});
afterAll(async () => {
  await poller?.stop();
  await bus?.close();
});

const published = () => (existsSync(eventsFile) ? readFileSync(eventsFile, 'utf8').trim().split('\n').filter(Boolean).map((line) => JSON.parse(line)) : []);

describe('events through DynamoDB Local\'s stream and the publisher function', () => {
  it('publishes CouponClaimed for each committed claim, and nothing for a refused one', async () => {
    const templateId = await activeTemplate(table, { stock: { total: 2, shards: 1 } });
    const deps = claimDepsFor(table);
    const claimed = await claimCoupons(deps, { userId: 'ev-1', templateIds: [templateId], idempotencyKey: 'k' });
    await claimCoupons(deps, { userId: 'ev-1', templateIds: [templateId], idempotencyKey: 'k' }); // replay: no new write
    await claimCoupons(deps, { userId: 'ev-2', templateIds: [templateId], idempotencyKey: 'k' });
    await expect(claimCoupons(deps, { userId: 'ev-3', templateIds: [templateId], idempotencyKey: 'k' })).rejects.toThrow(/SOLD_OUT/);
    await poller.drain();

    const events = published().filter((e) => e.detail.data.templateId === templateId);
    expect(events.map((e) => e['detail-type'])).toEqual(['CouponClaimed', 'CouponClaimed']);
    expect(events.map((e) => e.detail.data.userId).sort()).toEqual(['ev-1', 'ev-2']);
    expect(events[0].source).toBe('coupon-platform');
    expect(events.find((e) => e.detail.data.userId === 'ev-1').detail.data.couponId).toBe(claimed.coupons[0]!.id);
    expect(new Set(events.map((e) => e.detail.metadata.id)).size).toBe(2);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimCoupons } from '../../lib/claims/claim-service';
import { cancelOrder, confirmOrder, lockCouponsForOrder, refundOrder, releaseExpiredLocks } from '../../lib/orders/order-service';
import { StatisticsRepository } from '../../lib/statistics/statistics-repository';
import { streamConsumers } from '../../lib/topology';
import { buildEntry } from '../../tools/local/functions';
import { startStreamPoller, type StreamPoller } from '../../tools/local/stream-poller';
import { testContainer } from '../support/container';
import { activeTemplate, claimDepsFor } from '../support/claims';
import { createTestTable, scanAll, type TestTable } from '../support/dynamodb';
import { items, orderDepsFor } from '../support/orders';

let table: TestTable;
let poller: StreamPoller;
beforeAll(async () => {
  table = await createTestTable('statistics');
  const handler = await buildEntry(streamConsumers.statistics.entry, testContainer(table));
  poller = await startStreamPoller({ endpoint: table.endpoint, tableName: table.tableName, consumer: streamConsumers.statistics, handler: handler as never, intervalMs: 50, maxBatchingWindowSeconds: 0 });
});
afterAll(() => poller?.stop());

describe('template statistics kept from the stream', () => {
  it('equal a recount from the coupon items after claims, locks, confirms, cancels, releases and refunds', async () => {
    const templateId = await activeTemplate(table, { stock: { total: 50, shards: 3 }, perUserLimit: 3 });
    const claim = claimDepsFor(table);
    const coupons: Array<{ userId: string; id: string }> = [];
    for (let u = 0; u < 8; u++) {
      const result = await claimCoupons(claim, { userId: `s-${u}`, templateIds: [templateId, templateId], idempotencyKey: 'k' });
      coupons.push(...result.coupons.map((c) => ({ userId: `s-${u}`, id: c.id })));
    }
    const deps = orderDepsFor(table);
    const lock = (i: number, orderId: string, extra = {}) =>
      lockCouponsForOrder(deps, orderId, { userId: coupons[i]!.userId, couponIds: [coupons[i]!.id], kind: 'purchase', currency: 'EUR', items, ...extra });
    await lock(0, 'st-1');
    await confirmOrder(deps, 'st-1'); // used
    await lock(2, 'st-2');
    await cancelOrder(deps, 'st-2'); // released, available
    await lock(4, 'st-3');
    await confirmOrder(deps, 'st-3');
    await refundOrder(deps, 'st-3'); // returned, available
    await lock(6, 'st-4', { lockMinutes: 1 });
    await releaseExpiredLocks(orderDepsFor(table, { clock: () => Date.now() + 120_000 })); // released
    await lock(8, 'st-5'); // still locked
    await poller.drain();

    const stats = (await new StatisticsRepository(table.client, table.tableName).get(templateId))!;
    const items_ = (await scanAll(table)).filter((item) => item.entity === 'coupon' && item.templateId === templateId);
    const count = (status: string) => items_.filter((item) => item.status === status).length;
    expect(stats.counters).toMatchObject({
      issued: items_.length,
      available: count('available'),
      locked: count('locked'),
      used: count('used'),
      expired: count('expired'),
    });
    expect(stats.counters).toMatchObject({ issued: 16, used: 1, locked: 1, lockedTotal: 5, usedTotal: 2, releasedTotal: 2, returnedTotal: 1 });
    expect(stats.stock).toEqual({ total: 50, remaining: 34 });
    const counterShards = (await scanAll(table)).filter((item) => item.entity === 'statistics-shard' && item.templateId === templateId);
    expect(counterShards.length).toBeGreaterThan(1); // spread, not one hot item
  });
});

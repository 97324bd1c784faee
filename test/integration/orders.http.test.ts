import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activeTemplate } from '../support/claims';
import { testContainer } from '../support/container';
import { createTestTable, type TestTable } from '../support/dynamodb';
import { startLocalApi, tokens, type RunningApi } from '../support/local-api';
import { items } from '../support/orders';

let table: TestTable;
let api: RunningApi;
let user: string;
let orders: string;

beforeAll(async () => {
  table = await createTestTable('orders-http');
  api = await startLocalApi(testContainer(table));
  [user, orders] = await Promise.all([tokens.user('shopper'), tokens.orders()]);
});
afterAll(() => api?.close());

describe('quote and the order flow over the local HTTP API', () => {
  it('quotes my wallet against a cart, then locks, confirms and refunds through the order-service routes', async () => {
    const fiveOff = await activeTemplate(table, { name: '5 off 20', effect: { type: 'amount_off', amountOff: 500, minSpend: 2000 }, stacking: { type: 'group', group: 'platform' } });
    const tenPercentShoes = await activeTemplate(table, {
      name: '10% shoes',
      effect: { type: 'percent_off', percentOffBps: 1000, maxDiscount: 1000 },
      scope: { include: { categoryIds: ['shoes'] } },
      stacking: { type: 'group', group: 'category' },
    });
    const hats = await activeTemplate(table, { name: 'hats only', scope: { include: { categoryIds: ['hats'] } } });
    const claimed = await api.request('POST', '/v1/coupons/claim', { token: user, body: { templateIds: [fiveOff, tenPercentShoes, hats] }, headers: { 'idempotency-key': 'wallet' } });
    expect(claimed.status).toBe(201);
    const idOf = (templateId: string) => claimed.body.coupons.find((c: { templateId: string }) => c.templateId === templateId).id;

    const quote = await api.request('POST', '/v1/coupons/quote', { token: user, body: { currency: 'EUR', lines: items } });
    expect(quote.status).toBe(200);
    expect(quote.body.best.couponIds.sort()).toEqual([idOf(fiveOff), idOf(tenPercentShoes)].sort());
    // 500 off 8,000, then 10% of what is left of the 6,000 sneaker line (6,000 - 375 = 5,625): 562
    expect(quote.body.best.totals).toEqual({ subtotal: 8000, adjustment: 1062, total: 6938 });
    expect(quote.body.verdicts.find((v: { couponId: string }) => v.couponId === idOf(hats)).reasons).toEqual([{ code: 'OUT_OF_SCOPE' }]);

    const lockBody = { userId: 'shopper', couponIds: quote.body.best.couponIds, currency: 'EUR', items };
    expect((await api.request('POST', '/v1/orders/web-1001/lock', { token: user, body: lockBody })).status).toBe(403);
    const locked = await api.request('POST', '/v1/orders/web-1001/lock', { token: orders, body: lockBody });
    expect(locked.status).toBe(200);
    expect(locked.body).toMatchObject({ state: 'locked', pricing: { totals: { total: 6938 } } });
    expect((await api.request('GET', '/v1/coupons?status=locked', { token: user })).body.items).toHaveLength(2);

    const confirmed = await api.request('POST', '/v1/orders/web-1001/confirm', { token: orders });
    expect(confirmed.body.state).toBe('confirmed');
    const cancelAfterConfirm = await api.request('POST', '/v1/orders/web-1001/cancel', { token: orders });
    expect(cancelAfterConfirm.status).toBe(409);
    expect(cancelAfterConfirm.body.error).toMatchObject({ code: 'INVALID_ORDER_STATE', details: { state: 'confirmed' } });

    const refunded = await api.request('POST', '/v1/orders/web-1001/refund', { token: orders });
    expect(refunded.status).toBe(200);
    expect(refunded.body.state).toBe('refunded');
    expect((await api.request('GET', '/v1/coupons?status=available', { token: user })).body.items).toHaveLength(3);
    expect((await api.request('GET', '/v1/orders/web-1001', { token: orders })).body.refunds).toHaveLength(2);
    expect((await api.request('GET', '/v1/orders/nope', { token: orders })).status).toBe(404);
  });
});

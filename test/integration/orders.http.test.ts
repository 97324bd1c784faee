import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { couponApiClient, errorCode } from '../../clients/typescript';
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
    // The generated client: paths, bodies and answers are checked by the compiler.
    const asUser = couponApiClient(api.baseUrl, user);
    const asOrders = couponApiClient(api.baseUrl, orders);
    const claimed = await asUser.POST('/v1/coupons/claim', { params: { header: { 'Idempotency-Key': 'wallet' } }, body: { templateIds: [fiveOff, tenPercentShoes, hats] } });
    expect(claimed.response.status).toBe(201);
    const idOf = (templateId: string) => claimed.data!.coupons.find((c) => c.templateId === templateId)!.id;

    const quote = await asUser.POST('/v1/coupons/quote', { body: { currency: 'EUR', lines: items } });
    expect(quote.response.status).toBe(200);
    const best = quote.data!.best!;
    expect([...best.couponIds].sort()).toEqual([idOf(fiveOff), idOf(tenPercentShoes)].sort());
    // Line-scoped first: 10% of the 6,000 sneaker line (600), then 500 off what is left of the order.
    expect(best.totals).toEqual({ subtotal: 8000, adjustment: 1100, total: 6900 });
    expect(best.applied.map((a) => [a.couponId, a.saving])).toEqual([
      [idOf(tenPercentShoes), 600],
      [idOf(fiveOff), 500],
    ]);
    expect(quote.data!.verdicts.find((v) => v.couponId === idOf(hats))!.reasons).toEqual([{ code: 'OUT_OF_SCOPE' }]);

    const lock = { params: { path: { orderId: 'web-1001' } }, body: { userId: 'shopper', couponIds: best.couponIds, currency: 'EUR', items } };
    expect((await asUser.POST('/v1/orders/{orderId}/lock', lock)).response.status).toBe(403);
    const locked = await asOrders.POST('/v1/orders/{orderId}/lock', lock);
    expect(locked.response.status).toBe(200);
    expect(locked.data).toMatchObject({ state: 'locked', pricing: { totals: { total: 6900 } } });
    expect((await asUser.GET('/v1/coupons', { params: { query: { status: 'locked' } } })).data!.items).toHaveLength(2);

    const order = { params: { path: { orderId: 'web-1001' } } };
    const confirmed = await asOrders.POST('/v1/orders/{orderId}/confirm', order);
    expect(confirmed.data!.state).toBe('confirmed');
    const cancelAfterConfirm = await asOrders.POST('/v1/orders/{orderId}/cancel', order);
    expect(cancelAfterConfirm.response.status).toBe(409);
    expect(cancelAfterConfirm.error).toMatchObject({ error: { code: 'INVALID_ORDER_STATE', details: { state: 'confirmed' } } });

    const refunded = await asOrders.POST('/v1/orders/{orderId}/refund', order);
    expect(refunded.response.status).toBe(200);
    expect(refunded.data!.state).toBe('refunded');
    expect((await asUser.GET('/v1/coupons', { params: { query: { status: 'available' } } })).data!.items).toHaveLength(3);
    expect((await asOrders.GET('/v1/orders/{orderId}', order)).data!.refunds).toHaveLength(2);
    expect(errorCode((await asOrders.GET('/v1/orders/{orderId}', { params: { path: { orderId: 'nope' } } })).error)).toBe('ORDER_NOT_FOUND');
  });

  it('refuses a cart whose sums could pass 2^53 minor units with 400 AMOUNT_TOO_LARGE, on the quote and on the lock, and writes nothing', async () => {
    const template = await activeTemplate(table, { name: '1% off', effect: { type: 'percent_off', percentOffBps: 100 } });
    const asUser = couponApiClient(api.baseUrl, user);
    const asOrders = couponApiClient(api.baseUrl, orders);
    const claimed = await asUser.POST('/v1/coupons/claim', { params: { header: { 'Idempotency-Key': 'huge' } }, body: { templateIds: [template] } });
    // 200 lines of 10^10 x 10^4 minor units: each line is allowed, the cart (2 x 10^16) is not.
    const huge = Array.from({ length: 200 }, (_, i) => ({ productId: `p${i}`, categoryId: 'c', merchantId: 'm', unitPrice: 10_000_000_000, quantity: 10_000 }));
    const quote = await asUser.POST('/v1/coupons/quote', { body: { currency: 'EUR', lines: huge } });
    expect(quote.response.status).toBe(400);
    expect(errorCode(quote.error)).toBe('AMOUNT_TOO_LARGE');
    const lock = await asOrders.POST('/v1/orders/{orderId}/lock', { params: { path: { orderId: 'huge-1' } }, body: { userId: 'shopper', couponIds: [claimed.data!.coupons[0]!.id], currency: 'EUR', items: huge } });
    expect(lock.response.status).toBe(400);
    expect(errorCode(lock.error)).toBe('AMOUNT_TOO_LARGE');
    expect((await asOrders.GET('/v1/orders/{orderId}', { params: { path: { orderId: 'huge-1' } } })).response.status).toBe(404);
    expect((await asUser.GET('/v1/coupons/{couponId}', { params: { path: { couponId: claimed.data!.coupons[0]!.id } } })).data!.status).toBe('available');
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { couponApiClient, errorCode } from '../../clients/typescript';
import { tagRepository, templateStatusDeps } from '../../lib/container';
import { changeTemplateStatus } from '../../lib/templates/template-service';
import { activeTemplate } from '../support/claims';
import { testContainer } from '../support/container';
import { createTestTable, type TestTable } from '../support/dynamodb';
import { startLocalApi, tokens, type RunningApi } from '../support/local-api';

let table: TestTable;
let api: RunningApi;

beforeAll(async () => {
  table = await createTestTable('product-page');
  // No template cache: sold-out and paused templates drop out at once (on AWS: within the cache lifetime).
  api = await startLocalApi(testContainer(table, { claims: { templateCacheTtlMs: 0 } }));
});
afterAll(() => api?.close());

const boot = { categoryId: 'shoes', merchantId: 'shop-1', unitPrice: 12_000, currency: 'EUR' };

describe('coupons on a product page', () => {
  it('offers everyone the live templates for the product with their saving at that price, and each user what they can still claim and what they hold', async () => {
    const tenPercent = await activeTemplate(table, { name: '10% shoes', effect: { type: 'percent_off', percentOffBps: 1000 }, scope: { include: { categoryIds: ['shoes'] } }, perUserLimit: 1 });
    const threshold = await activeTemplate(table, { name: '30 off 200', effect: { type: 'amount_off', amountOff: 3000, minSpend: 20_000 }, perUserLimit: 2 });
    const lastOne = await activeTemplate(table, { name: 'last one', effect: { type: 'amount_off', amountOff: 100 }, stock: { total: 1, shards: 1 } });
    const paused = await activeTemplate(table, { name: 'paused', effect: { type: 'amount_off', amountOff: 200 } });
    const hats = await activeTemplate(table, { name: 'hats', scope: { include: { categoryIds: ['hats'] } } });
    const vipOnly = await activeTemplate(table, { name: 'vip', effect: { type: 'amount_off', amountOff: 700 }, audience: { anyOfTags: ['vip'] } });
    await activeTemplate(table, { name: 'next week', effect: { type: 'amount_off', amountOff: 900 }, claimWindow: { from: new Date(Date.now() + 7 * 86_400_000).toISOString() } });
    const container = testContainer(table);
    await changeTemplateStatus(templateStatusDeps(container), paused, 'paused');
    await tagRepository(container).setTags('vip-shopper', ['vip'], new Date().toISOString());

    const anonymous = couponApiClient(api.baseUrl, undefined);
    const offers = await anonymous.GET('/v1/products/{productId}/offers', { params: { path: { productId: 'boot-1' }, query: boot } });
    expect(offers.response.status).toBe(200);
    expect(offers.response.headers.get('cache-control')).toMatch(/^public, max-age=\d+$/);
    // Largest saving first; the threshold coupon shows what it would need; hats, paused, audience-only
    // and not-yet-claimable ones are not offered.
    expect(offers.data!.offers.map((o) => [o.templateId, o.saving, o.applies])).toEqual([
      [tenPercent, 1200, true],
      [lastOne, 100, true],
      [threshold, 0, false],
    ]);
    expect(offers.data!.offers[2]!.reasons).toEqual([{ code: 'BELOW_MINIMUM', minimum: 20_000, eligibleAmount: 12_000, missing: 8_000 }]);

    const shopper = couponApiClient(api.baseUrl, await tokens.user('shopper'));
    const claimed = await shopper.POST('/v1/coupons/claim', { params: { header: { 'Idempotency-Key': 'pdp-1' } }, body: { templateIds: [tenPercent, lastOne, hats] } });
    expect(claimed.response.status).toBe(201);

    const mine = await shopper.GET('/v1/products/{productId}/coupons', { params: { path: { productId: 'boot-1' }, query: boot } });
    expect(mine.response.status).toBe(200);
    expect(mine.response.headers.get('cache-control')).toBe('private, no-store');
    // 10% reached its limit of one and the last one is sold out: only the threshold coupon is left to claim.
    expect(mine.data!.claimable.map((o) => [o.templateId, o.claimedByMe])).toEqual([[threshold, 0]]);
    // What I hold that applies to this product (not the hats coupon), the largest saving first.
    expect(mine.data!.mine.map((c) => [c.templateId, c.saving])).toEqual([
      [tenPercent, 1200],
      [lastOne, 100],
    ]);

    // Sold out now: the offer is gone for everyone too.
    const after = await anonymous.GET('/v1/products/{productId}/offers', { params: { path: { productId: 'boot-1' }, query: boot } });
    expect(after.data!.offers.map((o) => o.templateId)).toEqual([tenPercent, threshold]);

    // A user in the audience is offered the audience-only template; others are not.
    const vip = couponApiClient(api.baseUrl, await tokens.user('vip-shopper'));
    const vipView = await vip.GET('/v1/products/{productId}/coupons', { params: { path: { productId: 'boot-1' }, query: boot } });
    expect(vipView.data!.claimable.map((o) => o.templateId)).toEqual([tenPercent, vipOnly, threshold]);
    expect(vipView.data!.mine).toEqual([]);
  });

  it('refuses a page query it cannot price with a 400 and a stable code', async () => {
    const anonymous = couponApiClient(api.baseUrl, undefined);
    for (const query of [{ ...boot, unitPrice: 'cheap' }, { ...boot, currency: 'euro' }, { categoryId: 'shoes' }, { ...boot, unitPrice: 10_000_000_001 }]) {
      const answer = await anonymous.GET('/v1/products/{productId}/offers', { params: { path: { productId: 'boot-1' }, query: query as never } });
      expect(answer.response.status, JSON.stringify(query)).toBe(400);
      expect(errorCode(answer.error)).toBe('VALIDATION_FAILED');
    }
    const noToken = await anonymous.GET('/v1/products/{productId}/coupons', { params: { path: { productId: 'boot-1' }, query: boot } });
    expect(noToken.response.status).toBe(401);
  });
});

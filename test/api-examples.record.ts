import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { allRoutes } from '../lib/api/api';
import { repoRoot } from '../tools/local/dynamodb-local';
import { startCampaignStack } from './support/campaign-stack';

/**
 * `npm run openapi:examples`: one real exchange per route, recorded on the local stack (templates, a
 * claim, an order's lock/confirm/refund/cancel, campaigns and their lifecycle), written to
 * lib/api/examples.json for the OpenAPI document. test/unit/api-examples.test.ts checks they still fit.
 */
it('records one example per route', async () => {
  const env = await startCampaignStack('examples');
  const recorded: Record<string, { request?: unknown; response?: unknown }> = {};
  const admin = env.admin;
  const { tokens } = await import('./support/local-api');
  const user = await tokens.user('user-123');
  const orders = await tokens.orders();
  const call = async (id: string, method: string, path: string, token: string | undefined, body?: unknown, headers?: Record<string, string>) => {
    const result = await env.api.request(method, path, { token, ...(body !== undefined ? { body } : {}), ...(headers ? { headers } : {}) });
    if (result.status >= 300) throw new Error(`${id} ${result.status} ${JSON.stringify(result.body)}`);
    recorded[id] ??= { ...(body !== undefined ? { request: body } : {}), response: result.body };
    return result.body;
  };
  await call('health', 'GET', '/v1/health', undefined);
  const templateBody = {
    name: '20 off 100 on shoes', description: 'Spring sale', currency: 'EUR',
    effect: { type: 'amount_off', amountOff: 2000, minSpend: 10000 },
    validity: { type: 'relative', days: 30 },
    stock: { total: 1000, shards: 4 }, perUserLimit: 2,
    scope: { include: { categoryIds: ['shoes'] }, exclude: { productIds: ['limited-sneaker'] } },
    reminders: ['P7D', 'P1D'],
  };
  const tpl = await call('createTemplate', 'POST', '/v1/admin/templates', admin, templateBody, { 'idempotency-key': 'create-spring-1' });
  await call('updateTemplate', 'PATCH', `/v1/admin/templates/${tpl.id}`, admin, { description: 'Spring sale, shoes only' });
  await call('changeTemplateStatus', 'POST', `/v1/admin/templates/${tpl.id}/status`, admin, { status: 'active' });
  await call('addTemplateStock', 'POST', `/v1/admin/templates/${tpl.id}/stock`, admin, { quantity: 500 }, { 'idempotency-key': 'restock-1' });
  await call('listTemplates', 'GET', '/v1/admin/templates?status=active&limit=1', admin);
  await call('getTemplate', 'GET', `/v1/admin/templates/${tpl.id}`, admin);
  await call('putBlocklist', 'PUT', '/v1/admin/blocklist', admin, { productIds: ['gift-card-50'] });
  await call('getBlocklist', 'GET', '/v1/admin/blocklist', admin);
  await call('putUserTags', 'PUT', '/v1/admin/users/user-123/tags', admin, { tags: ['vip'] });
  await call('getUserTags', 'GET', '/v1/admin/users/user-123/tags', admin);
  await call('listClaimableTemplates', 'GET', '/v1/templates?limit=1', user);
  const claimed = await call('claimCoupons', 'POST', '/v1/coupons/claim', user, { templateIds: [tpl.id] }, { 'idempotency-key': 'claim-1' });
  await call('listCoupons', 'GET', '/v1/coupons?status=available', user);
  await call('getCoupon', 'GET', `/v1/coupons/${claimed.coupons[0].id}`, user);
  await call('listUserCoupons', 'GET', '/v1/admin/users/user-123/coupons?limit=1', admin);
  const lines = [{ productId: 'boot-1', categoryId: 'shoes', merchantId: 'shop-1', unitPrice: 12000, quantity: 1 }];
  await call('quoteCoupons', 'POST', '/v1/coupons/quote', user, { currency: 'EUR', lines });
  const product = '/v1/products/boot-1';
  const productQuery = 'categoryId=shoes&merchantId=shop-1&unitPrice=12000&currency=EUR';
  await call('getProductOffers', 'GET', `${product}/offers?${productQuery}`, undefined);
  await call('getMyProductCoupons', 'GET', `${product}/coupons?${productQuery}`, user);
  await call('lockOrder', 'POST', '/v1/orders/web-1001/lock', orders, { userId: 'user-123', couponIds: [claimed.coupons[0].id], currency: 'EUR', items: lines });
  await call('getOrder', 'GET', '/v1/orders/web-1001', orders);
  await call('confirmOrder', 'POST', '/v1/orders/web-1001/confirm', orders);
  await call('refundOrder', 'POST', '/v1/orders/web-1001/refund', orders, { couponIds: [claimed.coupons[0].id] });
  const second = await call('claimCoupons', 'POST', '/v1/coupons/claim', user, { templateIds: [tpl.id] }, { 'idempotency-key': 'claim-2' });
  await call('lockOrder', 'POST', '/v1/orders/web-1002/lock', orders, { userId: 'user-123', couponIds: [second.coupons[0].id], currency: 'EUR', items: lines });
  await call('cancelOrder', 'POST', '/v1/orders/web-1002/cancel', orders);
  await call('getTemplateStatistics', 'GET', `/v1/admin/templates/${tpl.id}/stats`, admin);
  await call('createAudienceUpload', 'POST', '/v1/admin/campaigns/audience-uploads', admin, { fileName: 'spring-vip.txt' });
  await call('requestCampaign', 'POST', '/v1/admin/campaigns', admin, { campaignId: 'spring-vip', templateId: tpl.id, audience: { type: 'inline', userIds: ['user-1', 'user-2', 'user-3'] }, rate: { batchSize: 500, maxConcurrency: 4 } });
  await env.waitForCampaign('spring-vip');
  await call('getCampaign', 'GET', '/v1/admin/campaigns/spring-vip', admin);
  await call('listCampaigns', 'GET', `/v1/admin/campaigns?templateId=${tpl.id}`, admin);
  await call('retryCampaignFailures', 'POST', '/v1/admin/campaigns/spring-vip/retry-failed', admin);
  // Enough stock for a campaign that is still running when it is paused (one chunk per user).
  await call('addTemplateStock', 'POST', `/v1/admin/templates/${tpl.id}/stock`, admin, { quantity: 5000 }, { 'idempotency-key': 'restock-2' });
  await call('requestCampaign', 'POST', '/v1/admin/campaigns', admin, { campaignId: 'summer', templateId: tpl.id, audience: { type: 'inline', userIds: Array.from({ length: 2_000 }, (_, i) => `u-${i}`) }, rate: { batchSize: 1, maxConcurrency: 2 } });
  await env.waitForCampaign('summer', (p) => p.status === 'running');
  await call('pauseCampaign', 'POST', '/v1/admin/campaigns/summer/pause', admin);
  await call('resumeCampaign', 'POST', '/v1/admin/campaigns/summer/resume', admin);
  await call('cancelCampaign', 'POST', '/v1/admin/campaigns/summer/cancel', admin);
  // Codes: a unique batch generated by the local worker, exported, one code redeemed and one revoked, then the batch revoked.
  await call('createCodeBatch', 'POST', `/v1/admin/templates/${tpl.id}/code-batches`, admin, { batchId: 'spring-sms', kind: 'unique', count: 3, pattern: 'SPRING-####-####', validUntil: '2030-12-31T00:00:00Z' });
  for (let i = 0; i < 300 && (await env.api.request('GET', '/v1/admin/code-batches/spring-sms', { token: admin })).body.status !== 'ready'; i++) await new Promise((resolve) => setTimeout(resolve, 100));
  const link = await call('exportCodeBatch', 'POST', '/v1/admin/code-batches/spring-sms/exports', admin);
  const codes = (await (await fetch(link.url)).text()).split('\n').filter(Boolean);
  await call('redeemCode', 'POST', '/v1/codes/redeem', await tokens.user('user-456'), { code: codes[0] }, { 'idempotency-key': 'redeem-1' });
  await call('revokeCode', 'POST', '/v1/admin/code-batches/spring-sms/codes/revoke', admin, { code: codes[1] });
  await call('getCodeBatch', 'GET', '/v1/admin/code-batches/spring-sms', admin);
  await call('revokeCodeBatch', 'POST', '/v1/admin/code-batches/spring-sms/revoke', admin);
  await call('getStockLedger', 'GET', `/v1/admin/templates/${tpl.id}/ledger`, admin);
  // Imports: a legacy data set put in the import bucket, imported in the background, then one dual write.
  const { PutObjectCommand } = await import('@aws-sdk/client-s3');
  const { LOCAL_IMPORT_BUCKET } = await import('../tools/local/local-campaigns');
  const { legacyDataSet } = await import('../tools/local/legacy-data');
  const legacy = legacyDataSet({ coupons: 20, users: 5, templates: 2, brokenShare: 0.1, seed: 3 });
  await env.stack.queues.s3.send(new PutObjectCommand({ Bucket: LOCAL_IMPORT_BUCKET, Key: 'legacy/templates.jsonl', Body: legacy.templates }));
  await env.stack.queues.s3.send(new PutObjectCommand({ Bucket: LOCAL_IMPORT_BUCKET, Key: 'legacy/coupons.jsonl', Body: legacy.coupons }));
  await call('startImport', 'POST', '/v1/admin/imports', admin, { importId: 'legacy-2026-11', templates: 'legacy/templates.jsonl', coupons: 'legacy/coupons.jsonl' });
  for (let i = 0; i < 300 && (await env.api.request('GET', '/v1/admin/imports/legacy-2026-11', { token: admin })).body.status !== 'completed'; i++) await new Promise((resolve) => setTimeout(resolve, 100));
  await call('getImport', 'GET', '/v1/admin/imports/legacy-2026-11', admin);
  const [legacyCoupon] = legacy.records.values();
  await call('dualWriteCoupon', 'PUT', `/v1/admin/imports/coupons/${legacyCoupon!.externalId}`, await tokens.importer(), { ...legacyCoupon, status: 'used', orderId: 'legacy-order-77', usedAt: '2026-11-20T10:00:00.000Z', updatedAt: '2026-11-20T10:00:00.000Z' });
  // The lifecycle jobs as the schedules run them, 31 days on (everything expires) and 181 days after that (archived).
  const { lifecycleJobs } = await import('../lib/container');
  const expiredAt = Date.now() + 31 * 86_400_000;
  await lifecycleJobs(env.stack.container).expire(expiredAt);
  const archivedAt = expiredAt + 181 * 86_400_000;
  await lifecycleJobs(env.stack.container).archive(archivedAt);
  await call('listArchives', 'GET', `/v1/admin/archives?from=${new Date(Date.now() - 3_600_000).toISOString()}&limit=1`, admin);
  const missing = allRoutes.filter((r) => !recorded[r.id] && r.id !== 'openapi').map((r) => r.id);
  expect(missing).toEqual([]);
  writeFileSync(path.join(repoRoot, 'lib/api/examples.json'), `${JSON.stringify(recorded, null, 2)}\n`);
  await env.stop();
}, 300_000);

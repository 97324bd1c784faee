import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { couponApiClient, errorCode } from '../../clients/typescript';
import { activeTemplate } from '../support/claims';
import { testContainer } from '../support/container';
import { createTestTable, type TestTable } from '../support/dynamodb';
import { startLocalApi, tokens, type RunningApi } from '../support/local-api';

let table: TestTable;
let api: RunningApi;
let alice: string;
let bob: string;
let admin: string;

beforeAll(async () => {
  table = await createTestTable('claims-http');
  api = await startLocalApi(testContainer(table));
  [alice, bob, admin] = await Promise.all([tokens.user('alice'), tokens.user('bob'), tokens.admin()]);
});
afterAll(() => api?.close());

const claim = (token: string, templateIds: string[], key?: string) =>
  api.request('POST', '/v1/coupons/claim', { token, body: { templateIds }, headers: key ? { 'idempotency-key': key } : {} });

describe('claiming and the wallet over the local HTTP API', () => {
  it('claims, replays with the same key, refuses the key with another body, lists the wallet, hides it from another user (typed client)', async () => {
    const templateId = await activeTemplate(table, { perUserLimit: 2 });
    const other = await activeTemplate(table);
    // The generated client: paths, headers, bodies and answers are checked by the compiler.
    const asAlice = couponApiClient(api.baseUrl, alice);
    const asBob = couponApiClient(api.baseUrl, bob);
    const claimAs = (templateIds: string[], key: string) => asAlice.POST('/v1/coupons/claim', { params: { header: { 'Idempotency-Key': key } }, body: { templateIds } });

    const first = await claimAs([templateId], 'checkout-1');
    expect(first.response.status).toBe(201);
    expect(first.data?.coupons).toHaveLength(1);
    const coupon = first.data!.coupons[0]!;
    expect(coupon).toMatchObject({ templateId, status: 'available' });

    const replay = await claimAs([templateId], 'checkout-1');
    expect(replay.response.status).toBe(201);
    expect(replay.data).toEqual(first.data);
    expect(replay.response.headers.get('idempotent-replayed')).toBe('true');

    const reused = await claimAs([other], 'checkout-1');
    expect(reused.response.status).toBe(422);
    expect(errorCode(reused.error)).toBe('IDEMPOTENCY_KEY_REUSED');

    const wallet = await asAlice.GET('/v1/coupons', { params: { query: { status: 'available' } } });
    expect(wallet.response.status).toBe(200);
    expect(wallet.data?.items.map((c) => c.id)).toEqual([coupon.id]);

    expect((await asAlice.GET('/v1/coupons/{couponId}', { params: { path: { couponId: coupon.id } } })).data?.id).toBe(coupon.id);
    const stolen = await asBob.GET('/v1/coupons/{couponId}', { params: { path: { couponId: coupon.id } } });
    expect(stolen.response.status).toBe(404);
    expect(errorCode(stolen.error)).toBe('COUPON_NOT_FOUND');
    expect((await asBob.GET('/v1/coupons')).data?.items).toEqual([]);
  });

  it('answers 409 with a reason per template, 404 for an unknown one, 400 without a key', async () => {
    const soldOut = await activeTemplate(table, { stock: { total: 0, shards: 1 } });
    const refused = await claim(alice, [soldOut], 'k-sold-out');
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ code: 'CLAIM_REFUSED', details: { refusals: [{ templateId: soldOut, reason: 'SOLD_OUT' }] } });

    const unknown = await claim(alice, ['01HZZZZZZZZZZZZZZZZZZZZZZZ'], 'k-unknown');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('TEMPLATE_NOT_FOUND');

    const noKey = await claim(alice, [soldOut]);
    expect(noKey.status).toBe(400);
    expect(noKey.body.error.code).toBe('MISSING_IDEMPOTENCY_KEY');

    const tooMany = await claim(alice, Array.from({ length: 11 }, () => soldOut), 'k-many');
    expect(tooMany.status).toBe(400);
  });

  it('pages through the wallet newest first with an opaque cursor', async () => {
    const templateId = await activeTemplate(table, { perUserLimit: 5 });
    const carol = await tokens.user('carol');
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await claim(carol, [templateId], `page-${i}`)).body.coupons[0].id);
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await api.request('GET', `/v1/coupons?limit=2${cursor ? `&cursor=${cursor}` : ''}`, { token: carol });
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.items.map((c: { id: string }) => c.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...ids].reverse());

    const aliceCursor = Buffer.from(JSON.stringify({ pk: 'USER#alice', sk: 'CPN#0' })).toString('base64url');
    expect((await api.request('GET', `/v1/coupons?cursor=${aliceCursor}`, { token: carol })).body.error.code).toBe('INVALID_CURSOR');
  });

  it('lists what I can claim: not drafts, not other audiences, not what I hold the limit of', async () => {
    const open = await activeTemplate(table, { name: 'open to all' });
    const vip = await activeTemplate(table, { name: 'vip only', audience: { allOfTags: ['vip'] } });
    const dave = await tokens.user('dave');
    const before = (await api.request('GET', '/v1/templates', { token: dave })).body.items.map((t: { id: string }) => t.id);
    expect(before).toContain(open);
    expect(before).not.toContain(vip);

    await api.request('PUT', '/v1/admin/users/dave/tags', { token: admin, body: { tags: ['vip'] } });
    await claim(dave, [open], 'dave-1');
    // The catalog is cached for a TTL; tags and claim counts are read per request.
    const after = (await api.request('GET', '/v1/templates', { token: dave })).body.items.map((t: { id: string }) => t.id);
    expect(after).toContain(vip);
    expect(after).not.toContain(open);
  });
});

import { templateStatusDeps } from '../../lib/container';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signDevToken } from '../../tools/local/dev-auth';
import { seedDemoTemplates } from '../../tools/local/seed';
import { testContainer } from '../support/container';
import { createTestTable, type TestTable } from '../support/dynamodb';
import { templateInput } from '../support/fixtures';
import { startLocalApi, tokens, type RunningApi } from '../support/local-api';

let table: TestTable;
let api: RunningApi;
let adminToken: string;

beforeAll(async () => {
  table = await createTestTable('local-api');
  const container = testContainer(table);
  await seedDemoTemplates(templateStatusDeps(container));
  api = await startLocalApi(container);
  adminToken = await tokens.admin();
});
afterAll(() => api?.close());

describe('the local HTTP API (what npm start serves)', () => {
  it('answers health without a token', async () => {
    const result = await api.request('GET', '/v1/health');
    expect(result.status).toBe(200);
    expect(result.body.status).toBe('ok');
  });

  it('lists the seeded templates for an admin, at least one of them active', async () => {
    const result = await api.request('GET', '/v1/admin/templates', { token: adminToken });
    expect(result.status).toBe(200);
    expect(result.body.items.length).toBeGreaterThanOrEqual(4);
    expect(result.body.items.some((t: { status: string; audience?: unknown }) => t.status === 'active' && !t.audience)).toBe(true);
  });

  it('answers 401 without a token, with a forged one and with an expired one', async () => {
    const forged = `${adminToken.slice(0, -4)}AAAA`;
    const expired = await signDevToken({ sub: 'x', scope: 'coupons/admin', expiresIn: '-1m' });
    for (const token of [undefined, forged, expired, 'not-a-jwt']) {
      const result = await api.request('GET', '/v1/admin/templates', { token });
      expect(result.status).toBe(401);
      expect(result.body.error.code).toBe('UNAUTHENTICATED');
    }
  });

  it('answers 403 to a user token on a back-office route, and to an order-service token', async () => {
    for (const token of [await tokens.user('user-1'), await tokens.orders()]) {
      const result = await api.request('GET', '/v1/admin/templates', { token });
      expect(result.status).toBe(403);
      expect(result.body.error).toMatchObject({ code: 'FORBIDDEN', details: { requiredScope: 'coupons/admin' } });
    }
  });

  it('creates, activates and reads a template over HTTP', async () => {
    const created = await api.request('POST', '/v1/admin/templates', { token: adminToken, body: templateInput({ name: 'over http' }) });
    expect(created.status).toBe(201);
    const activated = await api.request('POST', `/v1/admin/templates/${created.body.id}/status`, { token: adminToken, body: { status: 'active' } });
    expect(activated.body.status).toBe('active');
    const read = await api.request('GET', `/v1/admin/templates/${created.body.id}`, { token: adminToken });
    expect(read.body).toMatchObject({ id: created.body.id, name: 'over http', status: 'active', stock: { remaining: 100 } });
  });

  it('serves an OpenAPI 3 document naming every route with its scope and error answers', async () => {
    const result = await api.request('GET', '/openapi.json');
    expect(result.status).toBe(200);
    expect(result.body.openapi).toMatch(/^3\./);
    const create = result.body.paths['/v1/admin/templates'].post;
    expect(create['x-required-scope']).toBe('coupons/admin');
    expect(create.security).toEqual([{ bearer: ['coupons/admin'] }]);
    expect(Object.keys(create.responses)).toEqual(expect.arrayContaining(['201', '400', '401', '403', '500']));
    expect(create.requestBody.content['application/json'].schema.properties.effect).toBeDefined();
    // Every status it can answer, from shared components, with the headers that go with them.
    expect(Object.keys(create.responses).sort()).toEqual(['200', '201', '400', '401', '403', '413', '415', '422', '429', '500', '503']);
    expect(create.responses['413']).toEqual({ $ref: '#/components/responses/Error413' });
    expect(create.responses['201'].headers['Idempotent-Replayed']).toEqual({ $ref: '#/components/headers/IdempotentReplayed' });
    expect(result.body.components.responses.Error503.headers['Retry-After']).toEqual({ $ref: '#/components/headers/RetryAfter' });
    const wallet = result.body.paths['/v1/coupons'].get;
    expect(Object.keys(wallet.responses)).not.toContain('413');
    expect(Object.keys(wallet.responses)).toContain('429');
    // Every reference resolves.
    const refs = JSON.stringify(result.body.paths).match(/#\/components\/[a-zA-Z]+\/[A-Za-z0-9]+/g) ?? [];
    for (const ref of new Set(refs)) {
      const [, , kind, name] = ref.split('/');
      expect(result.body.components[kind!]?.[name!], ref).toBeDefined();
    }
  });

  it('answers an unknown route with 404 ROUTE_NOT_FOUND', async () => {
    const result = await api.request('GET', '/v1/nothing-here', { token: adminToken });
    expect(result.status).toBe(404);
    expect(result.body.error.code).toBe('ROUTE_NOT_FOUND');
  });
});

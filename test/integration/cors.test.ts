import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCorsOrigins } from '../../lib/http/cors';
import { createLocalApi } from '../../tools/local/local-api';
import { testContainer } from '../support/container';
import { createTestTable } from '../support/dynamodb';
import { startLocalApi, tokens, type RunningApi } from '../support/local-api';

let api: RunningApi;
beforeAll(async () => {
  const table = await createTestTable('cors');
  api = await startLocalApi(createLocalApi({ container: testContainer(table), corsOrigins: ['https://shop.test'] }));
});
afterAll(() => api?.close());

describe('CORS (the local stack, as API Gateway is configured with corsOrigins)', () => {
  it('answers a preflight from an allowed origin with the methods and headers the API takes', async () => {
    const preflight = await fetch(`${api.baseUrl}/v1/coupons/claim`, {
      method: 'OPTIONS',
      headers: { origin: 'https://shop.test', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type,idempotency-key' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('https://shop.test');
    expect(preflight.headers.get('access-control-allow-methods')).toContain('POST');
    expect(preflight.headers.get('access-control-allow-headers')).toBe('authorization,content-type,idempotency-key');
  });

  it('lets the browser read answers (and Retry-After, Idempotent-Replayed) for an allowed origin only', async () => {
    const token = await tokens.user('cors-user');
    const allowed = await api.request('GET', '/v1/coupons', { token, headers: { origin: 'https://shop.test' } });
    expect(allowed.status).toBe(200);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://shop.test');
    expect(allowed.headers.get('access-control-expose-headers')).toBe('retry-after,idempotent-replayed');
    const refusedToo = await api.request('GET', '/v1/coupons', { headers: { origin: 'https://shop.test' } });
    expect(refusedToo.status).toBe(401);
    expect(refusedToo.headers.get('access-control-allow-origin')).toBe('https://shop.test');
    const other = await api.request('GET', '/v1/coupons', { token, headers: { origin: 'https://evil.test' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    const preflight = await fetch(`${api.baseUrl}/v1/coupons`, { method: 'OPTIONS', headers: { origin: 'https://evil.test', 'access-control-request-method': 'GET' } });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('takes origins as a comma-separated parameter and refuses what is not an origin', () => {
    expect(parseCorsOrigins('https://shop.test, http://localhost:5173')).toEqual(['https://shop.test', 'http://localhost:5173']);
    expect(parseCorsOrigins(undefined)).toEqual([]);
    expect(() => parseCorsOrigins('https://shop.test/path')).toThrow(/not an origin/);
  });
});

import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allRoutes } from '../../lib/api/api';
import { testContainer } from '../support/container';
import { createTestTable } from '../support/dynamodb';
import { startLocalApi, tokens, type RunningApi } from '../support/local-api';

/**
 * Hostile input over every route, with every kind of caller: whatever arrives, the answer is a 4xx with
 * our error shape (or a 2xx), never a 5xx. Generated paths, queries, headers and bodies.
 */
let api: RunningApi;
let callers: Record<string, string | undefined>;
beforeAll(async () => {
  const table = await createTestTable('hostile');
  api = await startLocalApi(testContainer(table));
  callers = { none: undefined, user: await tokens.user('hostile-user'), admin: await tokens.admin(), orders: await tokens.orders(), garbage: 'e30.e30.e30' };
});
afterAll(() => api?.close());

const nasty = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.constantFrom('', ' ', '%', '%00', '%E0%A4%A', '..', '../..', '%2F', 'USER#x', 'a'.repeat(2_000), '01HZZZZZZZZZZZZZZZZZZZZZZZ', '-1', '1e309', 'null', '😀', '\u0000'),
);
const jsonValue = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom({ templateIds: ['x'] }, { quantity: Number.MAX_SAFE_INTEGER }, { quantity: 1e308 }, { currency: 'EUR', lines: [{ unitPrice: 9e15, quantity: 9e15 }] }, { status: 'active' }),
);
const body = fc.oneof(
  jsonValue.map((value) => ({ raw: JSON.stringify(value), type: 'application/json' })),
  fc.string({ maxLength: 200 }).map((raw) => ({ raw, type: 'application/json' })),
  jsonValue.map((value) => ({ raw: JSON.stringify(value), type: 'text/plain' })),
  fc.constant({ raw: '', type: 'application/json' }),
);

describe('hostile input over every route', () => {
  it('never answers 5xx, and every error has a stable code and a message', async () => {
    const seen = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...allRoutes),
        fc.constantFrom('none', 'user', 'admin', 'orders', 'garbage'),
        fc.array(nasty, { minLength: 3, maxLength: 3 }),
        fc.dictionary(fc.constantFrom('limit', 'cursor', 'status', 'templateId', 'x'), nasty, { maxKeys: 3 }),
        body,
        fc.option(nasty, { nil: undefined }),
        async (route, caller, segments, query, payload, idempotencyKey) => {
          let index = 0;
          const path = route.path.replace(/\{\w+\}/g, () => encodeURIComponent(segments[index++] ?? 'x').replace(/%25/g, () => (index % 2 === 0 ? '%' : '%25')));
          const search = new URLSearchParams(query).toString();
          const response = await fetch(`${api.baseUrl}${path}${search ? `?${search}` : ''}`, {
            method: route.method,
            headers: {
              ...(callers[caller] ? { authorization: `Bearer ${callers[caller]}` } : {}),
              ...(route.method === 'GET' ? {} : { 'content-type': payload.type }),
              ...(idempotencyKey !== undefined && /^[\x20-\x7e]*$/.test(idempotencyKey) ? { 'idempotency-key': idempotencyKey } : {}),
            },
            ...(route.method === 'GET' ? {} : { body: payload.raw }),
          });
          const text = await response.text();
          seen.set(response.status, (seen.get(response.status) ?? 0) + 1);
          expect(response.status, `${route.method} ${path}?${search} as ${caller}: ${text.slice(0, 300)}`).toBeLessThan(500);
          if (response.status >= 400) {
            const parsed = JSON.parse(text) as { error: { code: string; message: string } };
            expect(parsed.error.code).toMatch(/^[A-Z_]+$/);
            expect(parsed.error.message.length).toBeGreaterThan(0);
          }
        },
      ),
      { numRuns: 2_000, seed: 20261123 },
    );
    // Not only refused at the door: requests got through authorization and validation to the use cases.
    expect([...seen.keys()].filter((status) => ![400, 401, 403, 413, 415].includes(status)).length, JSON.stringify([...seen])).toBeGreaterThanOrEqual(2);
  }, 300_000);
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signDevToken } from '../../tools/local/dev-auth';
import { testContainer } from '../support/container';
import { createTestTable, scanAll, type TestTable } from '../support/dynamodb';
import { templateInput } from '../support/fixtures';
import { startLocalApi, tokens, type RunningApi } from '../support/local-api';

let table: TestTable;
let api: RunningApi;
let admin: string;
beforeAll(async () => {
  table = await createTestTable('template-create');
  api = await startLocalApi(testContainer(table));
  admin = await tokens.admin();
});
afterAll(() => api?.close());

const templateItems = async () => (await scanAll(table)).filter((item) => item.entity === 'template' || item.entity === 'stock-shard');
const create = (body: unknown, key?: string, token = admin) => api.request('POST', '/v1/admin/templates', { token, body, ...(key ? { headers: { 'idempotency-key': key } } : {}) });

describe('POST /v1/admin/templates with an Idempotency-Key', () => {
  it('answers a retry with the template the first request created, and writes nothing more', async () => {
    const input = templateInput({ name: 'retried create' });
    const first = await create(input, 'create-1');
    expect(first.status).toBe(201);
    const written = await templateItems();
    // The same request, its fields in another order: the same template.
    const reordered = Object.fromEntries(Object.entries(input).reverse());
    const retry = await create(reordered, 'create-1');
    expect(retry.status).toBe(200);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(retry.body).toEqual(first.body);
    expect(await templateItems()).toEqual(written);
  });

  it('refuses the same key with another request (422), and scopes keys to the calling system', async () => {
    const first = await create(templateInput({ name: 'first' }), 'create-2');
    const other = await create(templateInput({ name: 'something else' }), 'create-2');
    expect(other.status).toBe(422);
    expect(other.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
    const anotherCaller = await signDevToken({ sub: 'marketing-tool', scope: 'coupons/admin' });
    const theirs = await create(templateInput({ name: 'first' }), 'create-2', anotherCaller);
    expect(theirs.status).toBe(201);
    expect(theirs.body.id).not.toBe(first.body.id);
  });

  it('without a key, every request creates a template', async () => {
    const input = templateInput({ name: 'no key' });
    const [a, b] = [await create(input), await create(input)];
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(a.body.id).not.toBe(b.body.id);
  });
});

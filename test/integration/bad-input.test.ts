import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testContainer } from '../support/container';
import { createTestTable, scanAll, type TestTable } from '../support/dynamodb';
import { templateInput } from '../support/fixtures';
import { startLocalApi, tokens, type RunningApi } from '../support/local-api';

let table: TestTable;
let api: RunningApi;
let admin: string;
let user: string;
let orders: string;
let longSubject: string;
let subject129: string;
let hashSubject: string;
let draftId: string;

beforeAll(async () => {
  table = await createTestTable('bad-input');
  api = await startLocalApi(testContainer(table));
  admin = await tokens.admin();
  user = await tokens.user('user-1');
  orders = await tokens.orders();
  longSubject = await tokens.user('u'.repeat(10_000));
  subject129 = await tokens.user('u'.repeat(129));
  hashSubject = await tokens.user('USER#admin');
  draftId = (await api.request('POST', '/v1/admin/templates', { token: admin, body: templateInput() })).body.id;
});
afterAll(() => api?.close());

const unknownId = '01HZZZZZZZZZZZZZZZZZZZZZZZ';

interface BadRequest {
  readonly label: string;
  readonly method: string;
  readonly path: () => string;
  readonly token?: 'admin' | 'user' | 'orders' | 'none' | 'garbage' | 'longSubject' | 'subject129' | 'hashSubject';
  readonly body?: unknown;
  readonly rawBody?: string;
  readonly headers?: Record<string, string>;
  readonly status: number;
  readonly code: string;
  /** For validation failures: a field path the answer must name. */
  readonly field?: string;
}

const cases: BadRequest[] = [
  { label: 'malformed JSON', method: 'POST', path: () => '/v1/admin/templates', rawBody: '{"name": ', status: 400, code: 'MALFORMED_JSON' },
  { label: 'no body', method: 'POST', path: () => '/v1/admin/templates', status: 400, code: 'MISSING_BODY' },
  { label: 'a JSON array instead of an object', method: 'POST', path: () => '/v1/admin/templates', rawBody: '[]', status: 400, code: 'VALIDATION_FAILED' },
  { label: 'a string where a number belongs', method: 'POST', path: () => '/v1/admin/templates', body: templateInput({ perUserLimit: '3' }), status: 400, code: 'VALIDATION_FAILED', field: 'perUserLimit' },
  { label: 'fractional money', method: 'POST', path: () => '/v1/admin/templates', body: templateInput({ effect: { type: 'amount_off', amountOff: 1.5 } }), status: 400, code: 'VALIDATION_FAILED', field: 'effect.amountOff' },
  { label: 'an unknown field', method: 'POST', path: () => '/v1/admin/templates', body: { ...templateInput(), discount: 5 }, status: 400, code: 'VALIDATION_FAILED', field: 'discount' },
  { label: 'an unknown nested field', method: 'POST', path: () => '/v1/admin/templates', body: templateInput({ effect: { type: 'amount_off', amountOff: 5, minSpnd: 10 } }), status: 400, code: 'VALIDATION_FAILED', field: 'effect.minSpnd' },
  { label: 'an unknown effect type', method: 'POST', path: () => '/v1/admin/templates', body: templateInput({ effect: { type: 'free_lunch' } }), status: 400, code: 'VALIDATION_FAILED', field: 'effect.type' },
  { label: 'an oversized body', method: 'POST', path: () => '/v1/admin/templates', body: templateInput({ description: 'x'.repeat(70_000) }), status: 413, code: 'BODY_TOO_LARGE' },
  { label: 'valid JSON sent as text/plain', method: 'POST', path: () => '/v1/admin/templates', body: templateInput(), headers: { 'content-type': 'text/plain' }, status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' },
  { label: 'valid JSON sent as form data', method: 'POST', path: () => '/v1/admin/templates', body: templateInput(), headers: { 'content-type': 'application/x-www-form-urlencoded' }, status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' },
  { label: 'a malformed percent-encoding in a path id', method: 'GET', path: () => '/v1/admin/templates/%E0%A4%A', status: 400, code: 'MALFORMED_PATH' },
  { label: 'a malformed percent-encoding in an order id', method: 'GET', path: () => '/v1/orders/%E0%A4%A', token: 'orders', status: 400, code: 'MALFORMED_PATH' },
  { label: 'a signed token whose subject has 10,000 characters', method: 'POST', path: () => '/v1/coupons/claim', token: 'longSubject', body: { templateIds: [unknownId] }, headers: { 'idempotency-key': 'k-long' }, status: 401, code: 'SUBJECT_NOT_ACCEPTED' },
  { label: 'a signed token whose subject is 129 characters', method: 'GET', path: () => '/v1/coupons', token: 'subject129', status: 401, code: 'SUBJECT_NOT_ACCEPTED' },
  { label: 'a signed token whose subject holds a "#"', method: 'GET', path: () => '/v1/coupons', token: 'hashSubject', status: 401, code: 'SUBJECT_NOT_ACCEPTED' },
  { label: 'a malformed template id', method: 'GET', path: () => '/v1/admin/templates/not-an-id', status: 400, code: 'VALIDATION_FAILED', field: 'templateId' },
  { label: 'an unknown template id', method: 'GET', path: () => `/v1/admin/templates/${unknownId}`, status: 404, code: 'TEMPLATE_NOT_FOUND' },
  { label: 'stock for an unknown template', method: 'POST', path: () => `/v1/admin/templates/${unknownId}/stock`, body: { quantity: 1 }, status: 404, code: 'TEMPLATE_NOT_FOUND' },
  { label: 'a limit out of range', method: 'GET', path: () => '/v1/admin/templates?limit=1000', status: 400, code: 'VALIDATION_FAILED', field: 'limit' },
  { label: 'a limit that is not a number', method: 'GET', path: () => '/v1/admin/templates?limit=ten', status: 400, code: 'VALIDATION_FAILED', field: 'limit' },
  { label: 'an unknown status filter', method: 'GET', path: () => '/v1/admin/templates?status=deleted', status: 400, code: 'VALIDATION_FAILED', field: 'status' },
  { label: 'an unknown query parameter', method: 'GET', path: () => '/v1/admin/templates?sort=name', status: 400, code: 'VALIDATION_FAILED', field: 'sort' },
  { label: 'a forged cursor', method: 'GET', path: () => `/v1/admin/templates?cursor=${Buffer.from('{"pk":"USER#x"}').toString('base64url')}`, status: 400, code: 'INVALID_CURSOR' },
  { label: 'an invalid status', method: 'POST', path: () => `/v1/admin/templates/${draftId}/status`, body: { status: 'archived' }, status: 400, code: 'VALIDATION_FAILED', field: 'status' },
  { label: 'an impossible status transition', method: 'POST', path: () => `/v1/admin/templates/${draftId}/status`, body: { status: 'ended' }, status: 409, code: 'INVALID_STATUS_TRANSITION' },
  { label: 'zero stock added', method: 'POST', path: () => `/v1/admin/templates/${draftId}/stock`, body: { quantity: 0 }, status: 400, code: 'VALIDATION_FAILED', field: 'quantity' },
  { label: 'an over-long Idempotency-Key', method: 'POST', path: () => `/v1/admin/templates/${draftId}/stock`, body: { quantity: 1 }, headers: { 'idempotency-key': 'k'.repeat(65) }, status: 400, code: 'INVALID_IDEMPOTENCY_KEY' },
  { label: 'an empty update', method: 'PATCH', path: () => `/v1/admin/templates/${draftId}`, body: {}, status: 400, code: 'VALIDATION_FAILED' },
  { label: 'no token', method: 'POST', path: () => '/v1/admin/templates', token: 'none', body: templateInput(), status: 401, code: 'UNAUTHENTICATED' },
  { label: 'a garbage token', method: 'POST', path: () => '/v1/admin/templates', token: 'garbage', body: templateInput(), status: 401, code: 'UNAUTHENTICATED' },
  { label: 'a user token on a back-office route', method: 'POST', path: () => '/v1/admin/templates', token: 'user', body: templateInput(), status: 403, code: 'FORBIDDEN' },
];

describe('bad input gets a clear 4xx, never a 500, never a partial write', () => {
  it.each(cases)('$label -> $status $code', async (testCase) => {
    const before = await scanAll(table);
    const token = { admin, user, orders, none: undefined, garbage: 'x.y.z', longSubject, subject129, hashSubject }[testCase.token ?? 'admin'];
    const result = await api.request(testCase.method, testCase.path(), { token, body: testCase.body, rawBody: testCase.rawBody, headers: testCase.headers });

    expect(result.status).toBe(testCase.status);
    expect(result.body.error.code).toBe(testCase.code);
    expect(typeof result.body.error.message).toBe('string');
    expect(JSON.stringify(result.body)).not.toMatch(/at .+\.(ts|js):\d+/); // no stack trace
    if (testCase.field) {
      expect(result.body.error.details.issues.map((issue: { path: string }) => issue.path)).toContain(testCase.field);
    }
    expect(await scanAll(table)).toEqual(before);
  });
});

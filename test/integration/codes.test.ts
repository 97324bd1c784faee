import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeRoutes } from '../../lib/codes/code-routes';
import { generateCodePart, type CodeDeps, type GenerationQueue } from '../../lib/codes/code-service';
import { checkCharacterOf, DEFAULT_CHARSET, normalizeCode } from '../../lib/codes/code-format';
import { type Container, codeDeps, ledgerDeps, templateRepository } from '../../lib/container';
import { templateLedger } from '../../lib/ledger/ledger-service';
import type { ApiEvent } from '../../lib/http/api-handler';
import { LOCAL_CODE_EXPORT_BUCKET, type LocalQueues, startLocalQueues } from '../../tools/local/local-campaigns';
import { admin, apiEvent, type Caller, invoke, lambdaContext, user } from '../support/api-events';
import { activeTemplate } from '../support/claims';
import { testContainer } from '../support/container';
import { createTestTable, scanAll, type TestTable } from '../support/dynamodb';
import { loadHandler } from '../support/fixtures';

let table: TestTable;
let storage: LocalQueues;
let container: Container;
let nowMs = Date.parse('2026-06-01T10:00:00Z');
/** Parts the batches asked for, run by the test (duplicated and out of order where it says so). */
const sentParts: Array<{ batchId: string; part: number }> = [];
const queue: GenerationQueue = { sendParts: async (batchId, parts) => void sentParts.push(...parts.map((part) => ({ batchId, part }))) };
/** How many redemptions reached the code lookup. */
let lookups = 0;
let handlers: Record<keyof typeof codeRoutes, Awaited<ReturnType<typeof loadHandler>>>;

beforeAll(async () => {
  table = await createTestTable('codes');
  storage = await startLocalQueues();
  container = testContainer(table, { endpoints: { s3: storage.endpoint }, codes: { exportBucket: LOCAL_CODE_EXPORT_BUCKET, partSize: 1_000 } }, { generationQueue: queue, clock: () => nowMs });
  const deps = codeDeps(container);
  const lookup = deps.codes.codesByHash.bind(deps.codes);
  deps.codes.codesByHash = async (hash) => {
    lookups++;
    return lookup(hash);
  };
  handlers = Object.fromEntries(await Promise.all(Object.values(codeRoutes).map(async (route) => [route.id, await loadHandler(route, container)]))) as typeof handlers;
}, 60_000);
afterAll(async () => {
  await storage?.stop();
  container?.clients.destroy();
});

const call = (id: keyof typeof codeRoutes, options: Parameters<typeof apiEvent>[1] & { ip?: string }) => {
  const event: ApiEvent = apiEvent(codeRoutes[id], options);
  if (options.ip) event.requestContext.http.sourceIp = options.ip;
  // Hundreds of requests at once share this one process: each gets the time a Lambda function of its own would.
  return invoke(handlers[id], event, { ...lambdaContext, getRemainingTimeInMillis: () => 120_000 });
};
const createBatch = (templateId: string, body: Record<string, unknown>) => call('createCodeBatch', { caller: admin, pathParameters: { templateId }, body });
const redeem = (caller: Caller, code: string, options: { ip?: string; key?: string } = {}) =>
  call('redeemCode', { caller, body: { code }, headers: { 'idempotency-key': options.key ?? `${caller.sub}-${code}` }, ...(options.ip ? { ip: options.ip } : {}) });
const batchOf = (batchId: string) => call('getCodeBatch', { caller: admin, pathParameters: { batchId } });
const ledgerOf = (templateId: string) => templateLedger(ledgerDeps(container), templateId);

/** Runs the parts the batches asked for, each twice and the second round backwards (duplicates and any order, as SQS may deliver). */
async function runParts(deps: CodeDeps = codeDeps(container)) {
  const parts = sentParts.splice(0);
  for (const message of [...parts, ...[...parts].reverse()]) await generateCodePart(deps, message);
}

/** The export's codes, fetched through the pre-signed link the API hands out. */
async function exportedCodes(batchId: string): Promise<string[]> {
  const link = await call('exportCodeBatch', { caller: admin, pathParameters: { batchId } });
  expect(link.statusCode, JSON.stringify(link.body)).toBe(201);
  const response = await fetch(link.body.url);
  expect(response.status).toBe(200);
  return (await response.text()).split('\n').filter(Boolean);
}

describe('code batches: generate, export, no clear codes at rest', () => {
  it('generates 5,000 unique codes through duplicated, reordered parts; the export holds each once; no item holds a clear code; the ledger balances', async () => {
    const templateId = await activeTemplate(table, { stock: { total: 6_000, shards: 4 } });
    const created = await createBatch(templateId, { batchId: 'spring', kind: 'unique', count: 5_000, pattern: 'SPRING-####-####', validUntil: '2026-12-31T00:00:00Z' });
    expect(created.statusCode, JSON.stringify(created.body)).toBe(202);
    expect(created.body.status).toBe('generating');
    expect(sentParts).toHaveLength(5);
    await runParts();

    const batch = await batchOf('spring');
    expect(batch.body).toMatchObject({ status: 'ready', counts: { codes: 5_000, generated: 5_000, redeemed: 0, exported: 0 }, stock: { reserved: 5_000, outstanding: 5_000 } });
    const codes = await exportedCodes('spring');
    expect(codes).toHaveLength(5_000);
    expect(new Set(codes).size).toBe(5_000);
    for (const code of codes) expect(code).toMatch(/^SPRING-[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}$/);
    expect((await batchOf('spring')).body.counts.exported).toBe(1);
    expect((await batchOf('spring')).body.exports).toEqual([{ by: admin.sub, at: new Date(nowMs).toISOString() }]);

    // No attribute of any item holds a clear code, with or without its dashes.
    const stored = JSON.stringify(await scanAll(table));
    const leaked = codes.filter((code) => stored.includes(code) || stored.includes(normalizeCode(code)));
    expect(leaked).toEqual([]);

    const ledger = await ledgerOf(templateId);
    expect(ledger.balanced, JSON.stringify(ledger.checks)).toBe(true);
    expect(ledger.codeBatches).toEqual([{ batchId: 'spring', status: 'ready', reserved: 5_000, redeemed: 0, givenBack: 0, outstanding: 5_000 }]);
    expect(ledger.inShards).toBe(1_000);
  }, 120_000);

  it('refuses what cannot work: a pattern too small for the count, a bad pattern, too little stock, another request under a taken id; the same request answers the batch', async () => {
    const templateId = await activeTemplate(table, { stock: { total: 100, shards: 1 } });
    const small = await createBatch(templateId, { batchId: 'small', kind: 'unique', count: 2, pattern: 'AB-#####', validUntil: '2026-12-31T00:00:00Z' });
    expect(small.statusCode).toBe(400);
    expect(small.body.error.code).toBe('CODE_SPACE_TOO_SMALL');
    expect(small.body.error.details).toEqual({ capacity: 0, taken: 0, requested: 2 });
    const noCheckSlot = await createBatch(templateId, { batchId: 'bad', kind: 'unique', count: 1, pattern: '########-X', validUntil: '2026-12-31T00:00:00Z' });
    expect(noCheckSlot.statusCode).toBe(400);
    expect(noCheckSlot.body.error.details.issues[0].path).toBe('pattern');
    const short = await createBatch(templateId, { batchId: 'short', kind: 'unique', count: 101, validUntil: '2026-12-31T00:00:00Z' });
    expect(short.statusCode).toBe(409);
    expect(short.body.error.code).toBe('INSUFFICIENT_STOCK');
    const first = await createBatch(templateId, { batchId: 'twice', kind: 'unique', count: 10, validUntil: '2026-12-31T00:00:00Z' });
    expect(first.statusCode).toBe(202);
    const again = await createBatch(templateId, { batchId: 'twice', kind: 'unique', count: 10, validUntil: '2026-12-31T00:00:00Z' });
    expect(again.statusCode).toBe(200);
    expect(again.headers['idempotent-replayed']).toBe('true');
    const other = await createBatch(templateId, { batchId: 'twice', kind: 'unique', count: 11, validUntil: '2026-12-31T00:00:00Z' });
    expect(other.statusCode).toBe(409);
    expect(other.body.error.code).toBe('CODE_BATCH_EXISTS');
    // The repeated request re-sent the parts not generated yet (a crash between create and send is repaired by a retry).
    expect(sentParts.filter((p) => p.batchId === 'twice')).toHaveLength(2);
    await runParts();
    // Nothing was reserved twice: 10 of 100 units.
    expect((await ledgerOf(templateId)).inShards).toBe(90);
  });

  it('a batch whose finishing part crashed writing the export is finished by the worker after a repeated create', async () => {
    const templateId = await activeTemplate(table, { stock: { total: 3_000, shards: 1 } });
    const request = { batchId: 'unfinished', kind: 'unique', count: 2_500, validUntil: '2026-12-31T00:00:00Z' };
    expect((await createBatch(templateId, request)).statusCode).toBe(202);
    const broken: CodeDeps = { ...codeDeps(container), exports: { write: async () => Promise.reject(new Error('S3 is down')), url: async () => '' } };
    for (const part of sentParts.splice(0)) await generateCodePart(broken, part).catch(() => undefined);
    expect((await batchOf('unfinished')).body).toMatchObject({ status: 'generating', counts: { generated: 2_500 } });
    // The repeated create sends the last part again instead of writing the export itself.
    expect((await createBatch(templateId, request)).statusCode).toBe(200);
    expect(sentParts).toEqual([{ batchId: 'unfinished', part: 2 }]);
    await runParts();
    expect((await batchOf('unfinished')).body.status).toBe('ready');
    expect(await exportedCodes('unfinished')).toHaveLength(2_500);
  });
});

describe('redemption', () => {
  it('50 users racing for one unique code: exactly one coupon; the winner replaying gets the same coupon; everyone else 409 CODE_ALREADY_REDEEMED', async () => {
    const templateId = await activeTemplate(table, { stock: { total: 20, shards: 2 } });
    await createBatch(templateId, { batchId: 'race', kind: 'unique', count: 10, validUntil: '2026-12-31T00:00:00Z' });
    await runParts();
    const [code] = await exportedCodes('race');
    const answers = await Promise.all(Array.from({ length: 50 }, async (_, i) => ({ userId: `racer-${i}`, ...(await redeem(user(`racer-${i}`), code!, { ip: `10.0.0.${i}` })) })));
    const won = answers.filter((a) => a.statusCode === 201);
    expect(won).toHaveLength(1);
    expect(answers.filter((a) => a.statusCode === 409).map((a) => a.body.error.code)).toEqual(Array(49).fill('CODE_ALREADY_REDEEMED'));
    const winner = won[0]!.body;
    expect(winner).toMatchObject({ templateId, source: 'code', status: 'available' });
    // The winner again, with the same key and with another: the same coupon, not a second one.
    for (const key of [undefined, 'another-key']) {
      const replay = await redeem(user(won[0]!.userId), code!, { ...(key ? { key } : {}) });
      expect(replay.statusCode).toBe(200);
      expect(replay.body.id).toBe(winner.id);
    }
    const coupons = (await scanAll(table)).filter((item) => item.entity === 'coupon' && item.codeBatchId === 'race');
    expect(coupons).toHaveLength(1);
    expect((await batchOf('race')).body.counts).toMatchObject({ redeemed: 1, failedAttempts: 49 });
    expect((await ledgerOf(templateId)).balanced).toBe(true);
  }, 60_000);

  it('a shared code with maxRedemptions 100 raced by 300 users (each twice at once): exactly 100 coupons, no user twice', async () => {
    const templateId = await activeTemplate(table, { stock: { total: 150, shards: 4 } });
    const created = await createBatch(templateId, { batchId: 'summer', kind: 'shared', code: 'SUMMER25', maxRedemptions: 100, validUntil: '2026-12-31T00:00:00Z' });
    expect(created.statusCode, JSON.stringify(created.body)).toBe(202);
    expect(created.body).toMatchObject({ status: 'ready', code: `SUMMER25${checkCharacterOf('SUMMER25')}` });
    const code = created.body.code as string;
    expect(await exportedCodes('summer')).toEqual([code]);

    /** A client that retries while the answer is 503 TRY_AGAIN, as the API asks. */
    const redeemRetrying = async (i: number, key: string) => {
      const userId = `shopper-${i}`;
      for (;;) {
        const answer = await redeem(user(userId), code.toLowerCase(), { ip: `10.1.${Math.floor(i / 250)}.${i % 250}`, key });
        if (answer.statusCode !== 503) return { userId, ...answer };
      }
    };
    const answers = await Promise.all(Array.from({ length: 300 }, (_, i) => [redeemRetrying(i, 'a'), redeemRetrying(i, 'b')]).flat());
    const coupons = (await scanAll(table)).filter((item) => item.entity === 'coupon' && item.codeBatchId === 'summer');
    expect(coupons).toHaveLength(100);
    expect(new Set(coupons.map((c) => c.userId)).size).toBe(100);
    const winners = new Set(coupons.map((c) => c.userId));
    for (const answer of answers) {
      if (winners.has(answer.userId)) expect([200, 201]).toContain(answer.statusCode);
      else expect(answer.body.error.code).toBe('CODE_ALREADY_REDEEMED');
    }
    // Both requests of a winner answer the one coupon it holds.
    const byUser = new Map<string, Set<string>>();
    for (const answer of answers.filter((a) => winners.has(a.userId))) byUser.set(answer.userId, new Set([...(byUser.get(answer.userId) ?? []), answer.body.id]));
    expect([...byUser.values()].every((ids) => ids.size === 1)).toBe(true);
    const ledger = await ledgerOf(templateId);
    expect(ledger.balanced, JSON.stringify(ledger.checks)).toBe(true);
    expect(ledger.issued.codes).toBe(100);
    expect(ledger.inShards).toBe(50);
  }, 120_000);

  it('unknown, mistyped, expired and revoked codes all answer the same 400 CODE_INVALID; a mistyped one is refused without a lookup', async () => {
    const templateId = await activeTemplate(table, { stock: { total: 20, shards: 1 } });
    await createBatch(templateId, { batchId: 'invalid', kind: 'unique', count: 4, validUntil: '2026-07-01T00:00:00Z' });
    await runParts();
    const [good, revoked, expiring] = await exportedCodes('invalid');
    const typo = good!.slice(0, 2) + (good![2] === 'A' ? 'B' : 'A') + good!.slice(3);
    const unknownBody = 'ZZZZ-ZZZZ-ZZZ';
    const unknown = unknownBody + checkCharacterOf(normalizeCode(unknownBody));
    expect((await call('revokeCode', { caller: admin, pathParameters: { batchId: 'invalid' }, body: { code: revoked } })).statusCode).toBe(200);

    const before = lookups;
    const mistyped = await redeem(user('typist'), typo, { ip: '10.2.0.1' });
    expect(lookups).toBe(before);
    const answers = [mistyped, await redeem(user('guesser'), unknown, { ip: '10.2.0.2' }), await redeem(user('late'), revoked!, { ip: '10.2.0.3' })];
    nowMs = Date.parse('2026-07-01T00:00:00Z');
    answers.push(await redeem(user('later'), expiring!, { ip: '10.2.0.4' }));
    nowMs = Date.parse('2026-06-01T10:00:00Z');
    for (const answer of answers) expect({ status: answer.statusCode, body: answer.body }).toEqual({ status: 400, body: { error: { code: 'CODE_INVALID', message: 'This code cannot be redeemed' } } });
    // The good code still works; the same key with another code is refused.
    expect((await redeem(user('fine'), good!, { key: 'k1' })).statusCode).toBe(201);
    expect((await redeem(user('fine'), expiring!, { key: 'k1' })).statusCode).toBe(422);
  });

  it('1,000 random guesses from one user and one address: at most 5 reach the lookup, the rest get 429 with Retry-After; a valid code of another user on that address still redeems', async () => {
    const templateId = await activeTemplate(table, { stock: { total: 10, shards: 1 } });
    await createBatch(templateId, { batchId: 'guarded', kind: 'unique', count: 2, validUntil: '2026-12-31T00:00:00Z' });
    await runParts();
    const [valid] = await exportedCodes('guarded');
    const random = () => Array.from({ length: 12 }, () => DEFAULT_CHARSET[Math.floor(Math.random() * DEFAULT_CHARSET.length)]).join('');
    const before = lookups;
    const statuses: number[] = [];
    let retryAfter = 0;
    for (let i = 0; i < 1_000; i++) {
      // Half the guesses carry a correct check character, so they would reach the lookup if nothing stopped them.
      const body = random();
      const guess = i % 2 === 0 ? body + checkCharacterOf(body) : `${body}A`;
      const answer = await redeem(user('attacker'), guess, { ip: '203.0.113.9', key: `guess-${i}` });
      statuses.push(answer.statusCode);
      if (answer.statusCode === 429) retryAfter = Number(answer.headers['retry-after']);
    }
    expect(lookups - before).toBeLessThanOrEqual(5);
    expect(statuses.filter((s) => s === 400)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(995);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(30 * 60);
    // 429s write nothing: the user's counter holds the five failures, no more.
    const counters = (await scanAll(table)).filter((item) => item.entity === 'code-failures' && String(item.pk) === 'USER#attacker');
    expect(counters.map((c) => c.failures)).toEqual([5]);
    expect((await redeem(user('honest'), valid!, { ip: '203.0.113.9' })).statusCode).toBe(201);
    // Once the window has slid past, the attacker may try again.
    nowMs += 31 * 60_000;
    expect((await redeem(user('attacker'), valid!, { ip: '203.0.113.9', key: 'later' })).statusCode).toBe(409);
    nowMs = Date.parse('2026-06-01T10:00:00Z');
  }, 120_000);
});

describe('revocation and the ledger', () => {
  it('revoking a code and then the batch: unredeemed codes stop working, their stock returns to the template, redeemed coupons stay; the ledger balances at every step', async () => {
    const templateId = await activeTemplate(table, { stock: { total: 100, shards: 3 } });
    await createBatch(templateId, { batchId: 'autumn', kind: 'unique', count: 40, validUntil: '2026-12-31T00:00:00Z' });
    await runParts();
    const codes = await exportedCodes('autumn');
    const balanced = async (inShards: number) => {
      const ledger = await ledgerOf(templateId);
      expect(ledger.balanced, JSON.stringify(ledger.checks)).toBe(true);
      expect(ledger.inShards).toBe(inShards);
      return ledger;
    };
    await balanced(60);
    for (const [i, code] of codes.slice(0, 10).entries()) expect((await redeem(user(`autumn-${i}`), code, { ip: `10.3.0.${i}` })).statusCode).toBe(201);
    await balanced(60);
    const one = await call('revokeCode', { caller: admin, pathParameters: { batchId: 'autumn' }, body: { code: codes[10] } });
    expect(one.body.counts.revoked).toBe(1);
    await balanced(61);
    // A redeemed code cannot be revoked.
    expect((await call('revokeCode', { caller: admin, pathParameters: { batchId: 'autumn' }, body: { code: codes[0] } })).body.error.code).toBe('CODE_ALREADY_REDEEMED');
    const all = await call('revokeCodeBatch', { caller: admin, pathParameters: { batchId: 'autumn' } });
    expect(all.body).toMatchObject({ status: 'revoked', stock: { reserved: 40, redeemed: 10, givenBack: 30, outstanding: 0 } });
    const ledger = await balanced(90);
    expect(ledger.issued.codes).toBe(10);
    expect((await redeem(user('too-late'), codes[20]!, { ip: '10.3.1.1' })).body.error.code).toBe('CODE_INVALID');
    // Revoking again changes nothing; the redeemed coupons are still there.
    expect((await call('revokeCodeBatch', { caller: admin, pathParameters: { batchId: 'autumn' } })).body.stock.givenBack).toBe(30);
    expect((await scanAll(table)).filter((item) => item.entity === 'coupon' && item.codeBatchId === 'autumn')).toHaveLength(10);
    expect((await templateRepository(container).get(templateId))?.stock.total).toBe(100);
  });

  it('a batch revoked while it generates never becomes ready, and its parts write nothing more', async () => {
    const templateId = await activeTemplate(table, { stock: { total: 3_000, shards: 2 } });
    await createBatch(templateId, { batchId: 'halted', kind: 'unique', count: 3_000, validUntil: '2026-12-31T00:00:00Z' });
    const parts = sentParts.splice(0);
    await generateCodePart(codeDeps(container), parts[0]!);
    expect((await call('revokeCodeBatch', { caller: admin, pathParameters: { batchId: 'halted' } })).body.status).toBe('revoked');
    for (const part of parts) await generateCodePart(codeDeps(container), part);
    const batch = await batchOf('halted');
    expect(batch.body).toMatchObject({ status: 'revoked', counts: { generated: 1_000 }, stock: { givenBack: 3_000 } });
    expect((await call('exportCodeBatch', { caller: admin, pathParameters: { batchId: 'halted' } })).body.error.code).toBe('CODE_BATCH_REVOKED');
    expect((await ledgerOf(templateId)).balanced).toBe(true);
  });
});

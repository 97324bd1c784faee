import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { ClaimRefusedError, claimCoupons, type ClaimDeps } from '../../lib/claims/claim-service';
import { ContentionError, IdempotencyKeyReusedError } from '../../lib/errors';
import { templatePartition, userPartition } from '../../lib/keys';
import { activeTemplate, claimDepsFor } from '../support/claims';
import { createTestTable, queryPartition, type TestTable } from '../support/dynamodb';

/**
 * Property-based concurrency tests against the real engine: random stock, shard counts and limits;
 * many users claiming at once through several "Lambda environments" (each its own template cache),
 * with retries of the same request and keys reused with other bodies. After every run the books must
 * balance exactly.
 */
let table: TestTable;
let environments: ClaimDeps[];
beforeAll(async () => {
  table = await createTestTable('claims-concurrency');
  environments = Array.from({ length: 3 }, () => claimDepsFor(table));
});

type Outcome = { kind: 'issued'; couponIds: string[]; body: string } | { kind: 'refused' | 'reused' | 'contention'; body: string };

interface Request {
  readonly user: number;
  readonly key: number;
  readonly quantityA: number;
  readonly withB: boolean;
  readonly retries: number;
  readonly environment: number;
}

const requestArbitrary = fc.record({
  user: fc.nat({ max: 5 }),
  key: fc.nat({ max: 3 }),
  quantityA: fc.integer({ min: 1, max: 3 }),
  withB: fc.boolean(),
  retries: fc.nat({ max: 2 }),
  environment: fc.nat({ max: 2 }),
});

const scenarioArbitrary = fc.record({
  stockA: fc.nat({ max: 25 }),
  shardsA: fc.integer({ min: 1, max: 8 }),
  stockB: fc.nat({ max: 6 }),
  shardsB: fc.integer({ min: 1, max: 3 }),
  limit: fc.integer({ min: 1, max: 3 }),
  requests: fc.array(requestArbitrary, { minLength: 1, maxLength: 20 }),
});

let runNumber = 0;

async function send(deps: ClaimDeps, userId: string, templateIds: string[], key: string): Promise<Outcome> {
  const body = [...templateIds].sort().join();
  try {
    const result = await claimCoupons(deps, { userId, templateIds, idempotencyKey: key });
    return { kind: 'issued', couponIds: result.coupons.map((c) => c.id), body };
  } catch (error) {
    if (error instanceof ClaimRefusedError) return { kind: 'refused', body };
    if (error instanceof IdempotencyKeyReusedError) return { kind: 'reused', body };
    if (error instanceof ContentionError) return { kind: 'contention', body };
    throw error;
  }
}

async function checkBooks(run: number, templates: { id: string; stock: number }[], users: string[], limit: number, outcomes: Map<string, Outcome[]>) {
  const userItems = new Map(await Promise.all(users.map(async (u) => [u, await queryPartition(table, userPartition(u))] as const)));
  for (const template of templates) {
    const shards = (await queryPartition(table, templatePartition(template.id))).filter((i) => String(i.sk).startsWith('STOCK#'));
    const left = shards.reduce((sum, s) => sum + Number(s.available), 0);
    for (const shard of shards) expect(Number(shard.available)).toBeGreaterThanOrEqual(0);
    let issued = 0;
    for (const user of users) {
      const items = userItems.get(user)!;
      const held = items.filter((i) => String(i.sk).startsWith('CPN#') && i.templateId === template.id).length;
      const counter = items.find((i) => i.sk === `CLAIMS#${template.id}`);
      expect(held, `${user} holds at most the limit`).toBeLessThanOrEqual(limit);
      expect(Number(counter?.claimed ?? 0), `${user}'s counter matches their coupons`).toBe(held);
      issued += held;
    }
    expect(left + issued, `run ${run}: shards + issued = initial stock`).toBe(template.stock);
  }
  // Each key has one outcome: every success under a key names the same coupons, and those are all the user holds.
  for (const user of users) {
    const held = new Set(userItems.get(user)!.filter((i) => String(i.sk).startsWith('CPN#')).map((i) => String(i.id)));
    const fromKeys = new Set<string>();
    for (const [keyId, list] of outcomes) {
      if (!keyId.startsWith(`${user}|`)) continue;
      const successes = list.filter((o): o is Extract<Outcome, { kind: 'issued' }> => o.kind === 'issued');
      for (const success of successes) expect(success.couponIds).toEqual(successes[0]!.couponIds);
      if (successes.length > 0) {
        const issuedBody = successes[0]!.body;
        // The same body under that key always gets the same coupons back, never a refusal ...
        for (const o of list) if (o.body === issuedBody) expect(o.kind, `key ${keyId}`).toBe('issued');
        // ... and 422 only ever answers another body. (Another body sent while the first was still in
        // flight may instead get its own refusal: it consumed nothing, so the key still has one outcome.)
        for (const o of list) if (o.kind === 'reused') expect(o.body).not.toBe(issuedBody);
        for (const id of successes[0]!.couponIds) fromKeys.add(id);
      }
    }
    expect([...held].sort(), `${user}: no coupon without a key that issued it`).toEqual([...fromKeys].sort());
  }
}

describe('claims under concurrency (fast-check, DynamoDB Local)', () => {
  it('never issues beyond stock or limits, never twice for one key, and stock + issued = initial, over 200 random runs', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArbitrary, async (scenario) => {
        const run = ++runNumber;
        const a = await activeTemplate(table, { stock: { total: scenario.stockA, shards: scenario.shardsA }, perUserLimit: scenario.limit });
        const b = await activeTemplate(table, { stock: { total: scenario.stockB, shards: scenario.shardsB }, perUserLimit: scenario.limit });
        const users = Array.from({ length: 6 }, (_, i) => `run${run}-user${i}`);
        const outcomes = new Map<string, Outcome[]>();
        const sends: Promise<void>[] = [];
        for (const request of scenario.requests) {
          const userId = users[request.user]!;
          const templateIds = [...Array.from({ length: request.quantityA }, () => a), ...(request.withB ? [b] : [])];
          const keyId = `${userId}|${request.key}`;
          for (let attempt = 0; attempt <= request.retries; attempt++) {
            const deps = environments[(request.environment + attempt) % environments.length]!;
            sends.push(
              send(deps, userId, templateIds, `key-${request.key}`).then((outcome) => {
                outcomes.set(keyId, [...(outcomes.get(keyId) ?? []), outcome]);
              }),
            );
          }
        }
        await Promise.all(sends);
        await checkBooks(run, [{ id: a, stock: scenario.stockA }, { id: b, stock: scenario.stockB }], users, scenario.limit, outcomes);
      }),
      { numRuns: 200 },
    );
  }, 240_000); // ~30 s alone; CI runs two test files at once on two cores

  it('2,000 users claiming a 100-unit template at once: exactly 100 coupons, 1,900 SOLD_OUT, nothing left', async () => {
    const templateId = await activeTemplate(table, { stock: { total: 100, shards: 8 }, perUserLimit: 1 });
    const outcomes = await Promise.all(
      Array.from({ length: 2_000 }, (_, i) => send(environments[i % environments.length]!, `flash-user-${i}`, [templateId], 'flash')),
    );
    const issued = outcomes.filter((o) => o.kind === 'issued');
    expect(issued).toHaveLength(100);
    expect(outcomes.filter((o) => o.kind === 'refused')).toHaveLength(1_900);
    const shards = (await queryPartition(table, templatePartition(templateId))).filter((i) => String(i.sk).startsWith('STOCK#'));
    expect(shards.reduce((sum, s) => sum + Number(s.available), 0)).toBe(0);
  }, 120_000);
});

import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CodeDeps, createCodeBatch, exportCodeBatch, generateCodePart, redeemCode, revokeCode, revokeCodeBatch } from '../../lib/codes/code-service';
import { type Container, codeDeps, ledgerDeps } from '../../lib/container';
import { DomainError } from '../../lib/errors';
import { templateLedger } from '../../lib/ledger/ledger-service';
import { LOCAL_CODE_EXPORT_BUCKET, type LocalQueues, startLocalQueues } from '../../tools/local/local-campaigns';
import { type Faults, faultyClient } from '../support/campaigns';
import { activeTemplate } from '../support/claims';
import { testContainer } from '../support/container';
import { createTestTable, scanAll, type TestTable } from '../support/dynamodb';

/**
 * Codes under crashes, throttling and duplicates, on DynamoDB Local: generated runs of batch
 * generation with duplicated parts and crashes, then redemptions, replays, single and batch revocations
 * with a crash or throttling injected into some of them (the caller retries with the same key, as a
 * client does after a 500 or a 503). After each run: every template's ledger balances, a unique code
 * gave at most one coupon, a shared code at most its maximum and at most one per user, and every coupon
 * of a code is the one its code (or the user's marker) names.
 */
const RUNS = 20;

let table: TestTable;
let storage: LocalQueues;
let container: Container;
let clean: CodeDeps;
let faultyDeps: (faults: Faults) => CodeDeps;
const sent: Array<{ batchId: string; part: number }> = [];

beforeAll(async () => {
  table = await createTestTable('codes-property');
  storage = await startLocalQueues();
  const settings = { endpoints: { s3: storage.endpoint }, codes: { exportBucket: LOCAL_CODE_EXPORT_BUCKET, partSize: 7 }, campaigns: { writeAttempts: 3, writeBaseDelayMs: 1 } };
  const generationQueue = { sendParts: async (batchId: string, parts: readonly number[]) => void sent.push(...parts.map((part) => ({ batchId, part }))) };
  container = testContainer(table, settings, { generationQueue });
  clean = codeDeps(container);
  // Each step its own "Lambda environment" with its own faults: steps run side by side.
  faultyDeps = (faults) => ({ ...codeDeps(testContainer(table, settings, { generationQueue, dynamodb: faultyClient(table.client, faults, 13) })), sleep: async () => {} });
}, 60_000);
afterAll(async () => {
  await storage?.stop();
  container?.clients.destroy();
});

const fault = fc.oneof(
  fc.constant<Faults>({}),
  fc.record({ crashAfterAnyWrites: fc.integer({ min: 0, max: 2 }) }),
  fc.record({ throttledCalls: fc.constant(0.5), unprocessedShare: fc.constant(0.3) }),
);
const operation = fc.oneof(
  // Few codes and users, so steps of a round often meet on one code.
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('redeem' as const), user: fc.integer({ min: 0, max: 5 }), code: fc.integer({ min: 0, max: 1 }), shared: fc.boolean(), fault }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('revoke-code' as const), code: fc.integer({ min: 0, max: 19 }), fault }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('revoke-batch' as const), shared: fc.boolean(), fault }) },
);
const scenario = fc.record({
  codes: fc.integer({ min: 5, max: 20 }),
  maxRedemptions: fc.integer({ min: 1, max: 4 }),
  generationFault: fault,
  /** Steps in rounds; the steps of a round run at once (races on one code, one shard, one batch). */
  rounds: fc.array(fc.array(operation, { minLength: 2, maxLength: 6 }), { minLength: 3, maxLength: 8 }),
});

/** Runs a step with the scenario's fault; after an injected crash or a refusal of throttling, the client tries again without faults (same idempotency key). */
async function withFault<T>(f: Faults, step: (deps: CodeDeps) => Promise<T>): Promise<T | DomainError> {
  try {
    return await step(faultyDeps(f));
  } catch (error) {
    if (error instanceof DomainError) return error;
  }
  try {
    return await step(clean);
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
}

describe('codes under crashes, throttling and duplicates (property, DynamoDB Local, fauxqs)', () => {
  it(`keep every promise in ${RUNS} generated runs`, async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        run++;
        const templateId = await activeTemplate(table, { stock: { total: 40, shards: 2 }, perUserLimit: 50 });
        const unique = `u${run}`;
        const shared = `s${run}`;
        await createCodeBatch(clean, { templateId, request: { batchId: unique, kind: 'unique', count: s.codes, pattern: '####-####-####', charset: 'ABCDEFGHJKMNPQRSTUVWXYZ23456789', validUntil: '2030-01-01T00:00:00.000Z' }, by: 'test' });
        const { code: sharedCode } = await createCodeBatch(clean, { templateId, request: { batchId: shared, kind: 'shared', code: `FREE${run}X`, maxRedemptions: s.maxRedemptions, validUntil: '2030-01-01T00:00:00.000Z' }, by: 'test' });
        // Every part twice, the first round under the generation fault (a crashed part comes back, as SQS redelivers it).
        const parts = sent.splice(0);
        for (const part of [...parts, ...parts]) await withFault(s.generationFault, (deps) => generateCodePart(deps, part));
        const link = await exportCodeBatch(clean, { batchId: unique, by: 'test' });
        const codes = (await (await fetch(link.url)).text()).split('\n').filter(Boolean);
        expect(codes).toHaveLength(s.codes);

        for (const [r, round] of s.rounds.entries()) {
          await Promise.all(
            round.map((op, i) => {
              if (op.kind === 'redeem') {
                const code = op.shared ? sharedCode! : codes[op.code % codes.length]!;
                return withFault(op.fault, (deps) => redeemCode(deps, { userId: `r${run}-user-${op.user}`, address: `10.${run % 250}.${r}.${i}`, code, idempotencyKey: `op-${r}-${i}` }));
              }
              if (op.kind === 'revoke-code') return withFault(op.fault, (deps) => revokeCode(deps, { batchId: unique, code: codes[op.code % codes.length]! }));
              return withFault(op.fault, (deps) => revokeCodeBatch(deps, op.shared ? shared : unique));
            }),
          );
        }

        const ledger = await templateLedger(ledgerDeps(container), templateId);
        expect(ledger.balanced, JSON.stringify(ledger.checks)).toBe(true);
        const items = (await scanAll(table)).filter((item) => item.batchId === unique || item.batchId === shared || item.codeBatchId === unique || item.codeBatchId === shared);
        const coupons = items.filter((item) => item.entity === 'coupon');
        const storedCodes = items.filter((item) => item.entity === 'code' && item.batchId === unique);
        const markers = items.filter((item) => item.entity === 'code-redemption');
        // Unique: one coupon per redeemed code, the one the code names, held by the user it names.
        const uniqueCoupons = coupons.filter((c) => c.codeBatchId === unique);
        const redeemed = storedCodes.filter((c) => c.status === 'redeemed');
        expect(uniqueCoupons.map((c) => `${c.userId}/${c.id}`).sort()).toEqual(redeemed.map((c) => `${c.redeemedBy}/${c.couponId}`).sort());
        // Shared: at most its maximum, at most one per user, each named by the user's marker.
        const sharedCoupons = coupons.filter((c) => c.codeBatchId === shared);
        expect(sharedCoupons.length).toBeLessThanOrEqual(s.maxRedemptions);
        expect(new Set(sharedCoupons.map((c) => c.userId)).size).toBe(sharedCoupons.length);
        expect(sharedCoupons.map((c) => `${c.userId}/${c.id}`).sort()).toEqual(markers.map((m) => `${m.userId}/${m.couponId}`).sort());
        expect(ledger.issued.codes).toBe(coupons.length);
      }),
      { numRuns: RUNS, seed: 20261123, endOnFailure: true },
    );
  }, 600_000);
});

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { importDeps, ledgerDeps } from '../../lib/container';
import type { ImportMessage } from '../../lib/imports/import';
import { dualWriteCoupon, handleImportMessage, type ImportDeps, importProgress, startImport } from '../../lib/imports/import-service';
import { FileImportSource } from '../../lib/imports/file-import-source';
import { InProcessImportQueue } from '../../lib/imports/in-process-import-queue';
import { LegacyCouponRecord, legacyTemplateId } from '../../lib/imports/legacy-records';
import { templateLedger } from '../../lib/ledger/ledger-service';
import { type LegacyCoupon, legacyDataSet } from '../../tools/local/legacy-data';
import { testContainer } from '../support/container';
import { createTestTable, type TestTable } from '../support/dynamodb';
import { countersAgree, written } from '../support/imports';

const RUNS = 20;
let table: TestTable;
const folder = mkdtempSync(join(tmpdir(), 'imports-property-'));

beforeAll(async () => {
  table = await createTestTable('imports-property');
}, 60_000);

/** A change the legacy system sends while dual writes are on, and what goes wrong with it. */
const change = fc.record({
  coupon: fc.nat(),
  /** Its `updatedAt`, hours after the exported one (-1: an older change arriving late). */
  hours: fc.constantFrom(-1, 0.5, 1, 2, 3),
  status: fc.constantFrom('unused' as const, 'frozen' as const, 'used' as const, 'expired' as const),
  /** Before the coupons' import, during it (before the import's n-th DynamoDB call), or after it. */
  when: fc.constantFrom('before' as const, 'during' as const, 'after' as const),
  at: fc.integer({ min: 1, max: 40 }),
  /** The dual write's process stops: before its version is recorded, or after (before the coupon is written). */
  stops: fc.constantFrom('no' as const, 'before-version' as const, 'after-version' as const),
  /** The legacy system sends it again (it got no answer, or a duplicate delivery). */
  sentTwice: fc.boolean(),
});
const scenario = fc.record({
  coupons: fc.integer({ min: 4, max: 30 }),
  users: fc.integer({ min: 1, max: 6 }),
  partSize: fc.integer({ min: 3, max: 12 }),
  changes: fc.array(change, { maxLength: 12 }),
  /** The import's n-th DynamoDB call fails: the process crashes, or the SDK gave up on throttling. */
  importFault: fc.option(fc.record({ at: fc.integer({ min: 1, max: 60 }), kind: fc.constantFrom('crash' as const, 'throttled' as const) }), { nil: undefined }),
  /** Every import step is delivered twice (SQS's at-least-once). */
  redelivered: fc.boolean(),
});
type Change = typeof change extends fc.Arbitrary<infer T> ? T : never;

class InjectedFault extends Error {}

const LEGACY_STATUS_HELD = { unused: 'available', frozen: 'locked', locked: 'locked', used: 'used', expired: 'expired' } as const;

/** The coupon record a change sends: the exported one, changed. */
const changed = (record: LegacyCoupon, c: Change): LegacyCouponRecord =>
  LegacyCouponRecord.parse({
    ...record,
    status: c.status,
    ...(c.status === 'used' || c.status === 'frozen' ? { orderId: `order-${record.externalId}-${c.hours}` } : {}),
    updatedAt: new Date(Date.parse(record.updatedAt) + c.hours * 3_600_000).toISOString(),
  });

/** The DynamoDB client of the import's process: runs the changes due before each call, and fails the n-th call once. */
function importClient(real: DynamoDBDocumentClient, dueBefore: (call: number) => Promise<void>, fault: { at: number; kind: 'crash' | 'throttled' } | undefined): DynamoDBDocumentClient {
  let calls = 0;
  return new Proxy(real, {
    get(target, property, receiver) {
      if (property !== 'send') return Reflect.get(target, property, receiver);
      return async (command: never) => {
        const call = ++calls;
        await dueBefore(call);
        if (fault && call === fault.at) {
          const error = new InjectedFault(`injected ${fault.kind} at the import's call ${call}`);
          if (fault.kind === 'throttled') error.name = 'ThrottlingException';
          throw error;
        }
        return real.send(command);
      };
    },
  });
}

describe('an import and dual writes, with crashes, duplicates and throttling anywhere (property)', () => {
  it('every coupon ends once, in its newest recorded version; counters count each once; ledgers balance', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        const prefix = `p${++run}`;
        const data = legacyDataSet({ coupons: s.coupons, users: s.users, templates: 2, brokenShare: 0, seed: run, prefix });
        const files = { templates: join(folder, `${prefix}-templates.jsonl`), coupons: join(folder, `${prefix}-coupons.jsonl`) };
        writeFileSync(files.templates, data.templates);
        writeFileSync(files.coupons, data.coupons);
        const queue = new InProcessImportQueue();
        // A write window a part of a dozen coupons keeps even on a loaded machine; settles come back after twice that.
        const settings = { imports: { partSize: s.partSize, verifySegments: 2, writeWindowMs: 1_000, settleDelaySeconds: 2 } };
        const base = testContainer(table, settings, { importQueue: queue, importSource: new FileImportSource() });
        const deps = importDeps(base);
        const records = [...data.records.values()];

        // One change per coupon and version (two different records of one version have no newest).
        const changes = s.changes.filter((c, i) => s.changes.findIndex((d) => d.coupon % s.coupons === c.coupon % s.coupons && d.hours === c.hours) === i);
        const recorded: Array<{ externalId: string; record: LegacyCouponRecord }> = [];
        const sent = new Set<Change>();
        const send = async (c: Change) => {
          if (sent.has(c)) return;
          sent.add(c);
          const record = changed(records[c.coupon % s.coupons]!, c);
          const stopping: ImportDeps['imports'] = Object.create(deps.imports, {
            recordVersion: { value: c.stops === 'before-version' ? () => Promise.reject(new InjectedFault('stopped before the version')) : deps.imports.recordVersion.bind(deps.imports) },
            writeVersion: { value: c.stops === 'after-version' ? () => Promise.reject(new InjectedFault('stopped after the version')) : deps.imports.writeVersion.bind(deps.imports) },
          });
          const first = dualWriteCoupon({ ...deps, imports: stopping }, record.externalId, record).catch((error: unknown) => error);
          const answer = await first;
          // A change older than the version recorded is ignored before the step that would stop.
          if (c.stops === 'before-version' || (c.stops === 'after-version' && !(typeof answer === 'object' && answer !== null && 'outcome' in answer && answer.outcome === 'ignored'))) expect(answer).toBeInstanceOf(InjectedFault);
          else expect(answer).toMatchObject({ outcome: expect.stringMatching(/^(written|unchanged|ignored)$/) });
          if (c.stops !== 'before-version') recorded.push({ externalId: record.externalId, record });
          if (c.sentTwice) {
            await dualWriteCoupon(deps, record.externalId, record);
            if (c.stops === 'before-version') recorded.push({ externalId: record.externalId, record });
          }
        };
        const handle = (handleDeps: ImportDeps) => async (message: ImportMessage) => {
          await handleImportMessage(handleDeps, message);
          if (s.redelivered) await handleImportMessage(handleDeps, message);
        };

        // The cut-over's order: templates, dual writes on, the coupons' import, dual writes go on.
        await startImport(deps, { importId: `${prefix}-static`, templatesFile: { location: 'local', path: files.templates, format: 'jsonl' }, dryRun: false, startedBy: 'test' });
        await queue.drain(handle(deps), { concurrency: 2 });
        for (const c of changes.filter((c) => c.when === 'before')) await send(c);
        const during = changes.filter((c) => c.when === 'during');
        const faulty = testContainer(table, settings, {
          importQueue: queue,
          importSource: new FileImportSource(),
          dynamodb: importClient(base.clients.dynamodb(), async (call) => {
            for (const c of during.filter((c) => c.at === call)) await send(c);
          }, s.importFault),
        });
        const importing = importDeps(faulty);
        await startImport(importing, { importId: `${prefix}-coupons`, couponsFile: { location: 'local', path: files.coupons, format: 'jsonl' }, dryRun: false, startedBy: 'test' }).catch((error: unknown) => {
          // A fault on the start itself: the back office starts it again.
          if (!(error instanceof InjectedFault)) throw error;
          return startImport(importing, { importId: `${prefix}-coupons`, couponsFile: { location: 'local', path: files.coupons, format: 'jsonl' }, dryRun: false, startedBy: 'test' });
        });
        await queue.drain(handle(importing), { concurrency: 2, attempts: 10 });
        for (const c of changes) await send(c);
        // The settle messages of the last changes.
        await queue.drain(handle(deps), { concurrency: 2 });

        expect((await importProgress(deps, `${prefix}-coupons`)).status).toBe('completed');
        const { coupons } = await written(table);
        const mine = coupons.filter((coupon) => String(coupon.externalId).startsWith(`${prefix}-`));
        expect(mine).toHaveLength(s.coupons);
        for (const exported of records) {
          const newest = [LegacyCouponRecord.parse(exported), ...recorded.filter((r) => r.externalId === exported.externalId).map((r) => r.record)].reduce((a, b) => (b.updatedAt > a.updatedAt ? b : a));
          const held = mine.find((coupon) => coupon.externalId === exported.externalId);
          expect(held, exported.externalId).toMatchObject({ legacyUpdatedAt: newest.updatedAt, status: LEGACY_STATUS_HELD[newest.status] });
        }
        expect(await countersAgree(table)).toEqual([]);
        for (const t of data.templates.split('\n').filter(Boolean)) {
          const ledger = await templateLedger(ledgerDeps(base), legacyTemplateId(JSON.parse(t) as { externalId: string }));
          expect(ledger.balanced, JSON.stringify(ledger.checks)).toBe(true);
        }
        faulty.clients.destroy();
        base.clients.destroy();
      }),
      { numRuns: RUNS },
    );
  }, 900_000);
});


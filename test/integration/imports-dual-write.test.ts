import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Container, importDeps, ledgerDeps } from '../../lib/container';
import type { ImportMessage } from '../../lib/imports/import';
import { dualWriteCoupon, handleImportMessage, importProgress, startImport } from '../../lib/imports/import-service';
import { FileImportSource } from '../../lib/imports/file-import-source';
import { InProcessImportQueue } from '../../lib/imports/in-process-import-queue';
import { LegacyCouponRecord } from '../../lib/imports/legacy-records';
import { templateLedger } from '../../lib/ledger/ledger-service';
import { type LegacyCoupon, legacyDataSet } from '../../tools/local/legacy-data';
import { testContainer } from '../support/container';
import { createTestTable, type TestTable } from '../support/dynamodb';
import { countersAgree, written } from '../support/imports';

let table: TestTable;
let queue: InProcessImportQueue;
let container: Container;
const folder = mkdtempSync(join(tmpdir(), 'imports-'));
const templatesFile = { location: 'local' as const, path: join(folder, 'templates.jsonl'), format: 'jsonl' as const };
const couponsFile = { location: 'local' as const, path: join(folder, 'coupons.jsonl'), format: 'jsonl' as const };

beforeAll(async () => {
  table = await createTestTable('dual-writes');
  queue = new InProcessImportQueue();
  // A write window that a loaded 2-core machine keeps; settle messages come back after twice that.
  container = testContainer(table, { imports: { partSize: 2_000, verifySegments: 4, writeWindowMs: 15_000, settleDelaySeconds: 30 } }, { importQueue: queue, importSource: new FileImportSource() });
}, 60_000);
afterAll(() => container?.clients.destroy());

const deps = () => importDeps(container);

describe('dual writes while an import runs', () => {
  // The data set: 100,000 coupons, 20,000 users, 50 templates, 1% broken (its own table: next to imports.test.ts's it timed out).
  const fresh = legacyDataSet({ coupons: 100_000, users: 20_000, templates: 50, brokenShare: 0.01, seed: 11, prefix: 'dual' });
  const newer = (record: LegacyCoupon, hours: number, status: LegacyCoupon['status']): LegacyCouponRecord =>
    LegacyCouponRecord.parse({ ...record, status, ...(status === 'used' || status === 'frozen' ? { orderId: `new-order-${record.externalId}` } : {}), updatedAt: new Date(Date.parse(record.updatedAt) + hours * 3_600_000).toISOString() });

  it('a dual write landing between the import\'s read and its blind write is overwritten, then put back by its settle message', async () => {
    const set = legacyDataSet({ coupons: 40, users: 10, templates: 2, brokenShare: 0, seed: 13, prefix: 'race' });
    const files = { templates: join(folder, 'race-templates.jsonl'), coupons: join(folder, 'race-coupons.jsonl') };
    writeFileSync(files.templates, set.templates);
    writeFileSync(files.coupons, set.coupons);
    const raceQueue = new InProcessImportQueue();
    const settleQueue = new InProcessImportQueue();
    const settings = { imports: { partSize: 100, verifySegments: 2, writeWindowMs: 1_000, settleDelaySeconds: 2 } };
    const target = [...set.records.values()][3]!;
    const update = newer(target, 5, 'used');
    let raced = false;
    // The dual write runs just before the import's first BatchWriteItem of coupons: after its read.
    const base = testContainer(table, settings, { importQueue: settleQueue, importSource: new FileImportSource() });
    const real = base.clients.dynamodb();
    const racing = new Proxy(real, {
      get(target_, property, receiver) {
        if (property !== 'send') return Reflect.get(target_, property, receiver);
        return async (command: unknown) => {
          if (!raced && command instanceof BatchWriteCommand && JSON.stringify(command.input).includes(target.externalId)) {
            raced = true;
            await dualWriteCoupon(importDeps(base), update.externalId, update);
          }
          return real.send(command as never);
        };
      },
    });
    const racingContainer = testContainer(table, settings, { importQueue: raceQueue, importSource: new FileImportSource(), dynamodb: racing });
    await startImport(importDeps(racingContainer), { importId: 'race', templatesFile: { ...templatesFile, path: files.templates }, couponsFile: { ...couponsFile, path: files.coupons }, dryRun: false, startedBy: 'test' });
    await raceQueue.drain((message: ImportMessage) => handleImportMessage(importDeps(racingContainer), message), { concurrency: 1 });
    expect(raced).toBe(true);
    expect((await importProgress(importDeps(racingContainer), 'race')).status).toBe('completed');
    const held = async () => (await written(table)).coupons.find((coupon) => coupon.externalId === target.externalId);
    // The import's blind write landed after the dual write: the table holds the older version for now.
    expect(await held()).toMatchObject({ legacyUpdatedAt: target.updatedAt });
    await settleQueue.drain((message: ImportMessage) => handleImportMessage(importDeps(base), message), { concurrency: 1 });
    expect(await held()).toMatchObject({ status: 'used', legacyUpdatedAt: update.updatedAt });
    expect(await countersAgree(table)).toEqual([]);
  }, 120_000);

  it('a dual write that stopped after recording its version is finished by its settle message; a settle with nothing to do writes nothing', async () => {
    const set = legacyDataSet({ coupons: 4, users: 2, templates: 1, brokenShare: 0, seed: 17, prefix: 'halfway' });
    const files = { templates: join(folder, 'halfway-templates.jsonl') };
    writeFileSync(files.templates, set.templates.replace('"claimable":false', '"claimable":true'));
    const settleQueue = new InProcessImportQueue();
    const halfway = testContainer(table, { imports: { partSize: 100, verifySegments: 2, writeWindowMs: 500, settleDelaySeconds: 1 } }, { importQueue: settleQueue, importSource: new FileImportSource() });
    const halfwayDeps = importDeps(halfway);
    await startImport(halfwayDeps, { importId: 'halfway', templatesFile: { ...templatesFile, path: files.templates }, dryRun: false, startedBy: 'test' });
    await settleQueue.drain((message) => handleImportMessage(halfwayDeps, message), { concurrency: 1 });
    const [first, second] = [...set.records.values()];
    // The first: the process stops after the version record (the coupon write throws), and the legacy system never retries.
    const crashing = { ...halfwayDeps, imports: Object.assign(Object.create(halfwayDeps.imports), { writeVersion: () => Promise.reject(new Error('crash after the version record')) }) };
    await expect(dualWriteCoupon(crashing, first!.externalId, LegacyCouponRecord.parse(first))).rejects.toThrow('crash after the version record');
    await dualWriteCoupon(halfwayDeps, second!.externalId, LegacyCouponRecord.parse(second));
    const heldIds = async () => (await written(table)).coupons.map((coupon) => String(coupon.externalId)).filter((id) => id.startsWith('halfway'));
    expect(await heldIds()).toEqual([second!.externalId]);
    await settleQueue.drain((message) => handleImportMessage(halfwayDeps, message), { concurrency: 1 });
    expect((await heldIds()).sort()).toEqual([first!.externalId, second!.externalId].sort());
    expect(await countersAgree(table)).toEqual([]);
  }, 60_000);

  // Last: after 100,000 coupons this file's DynamoDB Local answers far slower (the tests above scan the table).
  it('updates sent before, during and after the import, in any order, end in the newest state; counters count each coupon once', async () => {
    const files = { templates: join(folder, 'dual-templates.jsonl'), coupons: join(folder, 'dual-coupons.jsonl') };
    writeFileSync(files.templates, fresh.templates);
    writeFileSync(files.coupons, fresh.coupons);
    // Templates first (the cut-over's static data), then dual writes on, then the coupons.
    await startImport(deps(), { importId: 'dual-static', templatesFile: { ...templatesFile, path: files.templates }, dryRun: false, startedBy: 'test' });
    await queue.drain((message) => handleImportMessage(deps(), message), { concurrency: 4 });

    const records = [...fresh.records.values()];
    const updates = records.filter((_, i) => i % 100 === 0).flatMap((record, i) => [newer(record, 1, 'frozen'), newer(record, 2, i % 2 === 0 ? 'used' : 'unused'), newer(record, 0.5, 'expired')]);
    const newest = new Map(updates.filter((u) => !updates.some((v) => v.externalId === u.externalId && v.updatedAt > u.updatedAt)).map((u) => [u.externalId, u]));
    // Some before the import starts (they create the coupon), the rest while it runs, each coupon's in shuffled order.
    const early = updates.filter((u) => Number(u.externalId.split('-').at(-1)) % 20 === 0);
    for (const update of early) await dualWriteCoupon(deps(), update.externalId, update);
    const late = updates.filter((u) => !early.includes(u)).sort(() => Math.random() - 0.5);
    await startImport(deps(), { importId: 'dual-coupons', couponsFile: { ...couponsFile, path: files.coupons }, dryRun: false, startedBy: 'test' });
    const sending = (async () => {
      for (const update of late) await dualWriteCoupon(deps(), update.externalId, update);
    })();
    await Promise.all([queue.drain((message) => handleImportMessage(deps(), message), { concurrency: 4 }), sending]);
    // The settle messages of dual writes sent after the drain ended.
    await queue.drain((message) => handleImportMessage(deps(), message), { concurrency: 4 });
    const view = await importProgress(deps(), 'dual-coupons');
    expect(view).toMatchObject({ status: 'completed', coupons: { invalid: fresh.brokenLines.size } });

    const { coupons } = await written(table);
    const byExternal = new Map(coupons.map((coupon) => [String(coupon.externalId), coupon]));
    expect(records.every((record) => byExternal.has(record.externalId))).toBe(true);
    const wrong = [...newest.values()].filter((update) => byExternal.get(update.externalId)?.legacyUpdatedAt !== update.updatedAt);
    expect(wrong).toEqual([]);
    const untouched = records.filter((record) => !newest.has(record.externalId));
    expect(untouched.every((record) => byExternal.get(record.externalId)?.legacyUpdatedAt === record.updatedAt)).toBe(true);
    expect(await countersAgree(table)).toEqual([]);
    for (const templateId of new Set(coupons.map((coupon) => String(coupon.templateId)))) {
      const ledger = await templateLedger(ledgerDeps(container), templateId);
      expect(ledger.balanced, JSON.stringify(ledger.checks)).toBe(true);
    }
  }, 1_500_000);
});

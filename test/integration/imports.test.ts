import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Container, importDeps, ledgerDeps } from '../../lib/container';
import { Entity } from '../../lib/entities';
import type { ImportFile, ImportMessage } from '../../lib/imports/import';
import { dualWriteCoupon, handleImportMessage, importProgress, startImport } from '../../lib/imports/import-service';
import { FileImportSource } from '../../lib/imports/file-import-source';
import { InProcessImportQueue } from '../../lib/imports/in-process-import-queue';
import { LegacyCouponRecord, legacyTemplateId } from '../../lib/imports/legacy-records';
import { templateLedger } from '../../lib/ledger/ledger-service';
import { asCsv, type LegacyCoupon, legacyDataSet } from '../../tools/local/legacy-data';
import { testContainer } from '../support/container';
import { createTestTable, scanAll, type TestTable } from '../support/dynamodb';

let table: TestTable;
let queue: InProcessImportQueue;
let container: Container;
const folder = mkdtempSync(join(tmpdir(), 'imports-'));
const data = legacyDataSet({ coupons: 100_000, users: 20_000, templates: 50, brokenShare: 0.01, seed: 7 });
const templatesFile = { location: 'local' as const, path: join(folder, 'templates.jsonl'), format: 'jsonl' as const };
const couponsFile = { location: 'local' as const, path: join(folder, 'coupons.jsonl'), format: 'jsonl' as const };

beforeAll(async () => {
  writeFileSync(templatesFile.path, data.templates);
  writeFileSync(couponsFile.path, data.coupons);
  table = await createTestTable('imports');
  queue = new InProcessImportQueue();
  container = testContainer(table, { imports: { partSize: 2_000, verifySegments: 4 } }, { importQueue: queue, importSource: new FileImportSource() });
}, 60_000);
afterAll(() => container?.clients.destroy());

const deps = () => importDeps(container);
const run = async (importId: string, options: { dryRun?: boolean; templates?: boolean; coupons?: ImportFile } = {}) => {
  await startImport(deps(), { importId, ...(options.templates === false ? {} : { templatesFile }), couponsFile: options.coupons ?? couponsFile, dryRun: options.dryRun ?? false, startedBy: 'test' });
  await queue.drain((message) => handleImportMessage(deps(), message), { concurrency: 4 });
  return importProgress(deps(), importId, { invalidLimit: 100_000 });
};

/** Every template, coupon and claim counter the table holds (what an import writes). */
async function written() {
  const items = await scanAll(table);
  return {
    templates: items.filter((item) => item.entity === Entity.template),
    coupons: items.filter((item) => item.entity === Entity.coupon),
    counters: items.filter((item) => item.entity === Entity.claimCounter),
  };
}

/** Each user's counter of each claimable template equals the coupons of it the user holds. */
async function countersAgree(): Promise<string[]> {
  const { coupons, counters, templates } = await written();
  const claimable = new Set(templates.filter((t) => t.claimable).map((t) => String(t.id)));
  const held = new Map<string, number>();
  for (const coupon of coupons) if (claimable.has(String(coupon.templateId))) held.set(`${coupon.userId}|${coupon.templateId}`, (held.get(`${coupon.userId}|${coupon.templateId}`) ?? 0) + 1);
  const counted = new Map(counters.map((counter) => [`${String(counter.pk).slice('USER#'.length)}|${counter.templateId}`, Number(counter.claimed)]));
  const keys = new Set([...held.keys(), ...counted.keys()]);
  return [...keys].filter((key) => held.get(key) !== counted.get(key));
}

describe('importing a legacy data set: 100,000 coupons, 20,000 users, 50 templates, 1% broken', () => {
  it('a dry run lists exactly the broken records (line, field, reason) and writes nothing', async () => {
    const view = await run('dry-run', { dryRun: true });
    expect(view.status).toBe('completed');
    expect(view.coupons.invalid).toBe(data.brokenLines.size);
    expect(view.invalidRecords.map((record) => record.line)).toEqual([...data.brokenLines.keys()]);
    for (const record of view.invalidRecords) expect(record.field.length * record.reason.length).toBeGreaterThan(0);
    expect(view.coupons.created).toBe(data.validCoupons);
    expect(view.templates).toMatchObject({ read: 50, created: 50, invalid: 0 });
    expect(await written()).toEqual({ templates: [], coupons: [], counters: [] });
  }, 300_000);

  it('the import writes the valid records; the reconciliation is equal; ledgers balance; counters agree', async () => {
    const view = await run('first');
    expect(view.status).toBe('completed');
    expect(view.coupons).toMatchObject({ created: data.validCoupons, updated: 0, invalid: data.brokenLines.size });
    expect(view.invalidRecords.map((record) => record.line)).toEqual([...data.brokenLines.keys()]);
    expect(view.reconciliation).toMatchObject({ equal: true, source: { count: data.validCoupons }, table: { count: data.validCoupons } });
    // The API pages the invalid records, 1,000 at a time.
    const firstPage = await importProgress(deps(), 'first');
    expect(firstPage.invalidRecords).toHaveLength(1_000);
    const secondPage = await importProgress(deps(), 'first', { invalidFrom: firstPage.nextInvalidFrom! });
    expect([...firstPage.invalidRecords, ...secondPage.invalidRecords]).toEqual(view.invalidRecords);
    expect(secondPage.nextInvalidFrom).toBeUndefined();
    const { coupons } = await written();
    expect(coupons).toHaveLength(data.validCoupons);
    const sample = coupons.find((coupon) => coupon.externalId === 'legacy-cpn-5')!;
    const record = data.records.get('legacy-cpn-5')!;
    expect(sample).toMatchObject({ userId: record.userId, issuedAt: record.issuedAt, legacyUpdatedAt: record.updatedAt, source: 'import', templateId: legacyTemplateId({ externalId: record.templateExternalId }) });
    for (const templateId of new Set(coupons.map((coupon) => String(coupon.templateId)))) {
      const ledger = await templateLedger(ledgerDeps(container), templateId);
      expect(ledger.balanced, JSON.stringify(ledger.checks)).toBe(true);
      expect(ledger.issued.carriedOver).toBe(100_000);
    }
    expect(await countersAgree()).toEqual([]);
  }, 900_000);

  it('a second import (the same coupons as CSV) changes nothing, and reports the same broken lines (one header line later)', async () => {
    const before = await written();
    const csv = { location: 'local' as const, path: join(folder, 'coupons.csv'), format: 'csv' as const };
    writeFileSync(csv.path, asCsv(data.coupons));
    const view = await run('second', { coupons: csv });
    expect(view.invalidRecords.map((record) => record.line)).toEqual([...data.brokenLines.keys()].map((line) => line + 1));
    expect(view.coupons).toMatchObject({ created: 0, updated: 0, unchanged: data.validCoupons });
    expect(view.templates).toMatchObject({ created: 0, unchanged: 50 });
    expect(view.reconciliation?.equal).toBe(true);
    expect(await written()).toEqual(before);
  }, 900_000);
});

describe('dual writes while an import runs', () => {
  // A table of its own: the verify scans stay small.
  beforeAll(async () => {
    container.clients.destroy();
    table = await createTestTable('dual-writes');
    container = testContainer(table, { imports: { partSize: 2_000, verifySegments: 4 } }, { importQueue: queue, importSource: new FileImportSource() });
  }, 60_000);
  const fresh = legacyDataSet({ coupons: 6_000, users: 1_500, templates: 6, brokenShare: 0, seed: 11, prefix: 'dual' });
  const newer = (record: LegacyCoupon, hours: number, status: LegacyCoupon['status']): LegacyCouponRecord =>
    LegacyCouponRecord.parse({ ...record, status, ...(status === 'used' || status === 'frozen' ? { orderId: `new-order-${record.externalId}` } : {}), updatedAt: new Date(Date.parse(record.updatedAt) + hours * 3_600_000).toISOString() });

  it('updates sent before, during and after the import, in any order, end in the newest state; counters count each coupon once', async () => {
    const files = { templates: join(folder, 'dual-templates.jsonl'), coupons: join(folder, 'dual-coupons.jsonl') };
    writeFileSync(files.templates, fresh.templates);
    writeFileSync(files.coupons, fresh.coupons);
    // Templates first (the cut-over's static data), then dual writes on, then the coupons.
    await startImport(deps(), { importId: 'dual-static', templatesFile: { ...templatesFile, path: files.templates }, dryRun: false, startedBy: 'test' });
    await queue.drain((message) => handleImportMessage(deps(), message), { concurrency: 4 });

    const records = [...fresh.records.values()];
    const updates = records.filter((_, i) => i % 10 === 0).flatMap((record, i) => [newer(record, 1, 'frozen'), newer(record, 2, i % 2 === 0 ? 'used' : 'unused'), newer(record, 0.5, 'expired')]);
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

    const { coupons } = await written();
    const byExternal = new Map(coupons.map((coupon) => [String(coupon.externalId), coupon]));
    expect(records.every((record) => byExternal.has(record.externalId))).toBe(true);
    const wrong = [...newest.values()].filter((update) => byExternal.get(update.externalId)?.legacyUpdatedAt !== update.updatedAt);
    expect(wrong).toEqual([]);
    const untouched = records.filter((record) => !newest.has(record.externalId));
    expect(untouched.every((record) => byExternal.get(record.externalId)?.legacyUpdatedAt === record.updatedAt)).toBe(true);
    expect(await countersAgree()).toEqual([]);
  }, 900_000);

  it('a dual write landing between the import\'s read and its write is put back by the import', async () => {
    const set = legacyDataSet({ coupons: 40, users: 10, templates: 2, brokenShare: 0, seed: 13, prefix: 'race' });
    const files = { templates: join(folder, 'race-templates.jsonl'), coupons: join(folder, 'race-coupons.jsonl') };
    writeFileSync(files.templates, set.templates);
    writeFileSync(files.coupons, set.coupons);
    const raceQueue = new InProcessImportQueue();
    const target = [...set.records.values()][3]!;
    const update = newer(target, 5, 'used');
    let raced = false;
    // The dual write runs just before the import's first BatchWriteItem of coupons: after its read.
    const base = testContainer(table, { imports: { partSize: 100, verifySegments: 2 } }, { importQueue: raceQueue, importSource: new FileImportSource() });
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
    const racingContainer = testContainer(table, { imports: { partSize: 100, verifySegments: 2 } }, { importQueue: raceQueue, importSource: new FileImportSource(), dynamodb: racing });
    await startImport(importDeps(racingContainer), { importId: 'race', templatesFile: { ...templatesFile, path: files.templates }, couponsFile: { ...couponsFile, path: files.coupons }, dryRun: false, startedBy: 'test' });
    await raceQueue.drain((message: ImportMessage) => handleImportMessage(importDeps(racingContainer), message), { concurrency: 1 });
    const view = await importProgress(importDeps(racingContainer), 'race');
    expect(raced).toBe(true);
    expect(view.coupons.repaired).toBe(1);
    const { coupons } = await written();
    expect(coupons.find((coupon) => coupon.externalId === target.externalId)).toMatchObject({ status: 'used', legacyUpdatedAt: update.updatedAt });
    expect(await countersAgree()).toEqual([]);
  }, 120_000);
});

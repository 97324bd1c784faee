import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Container, importDeps, ledgerDeps } from '../../lib/container';
import type { ImportFile } from '../../lib/imports/import';
import { handleImportMessage, importProgress, startImport } from '../../lib/imports/import-service';
import { FileImportSource } from '../../lib/imports/file-import-source';
import { InProcessImportQueue } from '../../lib/imports/in-process-import-queue';
import { legacyTemplateId } from '../../lib/imports/legacy-records';
import { templateLedger } from '../../lib/ledger/ledger-service';
import { asCsv, legacyDataSet } from '../../tools/local/legacy-data';
import { testContainer } from '../support/container';
import { createTestTable, type TestTable } from '../support/dynamodb';
import { countersAgree, written } from '../support/imports';

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

describe('importing a legacy data set: 100,000 coupons, 20,000 users, 50 templates, 1% broken', () => {
  it('a dry run lists exactly the broken records (line, field, reason) and writes nothing', async () => {
    const view = await run('dry-run', { dryRun: true });
    expect(view.status).toBe('completed');
    expect(view.coupons.invalid).toBe(data.brokenLines.size);
    expect(view.invalidRecords.map((record) => record.line)).toEqual([...data.brokenLines.keys()]);
    for (const record of view.invalidRecords) expect(record.field.length * record.reason.length).toBeGreaterThan(0);
    expect(view.coupons.created).toBe(data.validCoupons);
    expect(view.templates).toMatchObject({ read: 50, created: 50, invalid: 0 });
    expect(await written(table)).toEqual({ templates: [], coupons: [], counters: [] });
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
    const { coupons } = await written(table);
    expect(coupons).toHaveLength(data.validCoupons);
    const sample = coupons.find((coupon) => coupon.externalId === 'legacy-cpn-5')!;
    const record = data.records.get('legacy-cpn-5')!;
    expect(sample).toMatchObject({ userId: record.userId, issuedAt: record.issuedAt, legacyUpdatedAt: record.updatedAt, source: 'import', templateId: legacyTemplateId({ externalId: record.templateExternalId }) });
    for (const templateId of new Set(coupons.map((coupon) => String(coupon.templateId)))) {
      const ledger = await templateLedger(ledgerDeps(container), templateId);
      expect(ledger.balanced, JSON.stringify(ledger.checks)).toBe(true);
      expect(ledger.issued.carriedOver).toBe(100_000);
    }
    expect(await countersAgree(table)).toEqual([]);
  }, 900_000);

  it('a second import (the same coupons as CSV) changes nothing, and reports the same broken lines (one header line later)', async () => {
    const before = await written(table);
    const csv = { location: 'local' as const, path: join(folder, 'coupons.csv'), format: 'csv' as const };
    writeFileSync(csv.path, asCsv(data.coupons));
    const view = await run('second', { coupons: csv });
    expect(view.invalidRecords.map((record) => record.line)).toEqual([...data.brokenLines.keys()].map((line) => line + 1));
    expect(view.coupons).toMatchObject({ created: 0, updated: 0, unchanged: data.validCoupons });
    expect(view.templates).toMatchObject({ created: 0, unchanged: 50 });
    expect(view.reconciliation?.equal).toBe(true);
    expect(await written(table)).toEqual(before);
  }, 900_000);
});

import { createReadStream, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { SingleBar } from 'cli-progress';
import { defaultSettings, withSettings } from '../lib/config';
import { createContainer, importDeps } from '../lib/container';
import type { ImportFile } from '../lib/imports/import';
import { handleImportMessage, importProgress, startImport } from '../lib/imports/import-service';
import { FileImportSource } from '../lib/imports/file-import-source';
import { InProcessImportQueue } from '../lib/imports/in-process-import-queue';
import { LegacyCouponRecord, parseRecordLine } from '../lib/imports/legacy-records';
import { linesWithBytes } from '../lib/imports/line-reader';
import { legacyDataSet } from './local/legacy-data';
import { localSettings } from './jobs';

const USAGE = 'usage: npm run import -- [--templates t.jsonl] [--coupons c.jsonl|c.csv] [--dry-run] [--import-id id] [--quiet] [--table name --region r | --api <url> --token <jwt>]\n       npm run import -- --write-sample <folder>   (a legacy data set to try it on)';

/**
 * `npm run import`: imports legacy templates and coupons from local files, with a progress bar.
 *
 * Against a table (the stack `npm start` runs, or a deployed one with --table/--region and the shell's
 * credentials): the same steps the background import runs (plan, parts, verify), in this process; the
 * report is the import's view (totals, invalid records with line, field and reason, reconciliation).
 * With --api: each valid coupon goes through the dual-write route (scope coupons/import) of that API; its
 * templates must be imported already.
 */
export async function runImportCli(args: readonly string[], stackFile = '.local/stack.json'): Promise<unknown> {
  const { values } = parseArgs({
    args: [...args],
    options: {
      templates: { type: 'string' },
      coupons: { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      'import-id': { type: 'string' },
      table: { type: 'string' },
      region: { type: 'string' },
      api: { type: 'string' },
      token: { type: 'string' },
      quiet: { type: 'boolean', default: false },
      'write-sample': { type: 'string' },
    },
    strict: true,
  });
  if (values['write-sample']) return writeSample(values['write-sample']);
  if (!values.templates && !values.coupons) throw new Error(USAGE);
  for (const file of [values.templates, values.coupons]) if (file && !existsSync(file)) throw new Error(`${file} not found`);
  if (values.api) {
    if (values.templates) throw new Error('--api sends coupons through the dual-write route; import templates against the table, or with POST /v1/admin/imports');
    return sendThroughApi(values.api, values.token, values.coupons!, values['dry-run']!);
  }
  const queue = new InProcessImportQueue();
  const settings = values.table ? withSettings(defaultSettings, { tableName: values.table, ...(values.region ? { region: values.region } : {}) }) : localSettings(stackFile);
  const container = createContainer(settings, { importQueue: queue, importSource: new FileImportSource() });
  const deps = importDeps(container);
  const file = (path: string, format: ImportFile['format']): ImportFile => ({ location: 'local', path, format });
  const importId = values['import-id'] ?? `cli-${new Date().toISOString().replace(/[^0-9]/g, '').slice(0, 14)}`;
  const bar = values.quiet ? undefined : new SingleBar({ format: 'import {bar} {percentage}% | {value}/{total} steps | {stage}', stream: process.stderr, hideCursor: true });
  try {
    await startImport(deps, {
      importId,
      ...(values.templates ? { templatesFile: file(values.templates, 'jsonl') } : {}),
      ...(values.coupons ? { couponsFile: file(values.coupons, values.coupons.toLowerCase().endsWith('.csv') ? 'csv' : 'jsonl') } : {}),
      dryRun: values['dry-run']!,
      startedBy: `cli:${userInfo().username}`,
    });
    // Steps: the plan, one per part (estimated from the file's size until the plan has cut it), the verify segments.
    const estimatedParts = values.coupons ? Math.max(1, Math.ceil(statSync(values.coupons).size / 120 / settings.imports.partSize)) : 0;
    bar?.start(1 + estimatedParts + (values['dry-run'] ? 0 : settings.imports.verifySegments), 0, { stage: 'planning' });
    let done = 0;
    await queue.drain((message) => handleImportMessage(deps, message), {
      concurrency: 4,
      onDone: (message) => {
        done++;
        if (message.kind === 'plan') void deps.imports.get(importId).then((job) => job && bar?.setTotal(1 + job.parts + (job.dryRun ? 0 : settings.imports.verifySegments)));
        bar?.update(done, { stage: message.kind === 'verify' ? 'verifying the table' : 'importing' });
      },
    });
    bar?.stop();
    // The whole report: every invalid record.
    return await importProgress(deps, importId, { invalidLimit: Number.MAX_SAFE_INTEGER - 1 });
  } finally {
    bar?.stop();
    container.clients.destroy();
  }
}

/** A small legacy data set (5 templates, 1,000 coupons over 200 users, 1% broken) in a folder, to try an import on. */
function writeSample(folder: string) {
  const set = legacyDataSet({ coupons: 1_000, users: 200, templates: 5, brokenShare: 0.01, seed: 1 });
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, 'templates.jsonl'), set.templates);
  writeFileSync(join(folder, 'coupons.jsonl'), set.coupons);
  return { folder, templates: 5, coupons: 1_000, broken: [...set.brokenLines.keys()] };
}

/** Each valid coupon through PUT /v1/admin/imports/coupons/{externalId}, 16 at a time; invalid records reported as an import reports them. */
async function sendThroughApi(api: string, token: string | undefined, couponsPath: string, dryRun: boolean) {
  if (!token) throw new Error('--api needs --token <jwt with scope coupons/import>');
  const invalid: unknown[] = [];
  const records: LegacyCouponRecord[] = [];
  let line = 0;
  for await (const { text } of linesWithBytes(createReadStream(couponsPath))) {
    const parsed = parseRecordLine(LegacyCouponRecord, text, ++line, 'jsonl');
    if (parsed?.ok) records.push(parsed.record);
    else if (parsed) invalid.push(parsed.invalid);
  }
  if (dryRun) return { sent: 0, wouldSend: records.length, invalid };
  const bar = new SingleBar({ format: 'dual write {bar} {percentage}% | {value}/{total} coupons', stream: process.stderr, hideCursor: true });
  bar.start(records.length, 0);
  let next = 0;
  let sent = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < records.length) {
        const record = records[next++]!;
        const response = await fetch(`${api.replace(/\/$/, '')}/v1/admin/imports/coupons/${encodeURIComponent(record.externalId)}`, {
          method: 'PUT',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify(record),
        });
        if (response.ok) sent++;
        else invalid.push({ externalId: record.externalId, status: response.status, body: await response.text() });
        bar.increment();
      }
    }),
  );
  bar.stop();
  return { sent, invalid };
}


if (import.meta.url === `file://${process.argv[1]}`) {
  runImportCli(process.argv.slice(2)).then(
    (result) => console.log(JSON.stringify(result, null, 2)),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(2);
    },
  );
}

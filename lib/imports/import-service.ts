import { ConflictError, NotFoundError, ValidationFailedError } from '../errors';
import { requestFingerprint } from '../fingerprint';
import { claimCounterRetainUntil, countsTowardLimit, issuanceRefusal } from '../issuance/issuance-policy';
import type { Template } from '../templates/template';
import type { TemplateRepository } from '../templates/template-repository';
import { type Clock, toIso } from '../time';
import {
  type CouponTotals,
  type DualWriteResult,
  type ImportFile,
  type ImportJob,
  type ImportMessage,
  type ImportView,
  importView,
  type TemplateTotals,
  zeroCouponTotals,
  zeroTemplateTotals,
} from './import';
import type { ImportedCoupon, ImportRepository } from './import-repository';
import { csvHeader, importedCoupon, importedTemplate, type InvalidRecord, LegacyCouponRecord, legacyTemplateId, LegacyTemplateRecord, parseRecordLine } from './legacy-records';
import { reconcile, sumTallies, TallyBuilder } from './reconciliation';

/** Reads an import's files: all lines of one (with their byte lengths), or the lines of a byte range. */
export interface ImportSource {
  lines(file: ImportFile): AsyncIterable<{ readonly text: string; readonly bytes: number }>;
  range(file: ImportFile, start: number, end: number): Promise<string>;
}

export interface ImportQueue {
  /** `delaySeconds`: the messages are not handled before then (SQS's per-message delay, up to 900). */
  send(messages: readonly ImportMessage[], options?: { readonly delaySeconds?: number }): Promise<void>;
}

export interface ImportDeps {
  readonly imports: ImportRepository;
  readonly templates: Pick<TemplateRepository, 'get' | 'create'>;
  readonly source: ImportSource;
  readonly queue: ImportQueue;
  readonly clock: Clock;
  /** Lines of the coupons file a part imports. */
  readonly partSize: number;
  /** Segments of the parallel scan that verifies an import. */
  readonly segments: number;
  /** How long one verify message may scan before it hands its segment on (a Lambda has 15 minutes). */
  readonly scanBudgetMs: number;
  /** When a dual write settles: later than any import's write window (ImportRepository). */
  readonly settleDelaySeconds: number;
}

/** Part 0 is the templates file; the coupons file's parts are numbered from 1. */
const TEMPLATES_PART = 0;
const INVALID_PAGE = 1_000;
const DRY_RUN_LOADED = '(templates file read)';

/** POST /v1/admin/imports, the ImportRequested event and the CLI: records the import and sends its plan. The same id again answers it; with another request, 409. */
export async function startImport(deps: ImportDeps, request: { importId: string; templatesFile?: ImportFile; couponsFile?: ImportFile; dryRun: boolean; startedBy: string }): Promise<{ job: ImportJob; replayed: boolean }> {
  const nowIso = toIso(deps.clock());
  const requestHash = requestFingerprint({ templates: request.templatesFile ?? null, coupons: request.couponsFile ?? null, dryRun: request.dryRun });
  const job: ImportJob = {
    importId: request.importId,
    status: 'planning',
    dryRun: request.dryRun,
    requestHash,
    ...(request.templatesFile ? { templatesFile: request.templatesFile } : {}),
    ...(request.couponsFile ? { couponsFile: request.couponsFile } : {}),
    startedBy: request.startedBy,
    startedAt: nowIso,
    parts: 0,
    partsDone: 0,
    segments: 0,
    segmentsDone: 0,
    templateIds: [],
    templates: zeroTemplateTotals(),
    coupons: zeroCouponTotals(),
  };
  const created = await deps.imports.create(job);
  if (!created.created) {
    if (created.existing.requestHash !== requestHash) throw new ConflictError('IMPORT_EXISTS', `Import ${request.importId} exists with other files or options`, { importId: request.importId });
    // Still planning: the plan may have been lost with a crash; sending it again is harmless.
    if (created.existing.status === 'planning') await deps.queue.send([{ kind: 'plan', importId: request.importId }]);
    return { job: created.existing, replayed: true };
  }
  await deps.queue.send([{ kind: 'plan', importId: request.importId }]);
  return { job, replayed: false };
}

export async function handleImportMessage(deps: ImportDeps, message: ImportMessage): Promise<void> {
  switch (message.kind) {
    case 'plan':
      return planImport(deps, message.importId);
    case 'part':
      return importPart(deps, message);
    case 'verify':
      return verifySegment(deps, message);
    case 'settle':
      await deps.imports.settle(message.userId, message.externalId);
      return;
  }
}

/**
 * Imports the templates file (part 0), then reads the coupons file once to cut it into parts of
 * `partSize` lines (byte ranges, so a part reads only its own lines) and sends them. Run again after a
 * crash it does the same: template writes are conditional, and a part sent twice is imported once.
 */
export async function planImport(deps: ImportDeps, importId: string): Promise<void> {
  const job = await deps.imports.get(importId);
  if (!job || job.status !== 'planning') return;
  if (job.templatesFile) await importTemplates(deps, job, job.templatesFile);
  const parts: Array<Extract<ImportMessage, { kind: 'part' }>> = [];
  let csvColumns: readonly string[] | undefined;
  if (job.couponsFile) {
    let line = 0;
    let offset = 0;
    let partStart = 0;
    let partFirstLine = 1;
    let inPart = 0;
    for await (const { text, bytes } of deps.source.lines(job.couponsFile)) {
      line++;
      if (line === 1 && job.couponsFile.format === 'csv') {
        csvColumns = csvHeader(text);
        offset += bytes;
        partStart = offset;
        partFirstLine = 2;
        continue;
      }
      offset += bytes;
      if (++inPart === deps.partSize) {
        parts.push({ kind: 'part', importId, part: parts.length + 1, firstLine: partFirstLine, start: partStart, end: offset });
        partStart = offset;
        partFirstLine = line + 1;
        inPart = 0;
      }
    }
    if (inPart > 0) parts.push({ kind: 'part', importId, part: parts.length + 1, firstLine: partFirstLine, start: partStart, end: offset });
  }
  await deps.queue.send(parts);
  await deps.imports.advance(importId, ['planning'], { status: 'importing', parts: parts.length + (job.templatesFile ? 1 : 0), ...(csvColumns ? { csvColumns } : {}) });
  await finishImportingIfDone(deps, importId);
}

/** The templates file: each line parsed into the template it becomes, or an invalid record. */
async function readTemplatesFile(deps: Pick<ImportDeps, 'source' | 'clock'>, file: ImportFile) {
  const templates: Template[] = [];
  const invalid: InvalidRecord[] = [];
  let line = 0;
  for await (const { text } of deps.source.lines(file)) {
    const parsed = parseRecordLine(LegacyTemplateRecord, text, ++line, 'jsonl');
    if (!parsed) continue;
    if (parsed.ok) templates.push(importedTemplate(parsed.record, toIso(deps.clock())));
    else invalid.push({ file: 'templates', ...parsed.invalid });
  }
  return { templates, invalid };
}

async function importTemplates(deps: ImportDeps, job: ImportJob, file: ImportFile): Promise<void> {
  const { templates, invalid } = await readTemplatesFile(deps, file);
  const totals: TemplateTotals = { ...zeroTemplateTotals(), read: templates.length + invalid.length, invalid: invalid.length };
  for (const template of templates) {
    const existing = await deps.templates.get(template.id);
    if (existing || job.dryRun) totals[existing ? 'unchanged' : 'created']++;
    else {
      await deps.templates.create(template).catch(async (error: unknown) => {
        // Created by an earlier run of this plan that crashed before counting: the same template.
        if (!(await deps.templates.get(template.id))) throw error;
      });
      totals.created++;
    }
  }
  await deps.imports.recordPart(job.importId, TEMPLATES_PART, { totals, invalid, source: {}, templateIds: templates.map((t) => t.id) }, 'templates');
}

/** What a part's lines hold: the valid coupons (with the templates they need) and the invalid records. */
async function readPart(deps: ImportDeps, job: ImportJob, message: Extract<ImportMessage, { kind: 'part' }>, templates: Map<string, Template | undefined>) {
  const text = await deps.source.range(job.couponsFile!, message.start, message.end);
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  const invalid: InvalidRecord[] = [];
  const records: Array<{ line: number; record: LegacyCouponRecord }> = [];
  lines.forEach((raw, index) => {
    const parsed = parseRecordLine(LegacyCouponRecord, raw.replace(/\r$/, ''), message.firstLine + index, job.couponsFile!.format, job.csvColumns);
    if (!parsed) return;
    if (parsed.ok) records.push({ line: parsed.line, record: parsed.record });
    else invalid.push({ file: 'coupons', ...parsed.invalid });
  });
  // A dry run wrote no template: the templates file's stand in for them.
  if (job.dryRun && job.templatesFile && !templates.has(DRY_RUN_LOADED)) {
    for (const template of (await readTemplatesFile(deps, job.templatesFile)).templates) templates.set(template.id, template);
    templates.set(DRY_RUN_LOADED, undefined);
  }
  const needed = [...new Set(records.map(({ record }) => legacyTemplateId({ externalId: record.templateExternalId })))].filter((id) => !templates.has(id));
  // Strongly consistent: the plan step may have created these templates a moment ago.
  await Promise.all(needed.map(async (id) => templates.set(id, await deps.templates.get(id))));
  const imported: ImportedCoupon[] = [];
  for (const { line, record } of records) {
    const template = templates.get(legacyTemplateId({ externalId: record.templateExternalId }));
    if (!template) {
      invalid.push({ file: 'coupons', line, externalId: record.externalId, field: 'templateExternalId', reason: 'no template with this external id (import its template first)' });
      continue;
    }
    imported.push(importedCouponOf(template, record, deps.clock()));
  }
  invalid.sort((a, b) => a.line - b.line);
  return { imported, invalid };
}

/** A legacy coupon as this platform holds it, and how it counts toward the limit: the issuance policy's import path. */
function importedCouponOf(template: Template, record: LegacyCouponRecord, nowMs: number): ImportedCoupon {
  // The import path refuses nothing (a legacy coupon is a fact); asking keeps every path under the one policy.
  const refusal = issuanceRefusal(template, 'import', { nowMs });
  if (refusal) throw new Error(`the issuance policy refused an import: ${refusal.message}`);
  const coupon = importedCoupon(template, record) as ImportedCoupon['coupon'];
  return countsTowardLimit(template, 'import') ? { coupon, counter: { retainUntil: claimCounterRetainUntil(template) } } : { coupon };
}

/** One part of the coupons file: validated, written (unless a dry run), tallied, counted once. */
export async function importPart(deps: ImportDeps, message: Extract<ImportMessage, { kind: 'part' }>, templates = new Map<string, Template | undefined>()): Promise<void> {
  const job = await deps.imports.get(message.importId);
  if (!job || (job.status !== 'planning' && job.status !== 'importing')) return;
  const { imported, invalid } = await readPart(deps, job, message, templates);
  const written = await deps.imports.writeCoupons(imported, { dryRun: job.dryRun });
  const source = new TallyBuilder();
  for (const { coupon } of imported) source.add({ templateId: coupon.templateId, status: coupon.status, externalId: coupon.externalId, userId: coupon.userId });
  const totals: CouponTotals = { read: imported.length + invalid.length, ...written, invalid: invalid.length };
  await deps.imports.recordPart(job.importId, message.part, { totals, invalid, source: source.settled() }, 'coupons');
  await finishImportingIfDone(deps, job.importId);
}

/** When every part is counted: a dry run is complete; a real one goes on to verify the table. */
async function finishImportingIfDone(deps: ImportDeps, importId: string): Promise<void> {
  const job = await deps.imports.get(importId);
  if (!job || job.status !== 'importing' || job.partsDone < job.parts) return;
  const nowIso = toIso(deps.clock());
  if (job.dryRun) {
    await deps.imports.advance(importId, ['importing'], { status: 'completed', finishedAt: nowIso });
    return;
  }
  const parts = await deps.imports.parts(importId);
  const templateIds = [...new Set(parts.flatMap((part) => [...part.templateIds, ...Object.keys(part.source).map((key) => key.split('|')[0]!)]))];
  if (await deps.imports.advance(importId, ['importing'], { status: 'verifying', segments: deps.segments, templateIds })) {
    await deps.queue.send(Array.from({ length: deps.segments }, (_, segment) => ({ kind: 'verify' as const, importId, segment })));
  }
}

/** One segment of the table's scan; when the last is counted, the reconciliation. */
export async function verifySegment(deps: ImportDeps, message: Extract<ImportMessage, { kind: 'verify' }>): Promise<void> {
  const job = await deps.imports.get(message.importId);
  if (!job || job.status !== 'verifying') return;
  const deadline = deps.clock() + deps.scanBudgetMs;
  const scanned = await deps.imports.scanImported(message.segment, job.segments, new Set(job.templateIds), message, () => deps.clock() >= deadline);
  if (scanned.lastKey) {
    await deps.queue.send([{ kind: 'verify', importId: job.importId, segment: message.segment, startKey: scanned.lastKey, tally: scanned.tally }]);
    return;
  }
  await deps.imports.recordSegment(job.importId, message.segment, scanned.tally);
  await completeIfVerified(deps, job.importId);
}

async function completeIfVerified(deps: ImportDeps, importId: string): Promise<void> {
  const job = await deps.imports.get(importId);
  if (!job || job.status !== 'verifying' || job.segmentsDone < job.segments) return;
  const [parts, segments] = await Promise.all([deps.imports.parts(importId), deps.imports.segmentTallies(importId)]);
  const nowIso = toIso(deps.clock());
  const reconciliation = reconcile(sumTallies(parts.map((part) => part.source)), sumTallies(segments), nowIso);
  await deps.imports.advance(importId, ['verifying'], { status: 'completed', reconciliation, finishedAt: nowIso });
}

/** GET /v1/admin/imports/{importId}: the import, with its invalid records from the `invalidFrom`-th on (1,000 a page; the CLI asks for all). */
export async function importProgress(deps: Pick<ImportDeps, 'imports'>, importId: string, page: { invalidFrom?: number; invalidLimit?: number } = {}): Promise<ImportView> {
  const job = await deps.imports.get(importId);
  if (!job) throw new NotFoundError('import', importId);
  const from = page.invalidFrom ?? 0;
  const limit = page.invalidLimit ?? INVALID_PAGE;
  const invalid = await deps.imports.invalidRecords(importId, limit + 1, from);
  return importView(job, invalid.slice(0, limit), invalid.length > limit ? from + limit : undefined);
}

/**
 * PUT /v1/admin/imports/coupons/{externalId}: the dual write. The legacy system sends a coupon as it
 * holds it now; the newest version (by its `updatedAt`) wins, whatever order versions and imports arrive in.
 * Three steps: a settle message for later, the version record (an older version stops there), the
 * coupon. An import's part may have read the coupon as missing just before this write and overwrite it
 * just after (its writes are blind, for speed); the settle message comes back after every such write
 * has landed and puts the newest version back. Sent first, it also finishes a dual write that stopped
 * at any later step and was never retried (one that stopped before recording its version has nothing
 * to finish: the legacy system had no answer and sends it again).
 */
export async function dualWriteCoupon(deps: Pick<ImportDeps, 'imports' | 'templates' | 'clock' | 'queue' | 'settleDelaySeconds'>, externalId: string, record: LegacyCouponRecord): Promise<DualWriteResult> {
  if (record.externalId !== externalId) throw new ValidationFailedError([{ path: 'externalId', message: `must be the externalId of the path (${externalId})` }]);
  const templateId = legacyTemplateId({ externalId: record.templateExternalId });
  const template = await deps.templates.get(templateId, { consistent: false });
  if (!template) throw new NotFoundError('template', record.templateExternalId);
  const nowMs = deps.clock();
  const imported = importedCouponOf(template, record, nowMs);
  const answer = { couponId: imported.coupon.id, templateId, externalId };
  await deps.queue.send([{ kind: 'settle', userId: record.userId, externalId }], { delaySeconds: deps.settleDelaySeconds });
  const recorded = await deps.imports.recordVersion(imported, nowMs);
  if (!recorded.recorded) return { outcome: 'ignored', ...answer, legacyUpdatedAt: recorded.heldVersion };
  const written = await deps.imports.writeVersion(imported);
  return { outcome: written ? 'written' : 'unchanged', ...answer, legacyUpdatedAt: imported.coupon.legacyUpdatedAt };
}

import * as z from 'zod';
import { parseQueueMessage } from '../queues/queue-message';
import { isoTimestamp } from '../time';
import { type InvalidRecord, LegacyCouponRecord, type RecordFormat } from './legacy-records';
import { ReconciliationView, type Reconciliation, type Tally } from './reconciliation';

/**
 * An import: a legacy data set (a templates file, a coupons file, or both) moving into the table. Its
 * coupons file is read in parts of `partSize` lines; each part writes its coupons and counts itself once;
 * when every part is counted, a parallel scan of the table tallies what it holds for the import's
 * templates, and the reconciliation compares that with what the source said.
 */
export const ImportId = z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'expected an import id of 1 to 64 letters, digits or _.:-');
export const ImportIdPath = z.strictObject({ importId: ImportId });
export const ImportProgressQuery = z.strictObject({ invalidFrom: z.coerce.number().int().min(0).max(100_000_000).optional() });

const objectKey = () => z.string().min(1).max(1_024);

/** POST /v1/admin/imports, and the ImportRequested event's data: files in the import bucket. */
export const ImportRequest = z
  .strictObject({
    importId: ImportId,
    templates: objectKey().optional(),
    coupons: objectKey().optional(),
    /** jsonl (default, or from a .jsonl name) or csv (from a .csv name). */
    couponsFormat: z.enum(['jsonl', 'csv']).optional(),
    /** Check every record and report what would be written; write no template or coupon. */
    dryRun: z.boolean().default(false),
  })
  .refine((request) => request.templates !== undefined || request.coupons !== undefined, { message: 'name a templates file, a coupons file or both', path: ['coupons'] });
export type ImportRequest = z.infer<typeof ImportRequest>;

export const IMPORT_STATUSES = ['planning', 'importing', 'verifying', 'completed', 'failed'] as const;
export type ImportStatus = (typeof IMPORT_STATUSES)[number];

/** Where a file is: a key of the import bucket, or (the CLI) a local path. */
export interface ImportFile {
  readonly location: 'bucket' | 'local';
  readonly path: string;
  readonly format: RecordFormat;
}

export const TemplateTotals = z.object({ read: z.int(), created: z.int(), unchanged: z.int(), invalid: z.int() });
export const CouponTotals = z.object({ read: z.int(), created: z.int(), updated: z.int(), unchanged: z.int(), invalid: z.int() });
export type TemplateTotals = z.infer<typeof TemplateTotals>;
export type CouponTotals = z.infer<typeof CouponTotals>;
export const zeroCouponTotals = (): CouponTotals => ({ read: 0, created: 0, updated: 0, unchanged: 0, invalid: 0 });
export const zeroTemplateTotals = (): TemplateTotals => ({ read: 0, created: 0, unchanged: 0, invalid: 0 });

export interface ImportJob {
  readonly importId: string;
  readonly status: ImportStatus;
  readonly dryRun: boolean;
  readonly requestHash: string;
  readonly templatesFile?: ImportFile;
  readonly couponsFile?: ImportFile;
  /** The columns of a CSV coupons file (its header line), for the parts to read their lines with. */
  readonly csvColumns?: readonly string[];
  readonly startedBy: string;
  readonly startedAt: string;
  readonly parts: number;
  readonly partsDone: number;
  readonly segments: number;
  readonly segmentsDone: number;
  /** The templates of the import (the file's, and those its coupons name): the reconciliation compares these. */
  readonly templateIds: readonly string[];
  readonly templates: TemplateTotals;
  readonly coupons: CouponTotals;
  readonly reconciliation?: Reconciliation;
  readonly failure?: string;
  readonly finishedAt?: string;
}

/** What a part of the coupons file did, counted once with its marker. */
export interface PartResult {
  readonly totals: CouponTotals | TemplateTotals;
  /** The templates file's part: the templates it holds (the reconciliation covers them even without coupons). */
  readonly templateIds?: readonly string[];
  readonly invalid: readonly InvalidRecord[];
  /** What the part's valid records say the table should hold (dry runs: would hold). */
  readonly source: Tally;
}

/**
 * Messages of the import queue: plan the import, import one part, verify one segment of the table;
 * settle a dual write (sent with a delay longer than an import's write window).
 */
export type ImportMessage =
  | { readonly kind: 'plan'; readonly importId: string }
  | { readonly kind: 'settle'; readonly userId: string; readonly externalId: string }
  | { readonly kind: 'part'; readonly importId: string; readonly part: number; readonly firstLine: number; readonly start: number; readonly end: number }
  | { readonly kind: 'verify'; readonly importId: string; readonly segment: number; readonly startKey?: Record<string, unknown>; readonly tally?: Tally };

export const ImportMessageSchema: z.ZodType<ImportMessage> = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('plan'), importId: ImportId }),
  z.object({ kind: z.literal('settle'), userId: z.string().min(1), externalId: z.string().min(1) }),
  z.object({ kind: z.literal('part'), importId: ImportId, part: z.int().min(0), firstLine: z.int().min(1), start: z.int().min(0), end: z.int().min(0) }),
  z.object({
    kind: z.literal('verify'),
    importId: ImportId,
    segment: z.int().min(0),
    startKey: z.record(z.string(), z.unknown()).optional(),
    tally: z.record(z.string(), z.object({ count: z.int(), checksum: z.string() })).optional(),
  }),
]);

export const InvalidRecordView = z.object({ file: z.enum(['templates', 'coupons']).optional(), line: z.int(), externalId: z.string().optional(), field: z.string(), reason: z.string() });

export const ImportView = z.object({
  importId: z.string(),
  status: z.enum(IMPORT_STATUSES),
  dryRun: z.boolean(),
  startedBy: z.string(),
  startedAt: z.string(),
  finishedAt: z.string().optional(),
  progress: z.object({ parts: z.int(), partsDone: z.int(), segments: z.int(), segmentsDone: z.int() }),
  templates: TemplateTotals,
  coupons: CouponTotals,
  /** Invalid records in file order (the templates file's first), 1,000 a page. */
  invalidRecords: z.array(InvalidRecordView),
  /** More invalid records follow: ask again with ?invalidFrom=<this>. */
  nextInvalidFrom: z.int().optional(),
  reconciliation: ReconciliationView.optional(),
  failure: z.string().optional(),
});
export type ImportView = z.infer<typeof ImportView>;

export const importView = (job: ImportJob, invalidRecords: readonly InvalidRecord[], nextInvalidFrom?: number): ImportView => ({
  importId: job.importId,
  status: job.status,
  dryRun: job.dryRun,
  startedBy: job.startedBy,
  startedAt: job.startedAt,
  ...(job.finishedAt ? { finishedAt: job.finishedAt } : {}),
  progress: { parts: job.parts, partsDone: job.partsDone, segments: job.segments, segmentsDone: job.segmentsDone },
  // Totals in a fixed order (the table keeps a map's keys in none).
  templates: { read: job.templates.read, created: job.templates.created, unchanged: job.templates.unchanged, invalid: job.templates.invalid },
  coupons: { read: job.coupons.read, created: job.coupons.created, updated: job.coupons.updated, unchanged: job.coupons.unchanged, invalid: job.coupons.invalid },
  invalidRecords: [...invalidRecords],
  ...(nextInvalidFrom === undefined ? {} : { nextInvalidFrom }),
  ...(job.reconciliation ? { reconciliation: job.reconciliation } : {}),
  ...(job.failure ? { failure: job.failure } : {}),
});

export const ImportAccepted = z.object({ importId: z.string(), status: z.enum(IMPORT_STATUSES) });

/** PUT /v1/admin/imports/coupons/{externalId}: one legacy coupon, as the legacy system holds it now (dual write). */
export const DualWriteCouponInput = LegacyCouponRecord;
export const ExternalIdPath = z.strictObject({ externalId: z.string().min(1).max(128).regex(/^[^#\s]+$/, 'an external id has no "#" or whitespace') });

export const DUAL_WRITE_OUTCOMES = ['written', 'unchanged', 'ignored'] as const;
export type DualWriteOutcome = (typeof DUAL_WRITE_OUTCOMES)[number];
export const DualWriteResult = z.object({
  /** written: the coupon now holds this version; unchanged: it already did; ignored: it holds a newer one. */
  outcome: z.enum(DUAL_WRITE_OUTCOMES),
  couponId: z.string(),
  templateId: z.string(),
  externalId: z.string(),
  /** The legacy version the platform holds now (this one, or the newer one that made it ignored). */
  legacyUpdatedAt: isoTimestamp(),
});
export type DualWriteResult = z.infer<typeof DualWriteResult>;

/** The files of a request, as keys of the import bucket (a coupons file's format from its name unless given). */
export function bucketFiles(request: ImportRequest): { templatesFile?: ImportFile; couponsFile?: ImportFile } {
  const couponsFormat = request.couponsFormat ?? (request.coupons?.toLowerCase().endsWith('.csv') ? 'csv' : 'jsonl');
  return {
    ...(request.templates ? { templatesFile: { location: 'bucket' as const, path: request.templates, format: 'jsonl' as const } } : {}),
    ...(request.coupons ? { couponsFile: { location: 'bucket' as const, path: request.coupons, format: couponsFormat } } : {}),
  };
}

/** An ImportRequested event as the bus delivers it to the import queue (its source names the requester). */
const ImportRequestedEnvelope = z.object({ 'detail-type': z.literal('ImportRequested'), source: z.string(), detail: ImportRequest });

export type ImportQueueMessage = ImportMessage | { readonly kind: 'request'; readonly request: Parameters<typeof bucketFiles>[0] & { startedBy: string; dryRun: boolean } & ReturnType<typeof bucketFiles> };

/** A message of the import queue: a step, or an import request from the bus; undefined for anything else (it goes to the dead-letter queue). */
export function parseImportQueueMessage(body: string): ImportQueueMessage | undefined {
  const step = parseQueueMessage(ImportMessageSchema, body);
  if (step) return step;
  const event = parseQueueMessage(ImportRequestedEnvelope, body);
  if (!event) return undefined;
  return { kind: 'request', request: { ...event.detail, ...bucketFiles(event.detail), startedBy: `event:${event.source}` } };
}

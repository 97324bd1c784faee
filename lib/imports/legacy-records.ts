import { createHash } from 'node:crypto';
import { parse as parseCsvLine } from 'csv-parse/sync';
import * as z from 'zod';
import { type Coupon, type CouponStatus, rulesOf } from '../coupons/coupon';
import { userIdString } from '../ids';
import { defaultShardCount, type Template } from '../templates/template';
import { CreateTemplateInput, TemplateStatus } from '../templates/template-schema';
import { DAY_MS, isoTimestamp, toEpochMs, toIso } from '../time';

/**
 * What a legacy system hands over: templates and users' coupons, one record a line (JSON Lines; coupons
 * also as CSV with a header line). Every record carries its id in the legacy system (`externalId`); the
 * ids here are derived from it, so importing a record twice writes the same item.
 */

const externalId = () => z.string().min(1).max(128).regex(/^[^#\s]+$/, 'an external id has no "#" or whitespace');

/** A legacy template: the fields a template is created with, its status and creation date, and how much of its stock the legacy system issued. */
export const LegacyTemplateRecord = CreateTemplateInput.omit({ stock: true })
  .extend({
    externalId: externalId(),
    status: TemplateStatus,
    stock: z.strictObject({ total: z.int().min(0).max(1_000_000_000), issued: z.int().min(0), shards: z.int().min(1).max(64).optional() }),
    createdAt: isoTimestamp(),
  })
  .refine((t) => t.stock.issued <= t.stock.total, { message: 'issued must not exceed total', path: ['stock', 'issued'] });
export type LegacyTemplateRecord = z.infer<typeof LegacyTemplateRecord>;

/** Legacy coupon statuses and the status each becomes: frozen (held by an order) is locked. */
export const LEGACY_STATUSES = { unused: 'available', frozen: 'locked', locked: 'locked', used: 'used', expired: 'expired' } as const satisfies Record<string, CouponStatus>;
export type LegacyStatus = keyof typeof LEGACY_STATUSES;

export const LegacyCouponRecord = z
  .strictObject({
    externalId: externalId(),
    userId: userIdString(),
    templateExternalId: externalId(),
    status: z.enum(Object.keys(LEGACY_STATUSES) as [LegacyStatus, ...LegacyStatus[]]),
    /** The order holding (frozen/locked) or that used (used) the coupon. */
    orderId: z.string().min(1).max(128).optional(),
    issuedAt: isoTimestamp(),
    /** The coupon's own validity; when absent, the template's (fixed), or issuedAt + its days (relative). */
    validFrom: isoTimestamp().optional(),
    validUntil: isoTimestamp().optional(),
    usedAt: isoTimestamp().optional(),
    /** The legacy system's last change of the coupon: of two versions of one coupon, the newer wins. */
    updatedAt: isoTimestamp(),
  })
  .refine((c) => !['frozen', 'locked', 'used'].includes(c.status) || c.orderId !== undefined, { message: 'a frozen, locked or used coupon names its order', path: ['orderId'] })
  .refine((c) => !c.validFrom || !c.validUntil || c.validFrom < c.validUntil, { message: 'validFrom must be before validUntil', path: ['validUntil'] })
  .refine((c) => c.updatedAt >= c.issuedAt, { message: 'updatedAt must not be before issuedAt', path: ['updatedAt'] });
export type LegacyCouponRecord = z.infer<typeof LegacyCouponRecord>;

/** The columns of a coupons CSV file, in any order; empty cells are absent fields. */
export const COUPON_CSV_COLUMNS = ['externalId', 'userId', 'templateExternalId', 'status', 'orderId', 'issuedAt', 'validFrom', 'validUntil', 'usedAt', 'updatedAt'] as const;

/** Why one record of a file was not imported: its line (1-based, the header counts), the field, the reason. */
export interface InvalidRecord {
  readonly file?: 'templates' | 'coupons';
  readonly line: number;
  readonly externalId?: string;
  readonly field: string;
  readonly reason: string;
}

export type RecordFormat = 'jsonl' | 'csv';

export type Parsed<T> = { readonly ok: true; readonly line: number; readonly record: T } | { readonly ok: false; readonly invalid: InvalidRecord };

const fieldOf = (path: readonly PropertyKey[]): string => (path.length === 0 ? '(record)' : path.map(String).join('.'));

/** One line of a file, parsed and checked against its schema; blank lines are skipped (undefined). */
export function parseRecordLine<T>(schema: z.ZodType<T>, text: string, line: number, format: RecordFormat, header?: readonly string[]): Parsed<T> | undefined {
  if (text.trim() === '') return undefined;
  let raw: unknown;
  try {
    raw = format === 'jsonl' ? JSON.parse(text) : csvRecord(text, header ?? COUPON_CSV_COLUMNS);
  } catch (error) {
    return { ok: false, invalid: { line, field: '(line)', reason: `not ${format === 'jsonl' ? 'JSON' : 'CSV'}: ${(error as Error).message}` } };
  }
  const result = schema.safeParse(raw);
  if (result.success) return { ok: true, line, record: result.data };
  const id = typeof raw === 'object' && raw !== null && typeof (raw as { externalId?: unknown }).externalId === 'string' ? (raw as { externalId: string }).externalId : undefined;
  const issue = result.error.issues[0]!;
  return { ok: false, invalid: { line, ...(id ? { externalId: id } : {}), field: fieldOf(issue.path), reason: issue.message } };
}

function csvRecord(text: string, header: readonly string[]): Record<string, string> {
  const [cells] = parseCsvLine(text, { relax_column_count: false }) as string[][];
  if (!cells || cells.length !== header.length) throw new Error(`expected ${header.length} cells, found ${cells?.length ?? 0}`);
  return Object.fromEntries(header.flatMap((column, i) => (cells[i] === '' ? [] : [[column, cells[i]!]])));
}

/** The header of a coupons CSV file: its columns, each known, each once, the required ones present. */
export function csvHeader(text: string): readonly string[] {
  const [cells] = parseCsvLine(text) as string[][];
  const columns = (cells ?? []).map((cell) => cell.trim());
  const unknown = columns.filter((column) => !(COUPON_CSV_COLUMNS as readonly string[]).includes(column));
  if (unknown.length > 0) throw new Error(`unknown columns in the CSV header: ${unknown.join(', ')}`);
  if (new Set(columns).size !== columns.length) throw new Error('a column appears twice in the CSV header');
  const missing = ['externalId', 'userId', 'templateExternalId', 'status', 'issuedAt', 'updatedAt'].filter((column) => !columns.includes(column));
  if (missing.length > 0) throw new Error(`the CSV header lacks ${missing.join(', ')}`);
  return columns;
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** `length` Crockford base32 characters from the bits of a digest (5 bits each). */
function base32Of(bytes: Uint8Array, length: number): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5 && out.length < length) {
      out += CROCKFORD[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  return out;
}

const digestOf = (kind: string, id: string) => createHash('sha256').update(`${kind}\n${id}`).digest();

/** A 10-character ULID time part (48 bits of milliseconds). */
const ulidTime = (epochMs: number): string => {
  let out = '';
  let value = epochMs;
  for (let i = 0; i < 10; i++) {
    out = CROCKFORD[value % 32] + out;
    value = Math.floor(value / 32);
  }
  return out;
};

/** The template id of a legacy template: ULID-shaped (template ids are ULIDs in every path), all of it from its external id. */
export function legacyTemplateId(record: Pick<LegacyTemplateRecord, 'externalId'>): string {
  const digest = digestOf('template', record.externalId);
  // A ULID's first character is at most 7 (its time part has 48 bits).
  return `${CROCKFORD[digest[0]! & 7]}${base32Of(digest.subarray(1), 25)}`;
}

/**
 * The coupon id of a legacy coupon: a ULID whose time is when it was issued (the wallet lists coupons
 * in id order) and whose rest comes from its external id. `issuedAt` never changes in a legacy system.
 */
export const legacyCouponId = (record: Pick<LegacyCouponRecord, 'externalId' | 'issuedAt'>): string => `${ulidTime(toEpochMs(record.issuedAt))}${base32Of(digestOf('coupon', record.externalId), 16)}`;

/** The template a legacy template record becomes, as the table would hold it. */
export function importedTemplate(record: LegacyTemplateRecord, nowIso: string): Template {
  const { externalId: _legacyId, stock, createdAt, status, ...rules } = record;
  return {
    ...rules,
    id: legacyTemplateId(record),
    status,
    stock: { total: stock.total, shards: stock.shards ?? defaultShardCount(stock.total - stock.issued), carriedOver: stock.issued },
    createdAt,
    updatedAt: nowIso,
  };
}

/** The coupon a legacy coupon record becomes: the template's rules, the legacy dates, status and order. */
export function importedCoupon(template: Template, record: LegacyCouponRecord): Coupon {
  const validity =
    template.validity.type === 'fixed'
      ? { validFrom: template.validity.from, validUntil: template.validity.until }
      : { validFrom: record.issuedAt, validUntil: toIso(toEpochMs(record.issuedAt) + template.validity.days * DAY_MS) };
  const status = LEGACY_STATUSES[record.status];
  const validUntil = record.validUntil ?? validity.validUntil;
  return {
    id: legacyCouponId(record),
    userId: record.userId,
    status,
    ...rulesOf(template),
    validFrom: record.validFrom ?? validity.validFrom,
    validUntil,
    issuedAt: record.issuedAt,
    source: 'import',
    externalId: record.externalId,
    legacyUpdatedAt: record.updatedAt,
    ...(record.orderId && status !== 'available' && status !== 'expired' ? { orderId: record.orderId } : {}),
    ...(status === 'used' ? { usedAt: record.usedAt ?? record.updatedAt } : {}),
    ...(status === 'expired' ? { expiredAt: validUntil } : {}),
  };
}

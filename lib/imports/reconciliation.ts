import { createHash } from 'node:crypto';
import * as z from 'zod';

/**
 * Counts and order-independent checksums of imported coupons, per template and status: one from the
 * source records, one from what the table holds, and whether they are equal. The checksum of a group
 * is the sum, modulo 2^64, of a 64-bit hash of each coupon's (externalId, userId, status): the same
 * coupons give the same sum in any order, parts and scan segments can be added up, and a coupon missing,
 * extra, moved to another user or in another status changes it.
 */
export interface TallyEntry {
  readonly count: number;
  /** 16 hex digits. */
  readonly checksum: string;
}
/** Keyed by `tallyKey(templateId, status)`. */
export type Tally = Record<string, TallyEntry>;

const MODULUS = 1n << 64n;
const SEPARATOR = '|';

export const tallyKey = (templateId: string, status: string): string => `${templateId}${SEPARATOR}${status}`;

const hashOf = (coupon: { externalId: string; userId: string; status: string }): bigint =>
  createHash('sha256').update(`${coupon.externalId}\n${coupon.userId}\n${coupon.status}`).digest().readBigUInt64BE(0);

const hex = (value: bigint) => value.toString(16).padStart(16, '0');

/** A tally being added up (BigInt sums), turned into a stored Tally by `settled`. */
export class TallyBuilder {
  private readonly groups = new Map<string, { count: number; sum: bigint }>();

  add(coupon: { templateId: string; status: string; externalId: string; userId: string }): void {
    this.addEntry(tallyKey(coupon.templateId, coupon.status), 1, hashOf(coupon));
  }

  addTally(tally: Tally): void {
    for (const [key, entry] of Object.entries(tally)) this.addEntry(key, entry.count, BigInt(`0x${entry.checksum}`));
  }

  settled(): Tally {
    return Object.fromEntries([...this.groups].sort(([a], [b]) => a.localeCompare(b)).map(([key, { count, sum }]) => [key, { count, checksum: hex(sum) }]));
  }

  private addEntry(key: string, count: number, sum: bigint): void {
    const group = this.groups.get(key) ?? { count: 0, sum: 0n };
    group.count += count;
    group.sum = (group.sum + sum) % MODULUS;
    this.groups.set(key, group);
  }
}

export const sumTallies = (tallies: Iterable<Tally>): Tally => {
  const builder = new TallyBuilder();
  for (const tally of tallies) builder.addTally(tally);
  return builder.settled();
};

export const ReconciliationRow = z.object({
  templateId: z.string(),
  status: z.string(),
  source: z.object({ count: z.int(), checksum: z.string() }),
  table: z.object({ count: z.int(), checksum: z.string() }),
  equal: z.boolean(),
});
export type ReconciliationRow = z.infer<typeof ReconciliationRow>;

export const ReconciliationView = z.object({
  equal: z.boolean(),
  /** Groups (template, status) compared, and how many of them differ. */
  groups: z.int(),
  differing: z.int(),
  source: z.object({ count: z.int() }),
  table: z.object({ count: z.int() }),
  /** Every group when there are few; otherwise the differing ones (at most 500). */
  rows: z.array(ReconciliationRow),
  checkedAt: z.string(),
});
export type Reconciliation = z.infer<typeof ReconciliationView>;

const ROWS_KEPT = 500;
const EMPTY: TallyEntry = { count: 0, checksum: hex(0n) };

/** Source against table, group by group. Pure. */
export function reconcile(source: Tally, table: Tally, checkedAt: string): Reconciliation {
  const keys = [...new Set([...Object.keys(source), ...Object.keys(table)])].sort();
  const rows = keys.map((key) => {
    const [templateId = '', status = ''] = key.split(SEPARATOR);
    const fromSource = source[key] ?? EMPTY;
    const fromTable = table[key] ?? EMPTY;
    return { templateId, status, source: fromSource, table: fromTable, equal: fromSource.count === fromTable.count && fromSource.checksum === fromTable.checksum };
  });
  const differing = rows.filter((row) => !row.equal);
  const total = (tally: Tally) => Object.values(tally).reduce((sum, entry) => sum + entry.count, 0);
  return {
    equal: differing.length === 0,
    groups: rows.length,
    differing: differing.length,
    source: { count: total(source) },
    table: { count: total(table) },
    rows: rows.length <= ROWS_KEPT ? rows : differing.slice(0, ROWS_KEPT),
    checkedAt,
  };
}

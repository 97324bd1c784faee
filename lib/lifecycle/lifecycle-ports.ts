import type { Coupon, CouponStatus } from '../coupons/coupon';

/** One coupon's entry in the lifecycle index: what the jobs read without touching the table. */
export interface IndexEntry {
  readonly userId: string;
  readonly couponId: string;
  readonly templateId: string;
  readonly name: string;
  readonly validUntil: string;
  readonly status: CouponStatus;
  /** Its place in the index, so a conditional write can check that it has not moved since it was read. */
  readonly indexSk: string;
}

/** The lifecycle index (GSI2, lib/keys.ts), read one shard at a time, a page at a time, in index order. */
export interface LifecycleIndex {
  /** Coupons that can still be used whose validity ends in [from, to] (ISO instants), available ones only. */
  expiring(shard: number, range: { readonly from?: string; readonly to: string }, pageSize: number): AsyncIterable<readonly IndexEntry[]>;
  /** Settled coupons (used or expired) that settled at or before `to`. */
  settled(shard: number, to: string, pageSize: number): AsyncIterable<readonly IndexEntry[]>;
}

/** Coupons written before the lifecycle index existed (no index key), and adding theirs. */
export interface UnindexedCoupons {
  unindexed(pageSize: number): AsyncIterable<readonly Coupon[]>;
  /** Adds the coupon's index key unless it has one by now: 'indexed' or 'had-one'. */
  addIndexKey(coupon: Coupon): Promise<'indexed' | 'had-one'>;
}

/** available -> expired for one coupon, on condition that it is still available and its validity has ended. */
export interface ExpiryWriter {
  expire(entry: IndexEntry, nowIso: string): Promise<'expired' | 'not-due'>;
}

/** One expiry reminder as recorded (and, through the stream, published as CouponsExpiringSoon). */
export interface Reminder {
  readonly userId: string;
  /** The UTC day it belongs to (YYYY-MM-DD) and the offset it is for (ISO 8601 duration). */
  readonly day: string;
  readonly offset: string;
  readonly coupons: ReadonlyArray<{ readonly couponId: string; readonly templateId: string; readonly name: string; readonly validUntil: string }>;
  readonly createdAt: string;
}

export interface ReminderStore {
  /** Records the reminder unless one exists for this user, day and offset: 'recorded' happens once per user, day and offset. */
  record(reminder: Reminder, retainUntilSeconds: number): Promise<'recorded' | 'already-recorded'>;
}

/** Which shards of a day's window for an offset are done, so later runs of the day skip them. */
export interface ReminderProgress {
  isDone(day: string, offset: string, shard: number): Promise<boolean>;
  markDone(day: string, offset: string, shard: number, retainUntilSeconds: number): Promise<void>;
}

/** One archive object: the coupons of one settlement day and template, as gzip JSON Lines. */
export interface ArchiveObjectSummary {
  readonly key: string;
  readonly day: string;
  readonly templateId: string;
  readonly count: number;
  readonly bytes: number;
  /** SHA-256 of the object's bytes, hex. */
  readonly sha256: string;
}

export const MANIFEST_STATES = ['writing', 'deleting', 'complete', 'abandoned'] as const;
export type ManifestState = (typeof MANIFEST_STATES)[number];

/**
 * The record of one archive batch. `writing`: its objects are being written, nothing is deleted yet;
 * `deleting`: every object is written and verified, its coupons are being deleted; `complete`: every
 * coupon it holds is deleted from the table; `abandoned`: a crash stopped it while writing, its
 * objects were removed and its coupons are still in the table (a later batch archives them).
 */
export interface ArchiveManifest {
  readonly batchId: string;
  readonly shard: number;
  /** When the batch was made (the wall clock, also when a run acts as of another instant). */
  readonly createdAt: string;
  readonly state: ManifestState;
  readonly objects: readonly ArchiveObjectSummary[];
  /** Coupons in its objects (= coupons deleted, once complete). */
  readonly coupons: number;
  /** Coupons read for it that changed before their delete (a refund): left in the table and out of its objects. */
  readonly leftInTable: number;
  readonly completedAt?: string;
}

/** The table side of archival: full coupons, their deletes, manifests and the per-shard lease. */
export interface ArchiveTable {
  /** The full coupons behind these entries that are still where the index said (settled, unchanged). */
  settledCoupons(entries: readonly IndexEntry[]): Promise<Coupon[]>;
  /** Deletes the coupon on condition that it is still settled where it was: `changed` if it moved meanwhile, `gone` if already deleted. */
  deleteSettled(coupon: Coupon): Promise<'deleted' | 'gone' | 'changed'>;
  /** Takes the shard for this run unless another run holds it; answers the batch a crashed holder left, if any. */
  takeShard(shard: number, holder: string, nowMs: number, leaseMs: number): Promise<{ readonly taken: false } | { readonly taken: true; readonly unfinished?: ArchiveManifest }>;
  releaseShard(shard: number, holder: string): Promise<void>;
  /** Writes the manifest; `unfinished` also records it on the shard (in the same transaction) until it completes or is abandoned. */
  saveManifest(manifest: ArchiveManifest, shardHolder: string): Promise<void>;
  manifests(range: { readonly from: string; readonly to: string }, page: { readonly limit: number; readonly cursor?: string }): Promise<{ items: ArchiveManifest[]; nextCursor?: string }>;
}

/** Where archive objects and manifests are stored (S3). */
export interface ArchiveObjects {
  put(key: string, body: Uint8Array, contentType: string): Promise<void>;
  get(key: string): Promise<Uint8Array | undefined>;
  delete(key: string): Promise<void>;
}

import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { Coupon } from '../coupons/coupon';
import { lifecycleIndexKeyOf } from '../coupons/coupon-item';
import { DAY_MS, toIso } from '../time';
import { forEachShard, type JobContext, type JobRun, outOfTime } from './job-run';
import type { ArchiveManifest, ArchiveObjects, ArchiveObjectSummary, ArchiveTable, LifecycleIndex } from './lifecycle-ports';

export interface ArchivalDeps extends JobContext {
  readonly index: LifecycleIndex;
  readonly table: ArchiveTable;
  readonly objects: ArchiveObjects;
  readonly newId: () => string;
  /** Days a coupon stays in the table after it settled. */
  readonly retentionDays: number;
  /** Coupons per archive batch. */
  readonly batchSize: number;
  /** How long a run holds a shard (longer than a run's budget). */
  readonly leaseMs: number;
}

export interface ArchivalResult {
  /** Coupons deleted from the table by this run, each in exactly one archive object. */
  readonly archived: number;
  readonly batches: number;
  /** Batches a crashed run left, finished (or abandoned) by this one. */
  readonly recovered: number;
  /** Coupons that changed (a refund) between being read and deleted: left in the table. */
  readonly leftInTable: number;
  /** Shards another run held. */
  readonly busyShards: number;
  readonly finished: boolean;
}

export class ArchiveVerificationError extends Error {}

/** An archive object with the coupons in it. */
interface ArchiveObject extends ArchiveObjectSummary {
  readonly coupons: readonly Coupon[];
  readonly body: Uint8Array;
}

const CONTENT_TYPE = 'application/gzip';

/** When a coupon settled (used or expired): the day its archive object is filed under. */
const settledAt = (coupon: Coupon): string => lifecycleIndexKeyOf(coupon).gsi2sk.split('#')[0]!;

/** Where the objects and manifests go: partitioned by day and template, as Athena reads them (docs/lifecycle.md). */
export const archiveObjectKey = (day: string, templateId: string, batchId: string) => `coupons/day=${day}/template=${templateId}/${batchId}.jsonl.gz`;
export const manifestObjectKey = (createdAt: string, batchId: string) => `manifests/day=${createdAt.slice(0, 10)}/${batchId}.json`;

/** One object: the coupons as JSON Lines, gzipped, with its SHA-256. */
export function archiveObject(key: string, day: string, templateId: string, coupons: readonly Coupon[]): ArchiveObject {
  const body = gzipSync(coupons.map((coupon) => JSON.stringify(coupon)).join('\n') + '\n');
  return { key, day, templateId, count: coupons.length, bytes: body.byteLength, sha256: sha256(body), coupons, body };
}

/** The coupons in an archive object's bytes. */
export const couponsInObject = (body: Uint8Array): Coupon[] =>
  gunzipSync(body)
    .toString('utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Coupon);

const sha256 = (body: Uint8Array) => createHash('sha256').update(body).digest('hex');

/**
 * Moves coupons settled (used, or expired) longer than the retention ago from the table to S3, shard by
 * shard, a batch at a time. A batch is recorded before anything is written and moves through its
 * states (see ArchiveManifest):
 *
 *   writing:  objects put, then read back and checked against their SHA-256;
 *   deleting: each coupon deleted on condition it is still settled where it was read;
 *   complete: counts recorded, the manifest also put beside the objects.
 *
 * A run holds a shard (a lease in the table), so no two runs archive the same coupons. A run that
 * crashes leaves its batch on the shard; the next run to take the shard finishes it first: a batch
 * still writing is abandoned (its objects removed; its coupons are still in the table and go into a new
 * batch), a batch deleting has every object verified and finishes its deletes. So a crash at any point
 * loses nothing and archives nothing twice. Statistics and stock do not change (archival is not a
 * status change).
 */
export async function archiveSettledCoupons(deps: ArchivalDeps, run: JobRun): Promise<ArchivalResult> {
  const cutoff = toIso(run.nowMs - deps.retentionDays * DAY_MS);
  const holder = deps.newId();
  const result = { archived: 0, batches: 0, recovered: 0, leftInTable: 0, busyShards: 0, finished: true };
  const count = (manifest: ArchiveManifest) => {
    result.archived += manifest.coupons;
    result.leftInTable += manifest.leftInTable;
  };
  await forEachShard(async (shard) => {
    const lease = await deps.table.takeShard(shard, holder, deps.clock(), deps.leaseMs);
    if (!lease.taken) {
      result.busyShards++;
      return;
    }
    try {
      if (lease.unfinished) {
        count(await finishUnfinished(deps, lease.unfinished, holder));
        result.recovered++;
      }
      for await (const page of deps.index.settled(shard, cutoff, deps.batchSize)) {
        const coupons = await deps.table.settledCoupons(page);
        if (coupons.length > 0) {
          count(await archiveBatch(deps, shard, coupons, holder));
          result.batches++;
        }
        if (outOfTime(deps, run)) {
          result.finished = false;
          return;
        }
      }
    } finally {
      // A crash in this process (a thrown error) lets the next run take the shard at once; a crashed
      // process leaves the lease to run out. Either way the unfinished batch stays recorded on the shard.
      await deps.table.releaseShard(shard, holder);
    }
  });
  return result;
}

async function archiveBatch(deps: ArchivalDeps, shard: number, coupons: readonly Coupon[], holder: string): Promise<ArchiveManifest> {
  const batchId = deps.newId();
  const groups = new Map<string, Coupon[]>();
  for (const coupon of coupons) {
    const group = `${settledAt(coupon).slice(0, 10)}|${coupon.templateId}`;
    const held = groups.get(group);
    if (held) held.push(coupon);
    else groups.set(group, [coupon]);
  }
  const objects = [...groups].map(([group, grouped]) => {
    const [day, templateId] = group.split('|') as [string, string];
    return archiveObject(archiveObjectKey(day, templateId, batchId), day, templateId, grouped);
  });
  let manifest: ArchiveManifest = { batchId, shard, createdAt: toIso(deps.clock()), state: 'writing', objects: objects.map(summaryOf), coupons: coupons.length, leftInTable: 0 };
  await deps.table.saveManifest(manifest, holder);
  for (const object of objects) await deps.objects.put(object.key, object.body, CONTENT_TYPE);
  await verify(deps, objects);
  manifest = { ...manifest, state: 'deleting' };
  await deps.table.saveManifest(manifest, holder);
  return deleteAndComplete(deps, manifest, objects, holder);
}

/** Finishes the batch a crashed run left on the shard. */
async function finishUnfinished(deps: ArchivalDeps, manifest: ArchiveManifest, holder: string): Promise<ArchiveManifest> {
  if (manifest.state === 'writing') {
    // Nothing was deleted before every object was verified: remove what was written; the coupons are still in the table.
    for (const object of manifest.objects) await deps.objects.delete(object.key);
    const abandoned: ArchiveManifest = { ...manifest, state: 'abandoned', objects: [], coupons: 0, completedAt: toIso(deps.clock()) };
    await deps.table.saveManifest(abandoned, holder);
    return abandoned;
  }
  if (manifest.state === 'deleting') {
    const objects: ArchiveObject[] = [];
    for (const summary of manifest.objects) {
      const body = await deps.objects.get(summary.key);
      if (!body || sha256(body) !== summary.sha256) throw new ArchiveVerificationError(`archive object ${summary.key} of batch ${manifest.batchId} is missing or does not match its checksum`);
      objects.push({ ...summary, body, coupons: couponsInObject(body) });
    }
    return deleteAndComplete(deps, manifest, objects, holder);
  }
  // Complete or abandoned already: only the shard's record of it was left.
  await deps.table.saveManifest(manifest, holder);
  return { ...manifest, coupons: 0, leftInTable: 0 };
}

/**
 * Deletes the batch's coupons (each on condition it is still settled where it was read). A coupon
 * already gone was deleted by this batch before a crash (only the shard's holder deletes its coupons);
 * one that changed meanwhile (refunded) stays in the table and is taken out of its object, so the
 * archive never holds a coupon that is still live. Then the batch is complete.
 */
async function deleteAndComplete(deps: ArchivalDeps, manifest: ArchiveManifest, objects: readonly ArchiveObject[], holder: string): Promise<ArchiveManifest> {
  const changed = new Set<string>();
  await Promise.all(
    objects.flatMap((object) =>
      object.coupons.map((coupon) =>
        deps.writes(async () => {
          if ((await deps.table.deleteSettled(coupon)) === 'changed') changed.add(coupon.id);
        }),
      ),
    ),
  );
  let final = objects;
  if (changed.size > 0) {
    final = objects.map((object) => (object.coupons.some((c) => changed.has(c.id)) ? archiveObject(object.key, object.day, object.templateId, object.coupons.filter((c) => !changed.has(c.id))) : object));
    for (const object of final) {
      if (object.count === 0) await deps.objects.delete(object.key);
      else if (objects.find((o) => o.key === object.key) !== object) await deps.objects.put(object.key, object.body, CONTENT_TYPE);
    }
    final = final.filter((object) => object.count > 0);
    await verify(deps, final);
  }
  const complete: ArchiveManifest = {
    ...manifest,
    state: 'complete',
    objects: final.map(summaryOf),
    coupons: final.reduce((sum, object) => sum + object.count, 0),
    leftInTable: manifest.leftInTable + changed.size,
    completedAt: toIso(deps.clock()),
  };
  await deps.objects.put(manifestObjectKey(complete.createdAt, complete.batchId), Buffer.from(JSON.stringify(complete, null, 2)), 'application/json');
  await deps.table.saveManifest(complete, holder);
  return complete;
}

/** Reads every object back: it must be there, with the checksum and the number of coupons the manifest records. */
async function verify(deps: Pick<ArchivalDeps, 'objects'>, objects: readonly ArchiveObject[]): Promise<void> {
  for (const object of objects) {
    const stored = await deps.objects.get(object.key);
    if (!stored || sha256(stored) !== object.sha256 || couponsInObject(stored).length !== object.count) {
      throw new ArchiveVerificationError(`archive object ${object.key} does not read back as written`);
    }
  }
}

const summaryOf = ({ key, day, templateId, count, bytes, sha256: checksum }: ArchiveObject): ArchiveObjectSummary => ({ key, day, templateId, count, bytes, sha256: checksum });

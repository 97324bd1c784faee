import { createHash } from 'node:crypto';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { archivalDeps, type Container, templateRepository } from '../../lib/container';
import { type Coupon, issueCoupon } from '../../lib/coupons/coupon';
import { couponItem } from '../../lib/coupons/coupon-item';
import { batchWriteAll } from '../../lib/dynamodb/batch';
import { expiryIndexKey, userCouponKey } from '../../lib/keys';
import { type ArchivalDeps, archiveSettledCoupons, couponsInObject } from '../../lib/lifecycle/archival';
import { jobRun } from '../../lib/lifecycle/job-run';
import type { ArchiveManifest, ArchiveObjects, ArchiveTable } from '../../lib/lifecycle/lifecycle-ports';
import { DAY_MS, toEpochMs, toIso } from '../../lib/time';
import { LOCAL_ARCHIVE_BUCKET, type LocalQueues, startLocalQueues } from '../../tools/local/local-campaigns';
import { activeTemplate } from '../support/claims';
import { testContainer } from '../support/container';
import { createTestTable, scanAll, type TestTable } from '../support/dynamodb';

const RUNS = 30;
let table: TestTable;
let storage: LocalQueues;
let container: Container;
let templateId: string;

beforeAll(async () => {
  table = await createTestTable('archival-property');
  storage = await startLocalQueues();
  // Small batches, so that a run makes several batches on a shard and a crash can fall between them.
  container = testContainer(table, { endpoints: { s3: storage.endpoint }, lifecycle: { archiveBucket: LOCAL_ARCHIVE_BUCKET, archiveBatchSize: 7, writesInFlight: 8 } });
  templateId = await activeTemplate(table, { name: 'Archived' });
}, 60_000);
afterAll(async () => {
  await storage?.stop();
  container?.clients.destroy();
});

/** Where a fault strikes: the n-th call to one of the ports archival writes through, and how. */
const fault = fc.record({
  at: fc.integer({ min: 1, max: 60 }),
  kind: fc.constantFrom('crash' as const, 'throttled' as const),
  /** A crashed process cannot release its shards: the next run waits for the lease to run out. */
  processDies: fc.boolean(),
});
const scenario = fc.record({
  coupons: fc.integer({ min: 1, max: 40 }),
  users: fc.integer({ min: 1, max: 12 }),
  faults: fc.array(fault, { minLength: 1, maxLength: 3 }),
  /** Coupons refunded (available again) between the faulty runs and the last one. */
  refunded: fc.array(fc.nat(), { maxLength: 4 }),
  /** Every delete is sent twice (a retried request). */
  duplicateDeletes: fc.boolean(),
});

class InjectedFault extends Error {}

/** The archival ports with a fault at the n-th call: a crash, or throttling the SDK gave up on. */
function faulty(deps: ArchivalDeps, at: number, kind: 'crash' | 'throttled', processDies: boolean, duplicateDeletes: boolean): ArchivalDeps {
  let calls = 0;
  const strike = () => {
    if (++calls === at) {
      const error = new InjectedFault(`injected ${kind} at call ${at}`);
      if (kind === 'throttled') error.name = 'ThrottlingException';
      throw error;
    }
  };
  const table = deps.table;
  const objects = deps.objects;
  const faultyTable: ArchiveTable = {
    settledCoupons: async (entries) => (strike(), table.settledCoupons(entries)),
    deleteSettled: async (coupon) => {
      strike();
      const first = await table.deleteSettled(coupon);
      if (!duplicateDeletes) return first;
      const second = await table.deleteSettled(coupon);
      return first === 'deleted' ? first : second;
    },
    takeShard: (...args) => table.takeShard(...args),
    releaseShard: async (shard, holder) => (processDies ? undefined : table.releaseShard(shard, holder)),
    saveManifest: async (manifest, holder) => (strike(), table.saveManifest(manifest, holder)),
    manifests: (...args) => table.manifests(...args),
  };
  const faultyObjects: ArchiveObjects = {
    put: async (key, body, type) => (strike(), objects.put(key, body, type)),
    get: async (key) => (strike(), objects.get(key)),
    delete: async (key) => (strike(), objects.delete(key)),
  };
  return { ...deps, table: faultyTable, objects: faultyObjects };
}

describe('archival under crashes, throttling, duplicate deletes and refunds (property, DynamoDB Local, fauxqs)', () => {
  it(`archives every settled coupon exactly once, or leaves it in the table, in ${RUNS} generated runs`, async () => {
    const template = (await templateRepository(container).get(templateId))!;
    let run = 0;
    let struck = 0;
    let recovered = 0;
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        run++;
        // Each run's coupons settled on a day of their own, so runs never see each other's.
        const settledOn = toEpochMs('2025-01-01T12:00:00Z') + run * DAY_MS;
        const day = toIso(settledOn).slice(0, 10);
        const coupons: Coupon[] = Array.from({ length: s.coupons }, (_, i) => ({
          ...issueCoupon(template, { id: `r${run}-${i}`, userId: `r${run}-user-${i % s.users}`, nowMs: settledOn - 10 * DAY_MS, source: 'campaign' }),
          status: 'expired' as const,
          expiredAt: toIso(settledOn),
        }));
        expect(await batchWriteAll(table.client, table.tableName, coupons.map((c) => ({ PutRequest: { Item: couponItem(c) } })), { maxAttempts: 5, baseDelayMs: 10 })).toEqual([]);

        let clockMs = Date.now();
        const deps = { ...archivalDeps(container), clock: () => clockMs };
        const archiveAt = settledOn + 181 * DAY_MS;
        for (const f of s.faults) {
          await archiveSettledCoupons(faulty(deps, f.at, f.kind, f.processDies, s.duplicateDeletes), jobRun(() => clockMs, 600_000, archiveAt)).catch((error: unknown) => {
            if (!(error instanceof InjectedFault)) throw error;
            struck++;
          });
          // A dead process's leases run out before the next run.
          if (f.processDies) clockMs += deps.leaseMs + 1;
        }
        // Refunds between the faulty runs and the last: those coupons are live again and must stay.
        const refunded = new Set(s.refunded.map((i) => coupons[i % coupons.length]!.id));
        for (const coupon of coupons.filter((c) => refunded.has(c.id))) {
          const key = expiryIndexKey({ ...coupon, validUntil: '2030-01-01T00:00:00.000Z' });
          await table.client
            .send(
              new UpdateCommand({
                TableName: table.tableName,
                Key: userCouponKey(coupon.userId, coupon.id),
                UpdateExpression: 'SET #status = :available, validUntil = :until, gsi2pk = :pk, gsi2sk = :sk REMOVE expiredAt',
                ConditionExpression: 'attribute_exists(pk)',
                ExpressionAttributeNames: { '#status': 'status' },
                ExpressionAttributeValues: { ':available': 'available', ':until': '2030-01-01T00:00:00.000Z', ':pk': key.gsi2pk, ':sk': key.gsi2sk },
              }),
            )
            .catch(() => refunded.delete(coupon.id)); // already archived before the refund could happen
        }
        const last = await archiveSettledCoupons(deps, jobRun(() => clockMs, 600_000, archiveAt));
        recovered += last.recovered;
        expect(last.finished).toBe(true);
        expect(last.busyShards).toBe(0);

        // The table holds exactly the refunded coupons of the run; everything else is in the archive, once.
        const left = (await scanAll(table)).filter((item) => item.entity === 'coupon' && String(item.id).startsWith(`r${run}-`)).map((item) => String(item.id));
        expect(left.sort()).toEqual([...refunded].sort());
        const listed = await storage.s3.send(new ListObjectsV2Command({ Bucket: LOCAL_ARCHIVE_BUCKET, Prefix: `coupons/day=${day}/` }));
        const manifests = (await scanAll(table)).filter((item) => item.entity === 'archive-manifest') as unknown as ArchiveManifest[];
        const complete = manifests.filter((m) => m.state === 'complete').flatMap((m) => m.objects).filter((o) => o.day === day);
        expect(manifests.filter((m) => m.state === 'writing' || m.state === 'deleting')).toEqual([]);
        expect((listed.Contents ?? []).map((o) => o.Key).sort()).toEqual(complete.map((o) => o.key).sort());
        const archived: string[] = [];
        for (const summary of complete) {
          const body = await (await storage.s3.send(new GetObjectCommand({ Bucket: LOCAL_ARCHIVE_BUCKET, Key: summary.key }))).Body!.transformToByteArray();
          expect(createHash('sha256').update(body).digest('hex')).toBe(summary.sha256);
          archived.push(...couponsInObject(body).map((c) => c.id));
        }
        expect(archived.sort()).toEqual(coupons.map((c) => c.id).filter((id) => !refunded.has(id)).sort());
      }),
      { numRuns: RUNS, seed: 20261123, endOnFailure: true },
    );
    // The faults did strike, and runs did find batches left unfinished.
    expect(struck).toBeGreaterThan(RUNS / 2);
    expect(recovered).toBeGreaterThan(0);
  }, 600_000);
});

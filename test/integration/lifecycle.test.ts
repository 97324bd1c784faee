import { mkdtempSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ListObjectsV2Command, GetObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { archivalDeps, type Container, expiryDeps, reminderDeps, templateRepository } from '../../lib/container';
import { type Coupon, issueCoupon } from '../../lib/coupons/coupon';
import { couponItem } from '../../lib/coupons/coupon-item';
import { batchWriteAll } from '../../lib/dynamodb/batch';
import { Entity, entityItem } from '../../lib/entities';
import { userCouponKey } from '../../lib/keys';
import { archiveRoutes } from '../../lib/lifecycle/archive-routes';
import { runJobCli } from '../../tools/jobs';
import { admin, apiEvent, invoke, user } from '../support/api-events';
import { loadHandler } from '../support/fixtures';
import { callGate } from '../../lib/dynamodb/call-gate';
import { archiveSettledCoupons, couponsInObject } from '../../lib/lifecycle/archival';
import { expireDueCoupons } from '../../lib/lifecycle/expiry';
import { jobRun } from '../../lib/lifecycle/job-run';
import type { ArchiveManifest, ArchiveTable, ReminderStore } from '../../lib/lifecycle/lifecycle-ports';
import { sendReminders } from '../../lib/lifecycle/reminders';
import { confirmOrder, lockCouponsForOrder } from '../../lib/orders/order-service';
import { StatisticsRepository } from '../../lib/statistics/statistics-repository';
import type { Template } from '../../lib/templates/template';
import { DAY_MS, toEpochMs, toIso } from '../../lib/time';
import { streamConsumers } from '../../lib/topology';
import { buildEntry } from '../../tools/local/functions';
import { LOCAL_ARCHIVE_BUCKET, type LocalQueues, startLocalQueues } from '../../tools/local/local-campaigns';
import { type LocalEventBridge, startLocalEventBridge } from '../../tools/local/local-eventbridge';
import { startStreamPoller, type StreamPoller } from '../../tools/local/stream-poller';
import { testContainer } from '../support/container';
import { activeTemplate } from '../support/claims';
import { createTestTable, scanAll, type TestTable } from '../support/dynamodb';
import { items, orderDepsFor } from '../support/orders';

let table: TestTable;
let bus: LocalEventBridge;
let storage: LocalQueues;
let pollers: StreamPoller[] = [];
let eventsFile: string;
let container: Container;

beforeAll(async () => {
  table = await createTestTable('lifecycle');
  eventsFile = path.join(mkdtempSync(path.join(tmpdir(), 'lifecycle-events-')), 'events.jsonl');
  bus = await startLocalEventBridge({ eventsFile });
  storage = await startLocalQueues();
  container = testContainer(table, { endpoints: { eventBridge: bus.endpoint, s3: storage.endpoint }, lifecycle: { archiveBucket: LOCAL_ARCHIVE_BUCKET } });
  // Both stream consumers, as deployed: the publisher (events) and the statistics.
  for (const consumer of [streamConsumers.publisher, streamConsumers.statistics]) {
    const handler = await buildEntry(consumer.entry, container);
    pollers.push(await startStreamPoller({ endpoint: table.endpoint, tableName: table.tableName, consumer, handler: handler as never, intervalMs: 50, maxBatchingWindowSeconds: 0 }));
  }
}, 60_000);
afterAll(async () => {
  await Promise.all(pollers.map((poller) => poller.stop()));
  await bus?.close();
  await storage?.stop();
  container?.clients.destroy();
});

const drain = () => Promise.all(pollers.map((poller) => poller.drain()));
const published = () => (existsSync(eventsFile) ? readFileSync(eventsFile, 'utf8').trim().split('\n').filter(Boolean).map((line) => JSON.parse(line)) : []);
const statistics = (templateId: string) => new StatisticsRepository(table.client, table.tableName).get(templateId).then((s) => s!);
const couponsOf = async (templateId: string) => (await scanAll(table)).filter((item) => item.entity === 'coupon' && item.templateId === templateId);
/** A run acting as of `iso`, with all the time it needs. */
const at = (iso: string) => jobRun(() => Date.now(), 60_000, toEpochMs(iso));

/** Writes coupons of a template straight to the table, as an issuing path does (couponItem), with the validity each asks. */
async function writeCoupons(template: Template, coupons: ReadonlyArray<{ userId: string; id: string; validUntil: string }>): Promise<Coupon[]> {
  const written = coupons.map(({ userId, id, validUntil }) => ({ ...issueCoupon(template, { id, userId, nowMs: toEpochMs('2026-01-01T00:00:00Z'), source: 'campaign' }), validFrom: '2026-01-01T00:00:00.000Z', validUntil }));
  const left = await batchWriteAll(table.client, table.tableName, written.map((coupon) => ({ PutRequest: { Item: couponItem(coupon) } })), { maxAttempts: 10, baseDelayMs: 20, inFlight: callGate(16) });
  expect(left).toEqual([]);
  return written;
}

describe('expiry, written and counted', () => {
  it('expires exactly the due coupons of 20,000 over 2,000 users across three days, counts them and emits CouponExpired, and leaves a coupon locked before the run alone', async () => {
    const templateId = await activeTemplate(table, { stock: { total: 100, shards: 1 } });
    const template = (await templateRepository(container).get(templateId))!;
    const days = ['2026-03-01', '2026-03-02', '2026-03-03'];
    // Ten coupons a user, due at spread times over the three days.
    const plan = Array.from({ length: 20_000 }, (_, i) => ({
      userId: `exp-user-${i % 2_000}`,
      id: `exp-${String(i).padStart(5, '0')}`,
      validUntil: `${days[i % 3]}T${String((i * 7) % 24).padStart(2, '0')}:${String((i * 13) % 60).padStart(2, '0')}:00.000Z`,
    }));
    await writeCoupons(template, plan);

    const deps = expiryDeps(container);
    let expiredSoFar = 0;
    const lockedIds = new Set<string>();
    for (const [d, day] of days.entries()) {
      // An order locks one coupon due today, a moment before the run.
      const due = plan.filter((p) => p.validUntil.startsWith(day));
      const locked = due.find((p) => p.validUntil > `${day}T20:00:00`)!;
      const orders = orderDepsFor(table, { clock: () => toEpochMs(locked.validUntil) - 60_000 });
      await lockCouponsForOrder(orders, `exp-order-${d}`, { userId: locked.userId, couponIds: [locked.id], kind: 'purchase', currency: 'EUR', items });
      lockedIds.add(locked.id);

      const endOfDay = `${day}T23:59:59.999Z`;
      const result = await expireDueCoupons(deps, at(endOfDay));
      expect(result).toMatchObject({ expired: due.length - 1, finished: true });
      expiredSoFar += due.length - 1;

      const stored = await couponsOf(templateId);
      const dueIds = new Set(plan.filter((p) => p.validUntil <= endOfDay).map((p) => p.id));
      for (const coupon of stored) {
        if (lockedIds.has(String(coupon.id))) expect(coupon.status).toBe('locked');
        else expect(coupon.status).toBe(dueIds.has(String(coupon.id)) ? 'expired' : 'available');
      }
      expect(stored.filter((c) => c.status === 'expired')).toHaveLength(expiredSoFar);
      // A second run over the same instant changes nothing (overlapping runs do no harm).
      expect(await expireDueCoupons(deps, at(endOfDay))).toMatchObject({ expired: 0 });

      await drain();
      const expiredEvents = published().filter((e) => e['detail-type'] === 'CouponExpired' && e.detail.data.templateId === templateId);
      expect(expiredEvents).toHaveLength(expiredSoFar);
      expect(new Set(expiredEvents.map((e) => e.detail.data.couponId)).size).toBe(expiredSoFar);
      const counters = (await statistics(templateId)).counters;
      expect(counters).toMatchObject({ issued: 20_000, expired: expiredSoFar, expiredTotal: expiredSoFar, locked: d + 1, available: 20_000 - expiredSoFar - (d + 1) });
    }
  }, 300_000);
});

describe('reminders', () => {
  it('give each user exactly one reminder per offset per day, through a crash after half the users and a second run', async () => {
    const templateId = await activeTemplate(table, { name: 'Spring 10', reminders: ['P3D', 'P1D'] });
    const quietId = await activeTemplate(table, { name: 'No reminders', reminders: [] });
    const template = (await templateRepository(container).get(templateId))!;
    const quiet = (await templateRepository(container).get(quietId))!;
    const runAt = '2026-05-10T09:00:00.000Z';
    // 400 users: two coupons ending in three days (the P3D window: the 13th), one ending tomorrow (P1D), one in five days (no window).
    const users = Array.from({ length: 400 }, (_, u) => `rem-user-${u}`);
    const coupons = await writeCoupons(
      template,
      users.flatMap((userId, u) => [
        { userId, id: `rem-${u}-a`, validUntil: '2026-05-13T08:00:00.000Z' },
        { userId, id: `rem-${u}-b`, validUntil: '2026-05-13T22:00:00.000Z' },
        { userId, id: `rem-${u}-c`, validUntil: '2026-05-11T12:00:00.000Z' },
        { userId, id: `rem-${u}-d`, validUntil: '2026-05-15T12:00:00.000Z' },
      ]),
    );
    await writeCoupons(quiet, [{ userId: 'rem-user-0', id: 'rem-quiet', validUntil: '2026-05-13T10:00:00.000Z' }]);
    // User 1's P1D coupon is locked by an order, user 2's is used: neither is reminded of.
    const orders = orderDepsFor(table, { clock: () => toEpochMs('2026-05-09T10:00:00Z') });
    await lockCouponsForOrder(orders, 'rem-order-1', { userId: 'rem-user-1', couponIds: ['rem-1-c'], kind: 'purchase', currency: 'EUR', items });
    await lockCouponsForOrder(orders, 'rem-order-2', { userId: 'rem-user-2', couponIds: ['rem-2-c'], kind: 'purchase', currency: 'EUR', items });
    await confirmOrder(orders, 'rem-order-2');

    const deps = reminderDeps(container);
    let recorded = 0;
    const crashing: ReminderStore = {
      // The process dies once half the users' P3D reminders are written: every later write fails.
      record: async (reminder, retain) => {
        if (recorded >= users.length / 2) throw new Error('injected crash');
        recorded++;
        return deps.reminders.record(reminder, retain);
      },
    };
    await expect(sendReminders({ ...deps, reminders: { ...bindAll(deps.reminders), record: crashing.record } }, at(runAt))).rejects.toThrow(/injected crash/);
    expect(recorded).toBe(users.length / 2);
    const second = await sendReminders(deps, at(runAt));
    // 400 P3D reminders and 398 P1D ones (users 1 and 2 have nothing available tomorrow) in all, half the P3D ones by the first run.
    expect(second.sent + recorded).toBe(400 + 398);
    expect(await sendReminders(deps, at('2026-05-10T15:00:00.000Z'))).toMatchObject({ sent: 0, alreadySent: 0 });

    await drain();
    const reminders = published().filter((e) => e['detail-type'] === 'CouponsExpiringSoon' && e.detail.data.userId.startsWith('rem-user-'));
    const keys = reminders.map((e) => `${e.detail.data.userId}|${e.detail.data.offset}|${e.detail.data.day}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys).toHaveLength(798);
    const of = (userId: string, offset: string) => reminders.find((e) => e.detail.data.userId === userId && e.detail.data.offset === offset)?.detail.data;
    expect(of('rem-user-5', 'P3D')).toMatchObject({ day: '2026-05-10', coupons: [{ couponId: 'rem-5-a', name: 'Spring 10' }, { couponId: 'rem-5-b' }] });
    expect(of('rem-user-5', 'P1D').coupons.map((c: { couponId: string }) => c.couponId)).toEqual(['rem-5-c']);
    // The template with reminders off adds nothing to user 0's reminder.
    expect(of('rem-user-0', 'P3D').coupons.map((c: { couponId: string }) => c.couponId)).toEqual(['rem-0-a', 'rem-0-b']);
    expect(of('rem-user-1', 'P1D')).toBeUndefined();
    expect(of('rem-user-2', 'P1D')).toBeUndefined();
    expect((await statistics(templateId)).counters.remindersSent).toBe(798);
    expect((await statistics(quietId)).counters.remindersSent).toBe(0);
    expect(coupons).toHaveLength(1_600);
  }, 120_000);
});

describe('archival', () => {
  it('after a crash between the S3 write and the delete, a re-run leaves every archived coupon in exactly one verified object and none in the table, statistics unchanged', async () => {
    const first = await activeTemplate(table, { name: 'Archive A' });
    const second = await activeTemplate(table, { name: 'Archive B' });
    const templates = [(await templateRepository(container).get(first))!, (await templateRepository(container).get(second))!];
    // 600 coupons ending over the first three days of January; expired by runs on each day after (settled on the 2nd, 3rd and 4th).
    const plan = Array.from({ length: 600 }, (_, i) => ({ userId: `arc-user-${i % 150}`, id: `arc-${String(i).padStart(4, '0')}`, validUntil: `2026-01-0${1 + (i % 3)}T12:00:00.000Z`, template: templates[i % 2]! }));
    for (const template of templates) await writeCoupons(template, plan.filter((p) => p.template === template));
    for (const day of ['2026-01-02', '2026-01-03', '2026-01-04']) await expireDueCoupons(expiryDeps(container), at(`${day}T00:00:00.000Z`));
    // Two more: one used on the 3rd, and one that settles recently (not old enough to archive).
    const [used, recent] = await writeCoupons(templates[0]!, [
      { userId: 'arc-user-used', id: 'arc-used', validUntil: '2026-12-31T00:00:00.000Z' },
      { userId: 'arc-user-recent', id: 'arc-recent', validUntil: '2026-06-01T00:00:00.000Z' },
    ]);
    const orders = orderDepsFor(table, { clock: () => toEpochMs('2026-01-03T10:00:00Z') });
    await lockCouponsForOrder(orders, 'arc-order', { userId: used!.userId, couponIds: [used!.id], kind: 'purchase', currency: 'EUR', items });
    await confirmOrder(orders, 'arc-order');
    await expireDueCoupons(expiryDeps(container), at('2026-06-02T00:00:00.000Z'));
    await drain();
    const before = await Promise.all([statistics(first), statistics(second)]);
    const dueIds = new Set([...plan.map((p) => p.id), used!.id]);

    // Retention 180 days; archive as of mid-July: everything settled in January is due, the June expiry is not.
    const runAt = toIso(toEpochMs('2026-01-04T00:00:00Z') + 181 * DAY_MS);
    const deps = archivalDeps(container);
    // First run: the process dies on its first delete, after its first batch's objects are written and verified.
    const crashingTable: ArchiveTable = { ...bindAll(deps.table), deleteSettled: async () => Promise.reject(new Error('injected crash')) };
    await expect(archiveSettledCoupons({ ...deps, table: crashingTable }, at(runAt))).rejects.toThrow(/injected crash/);
    // Second run: another crash, after a few deletes of the batch it recovers.
    let deletes = 0;
    const crashLater: ArchiveTable = { ...bindAll(deps.table), deleteSettled: async (coupon) => (++deletes > 25 ? Promise.reject(new Error('injected crash')) : deps.table.deleteSettled(coupon)) };
    await expect(archiveSettledCoupons({ ...deps, table: crashLater }, at(runAt))).rejects.toThrow(/injected crash/);
    // Third run, undisturbed, finishes what the crashed ones left and archives the rest.
    const result = await archiveSettledCoupons(deps, at(runAt));
    expect(result.finished).toBe(true);
    expect(result.recovered).toBeGreaterThan(0);
    expect(await archiveSettledCoupons(deps, at(runAt))).toMatchObject({ archived: 0, batches: 0, recovered: 0 });

    // The table holds none of them; the recent one stays.
    const left = new Set((await scanAll(table)).filter((item) => item.entity === 'coupon').map((item) => String(item.id)));
    for (const id of dueIds) expect(left.has(id)).toBe(false);
    expect(left.has(recent!.id)).toBe(true);

    // Every object in the bucket belongs to a complete manifest, its checksum matches, and each deleted coupon is in exactly one.
    const manifests = (await scanAll(table)).filter((item) => item.entity === 'archive-manifest') as unknown as ArchiveManifest[];
    const complete = manifests.filter((m) => m.state === 'complete');
    expect(manifests.every((m) => m.state === 'complete' || m.state === 'abandoned')).toBe(true);
    const listed = await storage.s3.send(new ListObjectsV2Command({ Bucket: LOCAL_ARCHIVE_BUCKET, Prefix: 'coupons/' }));
    const stored = (listed.Contents ?? []).map((object) => object.Key!).sort();
    expect(stored).toEqual(complete.flatMap((m) => m.objects.map((o) => o.key)).sort());
    const archived: string[] = [];
    for (const summary of complete.flatMap((m) => m.objects)) {
      const body = await (await storage.s3.send(new GetObjectCommand({ Bucket: LOCAL_ARCHIVE_BUCKET, Key: summary.key }))).Body!.transformToByteArray();
      const { createHash } = await import('node:crypto');
      expect(createHash('sha256').update(body).digest('hex')).toBe(summary.sha256);
      const inside = couponsInObject(body);
      expect(inside).toHaveLength(summary.count);
      for (const coupon of inside) {
        expect(coupon.templateId).toBe(summary.templateId);
        expect(summary.key).toContain(`day=${summary.day}/template=${summary.templateId}/`);
      }
      archived.push(...inside.map((c) => c.id));
    }
    expect(archived.sort()).toEqual([...dueIds].sort());
    expect(complete.reduce((sum, m) => sum + m.coupons, 0)).toBe(dueIds.size);

    // Archival changes no statistics and no stock.
    await drain();
    expect(await Promise.all([statistics(first), statistics(second)])).toEqual(before);

    // The back office lists the manifests.
    const listArchives = await loadHandler(archiveRoutes.listArchives, container);
    const hourAgo = toIso(Date.now() - 3_600_000);
    const page = await invoke(listArchives, apiEvent(archiveRoutes.listArchives, { caller: admin, query: { from: hourAgo, limit: '100' } }));
    expect(page.statusCode).toBe(200);
    expect(page.body.items.filter((m: ArchiveManifest) => m.state === 'complete').reduce((sum: number, m: ArchiveManifest) => sum + m.coupons, 0)).toBe(dueIds.size);
    expect(page.body.items[0].bucket).toBe(LOCAL_ARCHIVE_BUCKET);
    expect((await invoke(listArchives, apiEvent(archiveRoutes.listArchives, { caller: user('arc-user-1'), query: {} }))).statusCode).toBe(403);
    const backwards = await invoke(listArchives, apiEvent(archiveRoutes.listArchives, { caller: admin, query: { from: toIso(Date.now()), to: hourAgo } }));
    expect(backwards).toMatchObject({ statusCode: 400, body: { error: { code: 'INVALID_RANGE' } } });
  }, 120_000);
});

describe('npm run jobs', () => {
  it('indexes coupons written before the lifecycle index, then expires them as of --now, against the stack npm start describes', async () => {
    const templateId = await activeTemplate(table, { name: 'Before the index' });
    const template = (await templateRepository(container).get(templateId))!;
    const old = Array.from({ length: 50 }, (_, i) => ({ ...issueCoupon(template, { id: `pre-${i}`, userId: `pre-user-${i}`, nowMs: toEpochMs('2026-01-01T00:00:00Z'), source: 'claim' }), validUntil: '2026-04-01T00:00:00.000Z' }));
    // As a version without the index wrote them: no gsi2 keys.
    await batchWriteAll(table.client, table.tableName, old.map((coupon) => ({ PutRequest: { Item: entityItem(Entity.coupon, userCouponKey(coupon.userId, coupon.id), coupon) } })), { maxAttempts: 5, baseDelayMs: 20 });
    const stackFile = path.join(mkdtempSync(path.join(tmpdir(), 'jobs-')), 'stack.json');
    writeFileSync(stackFile, JSON.stringify({ dynamodbEndpoint: table.endpoint, tableName: table.tableName, s3Endpoint: storage.endpoint, archiveBucket: LOCAL_ARCHIVE_BUCKET }));

    expect(await runJobCli(['expire', '--now', '2026-04-02T00:00:00Z'], stackFile)).toMatchObject({ expired: 0 });
    expect(await runJobCli(['index'], stackFile)).toMatchObject({ indexed: 50, finished: true });
    expect(await runJobCli(['index'], stackFile)).toMatchObject({ indexed: 0 });
    expect(await runJobCli(['expire', '--now', '2026-04-02T00:00:00Z'], stackFile)).toMatchObject({ expired: 50 });
    const stored = (await scanAll(table)).filter((item) => String(item.id).startsWith('pre-'));
    expect(stored.every((item) => item.status === 'expired' && String(item.gsi2pk).startsWith('SETTLED#'))).toBe(true);

    await expect(runJobCli(['vacuum'], stackFile)).rejects.toThrow(/usage/);
    await expect(runJobCli(['expire', '--now', 'tomorrow'], stackFile)).rejects.toThrow(/--now/);
    await expect(runJobCli(['expire'], path.join(tmpdir(), 'no-such-stack.json'))).rejects.toThrow(/npm start/);
  }, 60_000);
});

/** The port's methods bound to their adapter, so a test can replace one of them. */
function bindAll<T extends object>(adapter: T): T {
  const bound: Record<string, unknown> = {};
  for (const name of Object.getOwnPropertyNames(Object.getPrototypeOf(adapter))) {
    const member = (adapter as Record<string, unknown>)[name];
    if (typeof member === 'function' && name !== 'constructor') bound[name] = member.bind(adapter);
  }
  return bound as T;
}

import { type DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { type BatchRetries, batchGetAll, batchWriteAll, gateOf } from '../dynamodb/batch';
import { queryAll } from '../dynamodb/query';
import { isConditionalCheckFailure } from '../dynamodb/errors';
import { conditionFailed, isContention, transactWrite } from '../dynamodb/transaction';
import { Entity, entityItem, withoutKeys } from '../entities';
import type { Coupon } from '../coupons/coupon';
import { couponItem } from '../coupons/coupon-item';
import { importKey, importListingKey, importPartition, importPartKey, importPartPrefix, importSegmentKey, importSegmentPrefix, legacyCouponVersionKey, userClaimCounterKey, userCouponKey } from '../keys';
import { untilDone } from '../retry';
import { timeToLiveAttribute } from '../table';
import type { ImportJob, ImportStatus, PartResult } from './import';
import type { InvalidRecord } from './legacy-records';
import { type Tally, TallyBuilder } from './reconciliation';

/** An imported coupon and how it counts toward its user's per-template limit (claimable templates), if at all. */
export interface ImportedCoupon {
  readonly coupon: Coupon & { readonly externalId: string; readonly legacyUpdatedAt: string };
  readonly counter?: { readonly retainUntil?: number | undefined };
}

export interface WriteOutcome {
  readonly created: number;
  readonly updated: number;
  readonly unchanged: number;
}

/**
 * How long after reading a part's coupons its blind writes may still be sent. A dual write settles
 * itself later than that (docs/migration.md), so a coupon a dual write creates between this read and
 * these writes, and these writes then overwrite, is put back to the newer version.
 */
export interface WriteWindow {
  readonly ms: number;
  readonly now: () => number;
}

/** How long the dual write's record of a coupon's newest legacy version is kept: longer than any cut-over. */
const LEGACY_VERSION_RETAIN_DAYS = 90;
/** Invalid records kept per part (the totals count them all). */
export const INVALID_KEPT_PER_PART = 1_000;

type Keyed = { readonly pk: string; readonly sk: string };
const keyString = (key: Keyed) => `${key.pk}\u0000${key.sk}`;

/**
 * DynamoDB adapter of imports: the import's own items, the coupons it writes and the claim counters it
 * counts them in. Takes its client; builds none.
 *
 * A part's coupons: one strongly consistent BatchGetItem reads the version of each coupon and the
 * counters of its users (1 RCU per item of up to 4 KB); BatchWriteItem writes the new ones (1 WCU per
 * coupon of up to 1 KB), every call sent within the write window of that read; a conditional PutItem
 * replaces the ones the table holds in an older version; the ones it holds in this version or a newer
 * one are left. Counters: an UpdateItem per user and claimable template adds the coupons it does not
 * list yet (the list makes counting idempotent, whoever writes the coupon first: this import, a retry of
 * it, or the dual write).
 *
 * The dual write: a version record (the newest legacy version known of a coupon), then the coupon,
 * conditional on no same-or-newer version; `settle` writes a version record's coupon again (the queue
 * brings it back after the write window, for a coupon an import's blind write may have overwritten).
 */
export class ImportRepository {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly retries: BatchRetries,
    private readonly writeWindow: WriteWindow,
  ) {}

  async create(job: ImportJob): Promise<{ created: true } | { created: false; existing: ImportJob }> {
    try {
      await this.client.send(
        new PutCommand({ TableName: this.tableName, Item: entityItem(Entity.import, { ...importKey(job.importId), ...importListingKey(job.startedAt, job.importId) }, job), ConditionExpression: 'attribute_not_exists(pk)' }),
      );
      return { created: true };
    } catch (error) {
      if (!isConditionalCheckFailure(error)) throw error;
      return { created: false, existing: (await this.get(job.importId))! };
    }
  }

  async get(importId: string): Promise<ImportJob | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: importKey(importId), ConsistentRead: true }));
    return Item ? withoutKeys<ImportJob>(Item) : undefined;
  }

  /** Sets fields of an import while it is in `from` (one of them); false if it was not. */
  async advance(importId: string, from: readonly ImportStatus[], fields: Partial<ImportJob>): Promise<boolean> {
    const names = Object.keys(fields);
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: importKey(importId),
          UpdateExpression: `SET ${names.map((_, i) => `#f${i} = :f${i}`).join(', ')}`,
          ConditionExpression: `#status IN (${from.map((_, i) => `:from${i}`).join(', ')})`,
          ExpressionAttributeNames: { '#status': 'status', ...Object.fromEntries(names.map((name, i) => [`#f${i}`, name])) },
          ExpressionAttributeValues: { ...Object.fromEntries(names.map((name, i) => [`:f${i}`, fields[name as keyof ImportJob]])), ...Object.fromEntries(from.map((status, i) => [`:from${i}`, status])) },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailure(error)) return false;
      throw error;
    }
  }

  /** A part's marker with its tally and invalid records, and its totals added to the import, once; false if the part was counted before. */
  async recordPart(importId: string, part: number, result: PartResult, totalsOf: 'templates' | 'coupons'): Promise<boolean> {
    const totals = Object.entries(result.totals) as [string, number][];
    const outcome = await transactWrite(this.client, [
      {
        role: 'part',
        item: {
          Put: {
            TableName: this.tableName,
            Item: entityItem(Entity.importPart, importPartKey(importId, part), {
              importId,
              part,
              totals: result.totals,
              source: result.source,
              invalid: result.invalid.slice(0, INVALID_KEPT_PER_PART),
              ...(result.templateIds ? { templateIds: result.templateIds } : {}),
            }),
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
      },
      {
        role: 'import',
        item: {
          Update: {
            TableName: this.tableName,
            Key: importKey(importId),
            UpdateExpression: `SET ${totals.map((_, i) => `#totals.#t${i} = #totals.#t${i} + :t${i}`).join(', ')} ADD partsDone :one`,
            ExpressionAttributeNames: { '#totals': totalsOf, ...Object.fromEntries(totals.map(([name], i) => [`#t${i}`, name])) },
            ExpressionAttributeValues: { ':one': 1, ...Object.fromEntries(totals.map(([, value], i) => [`:t${i}`, value])) },
          },
        },
      },
    ]);
    if (outcome.committed) return true;
    if (conditionFailed(outcome, (role) => role === 'part').length > 0) return false;
    if (isContention(outcome)) throw new Error(`recording part ${part} of import ${importId} met contention; the message is retried`);
    throw new Error(`recording part ${part} of import ${importId} was cancelled for an unexpected reason`);
  }

  /** The parts counted so far: their tallies and invalid records, in part order. */
  async parts(importId: string): Promise<Array<{ part: number; source: Tally; templateIds: string[] }>> {
    const items = await this.queryPrefix(importPartition(importId), importPartPrefix, 'part, #source, templateIds');
    return items.map((item) => ({ part: Number(item.part), source: (item.source as Tally) ?? {}, templateIds: (item.templateIds as string[]) ?? [] }));
  }

  /** Invalid records in file order (the templates file's first), after `after` of them, up to `limit`. */
  async invalidRecords(importId: string, limit: number, after = 0): Promise<InvalidRecord[]> {
    const found: InvalidRecord[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          FilterExpression: 'size(invalid) > :none',
          ProjectionExpression: 'invalid',
          ExpressionAttributeValues: { ':pk': importPartition(importId), ':prefix': importPartPrefix, ':none': 0 },
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) found.push(...((item.invalid as InvalidRecord[]) ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey && found.length < after + limit);
    return found.slice(after, after + limit);
  }

  /** A verified segment's tally, and the import's count of them, once; false if the segment was counted before. */
  async recordSegment(importId: string, segment: number, tally: Tally): Promise<boolean> {
    const outcome = await transactWrite(this.client, [
      { role: 'segment', item: { Put: { TableName: this.tableName, Item: entityItem(Entity.importSegment, importSegmentKey(importId, segment), { importId, segment, tally }), ConditionExpression: 'attribute_not_exists(pk)' } } },
      { role: 'import', item: { Update: { TableName: this.tableName, Key: importKey(importId), UpdateExpression: 'ADD segmentsDone :one', ExpressionAttributeValues: { ':one': 1 } } } },
    ]);
    if (outcome.committed) return true;
    if (conditionFailed(outcome, (role) => role === 'segment').length > 0) return false;
    throw new Error(`recording segment ${segment} of import ${importId} was cancelled (${isContention(outcome) ? 'contention' : 'unexpected'}); the message is retried`);
  }

  async segmentTallies(importId: string): Promise<Tally[]> {
    const items = await this.queryPrefix(importPartition(importId), importSegmentPrefix, 'tally');
    return items.map((item) => item.tally as Tally);
  }

  /**
   * One segment of a parallel scan of the table: the imported coupons of these templates it holds, as a
   * tally, from `startKey` until the segment ends (lastKey undefined) or the time is up.
   */
  async scanImported(segment: number, segments: number, templateIds: ReadonlySet<string>, from: { startKey?: Record<string, unknown>; tally?: Tally }, until: () => boolean): Promise<{ tally: Tally; lastKey?: Record<string, unknown> }> {
    const builder = new TallyBuilder();
    if (from.tally) builder.addTally(from.tally);
    let startKey = from.startKey;
    do {
      const page = await this.client.send(
        new ScanCommand({
          TableName: this.tableName,
          Segment: segment,
          TotalSegments: segments,
          FilterExpression: 'entity = :coupon AND attribute_exists(externalId)',
          ProjectionExpression: 'templateId, externalId, userId, #status',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':coupon': Entity.coupon },
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) {
        if (templateIds.has(String(item.templateId))) builder.add({ templateId: String(item.templateId), status: String(item.status), externalId: String(item.externalId), userId: String(item.userId) });
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey && !until());
    return { tally: builder.settled(), ...(startKey ? { lastKey: startKey } : {}) };
  }

  /**
   * Writes a part's coupons as described above; a dry run only reads and says what it would write.
   * Throws if some could not be written after every retry (the part is retried).
   */
  async writeCoupons(imported: readonly ImportedCoupon[], options: { dryRun: boolean }): Promise<WriteOutcome> {
    if (imported.length === 0) return { created: 0, updated: 0, unchanged: 0 };
    const counted = groupCounters(imported);
    const sendBefore = { atMs: this.writeWindow.now() + this.writeWindow.ms, now: this.writeWindow.now };
    const held = await batchGetAll(
      this.client,
      this.tableName,
      [...imported.map(({ coupon }) => userCouponKey(coupon.userId, coupon.id)), ...counted.map((group) => group.key)],
      { ...this.retries, consistent: true, projection: 'pk, sk, legacyUpdatedAt, legacyCoupons' },
    );
    const heldBy = new Map(held.map((item) => [keyString(item as Keyed), item]));
    const created: ImportedCoupon['coupon'][] = [];
    const replaced: ImportedCoupon['coupon'][] = [];
    let unchanged = 0;
    for (const { coupon } of imported) {
      const version = heldBy.get(keyString(userCouponKey(coupon.userId, coupon.id)))?.legacyUpdatedAt as string | undefined;
      if (version === undefined) created.push(coupon);
      else if (version < coupon.legacyUpdatedAt) replaced.push(coupon);
      else unchanged++;
    }
    if (options.dryRun) return { created: created.length, updated: replaced.length, unchanged };
    // Blind writes, so only within the window: a coupon created since the read is put back by its dual write's settle step.
    const unwritten = await batchWriteAll(this.client, this.tableName, created.map((coupon) => ({ PutRequest: { Item: couponItem(coupon) } })), { ...this.retries, sendBefore });
    if (unwritten.length > 0) throw new Error(`${unwritten.length} imported coupons could not be written after every retry; the part is retried`);
    const replacedNow = await Promise.all(replaced.map((coupon) => this.putNewer(coupon)));
    await Promise.all(counted.map((group) => this.count(group, heldBy.get(keyString(group.key))?.legacyCoupons as Set<string> | undefined)));
    const updated = replacedNow.filter(Boolean).length;
    return { created: created.length, updated, unchanged: unchanged + replaced.length - updated };
  }

  /**
   * The dual write's first step: records the version as the newest known of the coupon, unless a newer
   * one is (then it answers that one's version). The same version again goes on: a retry finishes what
   * a crash left.
   */
  async recordVersion(imported: ImportedCoupon, nowMs: number): Promise<{ recorded: true } | { recorded: false; heldVersion: string }> {
    const { coupon } = imported;
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: entityItem(Entity.legacyCouponVersion, legacyCouponVersionKey(coupon.userId, coupon.externalId), {
            coupon,
            ...(imported.counter ? { counter: imported.counter } : {}),
            legacyUpdatedAt: coupon.legacyUpdatedAt,
            [timeToLiveAttribute]: Math.floor(nowMs / 1000) + LEGACY_VERSION_RETAIN_DAYS * 86_400,
          }),
          // The same version again goes on (a retry finishes what a crash left); an older one stops here.
          ConditionExpression: 'attribute_not_exists(pk) OR legacyUpdatedAt <= :version',
          ExpressionAttributeValues: { ':version': coupon.legacyUpdatedAt },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
    } catch (error) {
      if (!isConditionalCheckFailure(error)) throw error;
      const held = (error as { Item?: Record<string, { S?: string }> }).Item?.legacyUpdatedAt?.S;
      return { recorded: false, heldVersion: held ?? coupon.legacyUpdatedAt };
    }
    return { recorded: true };
  }

  /** The dual write's last step: the coupon, if the table holds no same-or-newer version, with its counter if it counts (once per coupon). */
  writeVersion(imported: ImportedCoupon): Promise<boolean> {
    return imported.counter ? this.putNewerCounted(imported) : this.putNewer(imported.coupon);
  }

  /**
   * Writes the newest version recorded of a coupon again, if the coupon holds an older one (or none):
   * after an import's blind write overwrote it, or a dual write stopped before writing it. False if
   * nothing was to do.
   */
  async settle(userId: string, externalId: string): Promise<boolean> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: legacyCouponVersionKey(userId, externalId), ConsistentRead: true }));
    if (!Item) return false;
    return this.writeVersion({ coupon: Item.coupon as ImportedCoupon['coupon'], ...(Item.counter ? { counter: Item.counter as NonNullable<ImportedCoupon['counter']> } : {}) });
  }

  /** Replaces the coupon unless the table holds this version or a newer one; false if it did. */
  private async putNewer(coupon: ImportedCoupon['coupon']): Promise<boolean> {
    try {
      await gateOf(this.retries)(() => this.client.send(new PutCommand(newerCouponPut(this.tableName, coupon))));
      return true;
    } catch (error) {
      if (isConditionalCheckFailure(error)) return false;
      throw error;
    }
  }

  /** The coupon and its counter in one transaction; if the counter lists the coupon already, the coupon alone. */
  private async putNewerCounted(imported: ImportedCoupon): Promise<boolean> {
    const { coupon } = imported;
    let written = false;
    await untilDone([coupon], this.retries.maxAttempts, this.retries, async () => {
      const outcome = await transactWrite(this.client, [
        { role: 'coupon', item: { Put: newerCouponPut(this.tableName, coupon) } },
        { role: 'counter', item: { Update: counterUpdate(this.tableName, { userId: coupon.userId, templateId: coupon.templateId, ids: [coupon.externalId], retainUntil: imported.counter?.retainUntil }) } },
      ]);
      if (outcome.committed) written = true;
      else if (conditionFailed(outcome, (role) => role === 'coupon').length > 0) written = false;
      else if (conditionFailed(outcome, (role) => role === 'counter').length > 0) written = await this.putNewer(coupon);
      else if (isContention(outcome)) return [coupon];
      else throw new Error(`the dual write of ${coupon.externalId} was cancelled for an unexpected reason`);
      return [];
    });
    return written;
  }

  /** Adds a user's coupons of a template to its counter, those it does not list yet, once. */
  private async count(group: CounterGroup, listed: ReadonlySet<string> | undefined): Promise<void> {
    const ids = group.ids.filter((id) => !listed?.has(id));
    if (ids.length === 0) return;
    try {
      await gateOf(this.retries)(() => this.client.send(new UpdateCommand(counterUpdate(this.tableName, { ...group, ids }))));
    } catch (error) {
      if (!isConditionalCheckFailure(error)) throw error;
      // Some of them were counted since the read (a dual write): count the rest one by one.
      if (ids.length > 1) for (const id of ids) await this.count({ ...group, ids: [id] }, undefined);
    }
  }

  private queryPrefix(pk: string, prefix: string, projection: string): Promise<Record<string, unknown>[]> {
    return queryAll(this.client, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ProjectionExpression: projection,
      ...(projection.includes('#source') ? { ExpressionAttributeNames: { '#source': 'source' } } : {}),
      ExpressionAttributeValues: { ':pk': pk, ':prefix': prefix },
      ConsistentRead: true,
    });
  }

}

interface CounterGroup {
  readonly key: Keyed;
  readonly userId: string;
  readonly templateId: string;
  readonly ids: readonly string[];
  readonly retainUntil?: number | undefined;
}

/** The counters a part's coupons count in: one per user and claimable template. */
function groupCounters(imported: readonly ImportedCoupon[]): CounterGroup[] {
  const groups = new Map<string, CounterGroup & { ids: string[] }>();
  for (const { coupon, counter } of imported) {
    if (!counter) continue;
    const key = userClaimCounterKey(coupon.userId, coupon.templateId);
    const id = keyString(key);
    const group = groups.get(id) ?? { key, userId: coupon.userId, templateId: coupon.templateId, ids: [], retainUntil: counter.retainUntil };
    group.ids.push(coupon.externalId);
    groups.set(id, group);
  }
  return [...groups.values()];
}

/** A coupon written unless the table holds this legacy version of it or a newer one. */
const newerCouponPut = (tableName: string, coupon: ImportedCoupon['coupon']) => ({
  TableName: tableName,
  Item: couponItem(coupon),
  ConditionExpression: 'attribute_not_exists(pk) OR legacyUpdatedAt < :version',
  ExpressionAttributeValues: { ':version': coupon.legacyUpdatedAt },
});

/**
 * Counts imported coupons in the user's per-template claim counter (the one claims check the limit on),
 * without a limit (a legacy coupon is a fact), listing their external ids so that none is counted twice.
 */
function counterUpdate(tableName: string, counter: { userId: string; templateId: string; ids: readonly string[]; retainUntil?: number | undefined }) {
  const retain = counter.retainUntil !== undefined;
  const notListed = counter.ids.map((_, i) => `NOT contains(legacyCoupons, :id${i})`).join(' AND ');
  return {
    TableName: tableName,
    Key: userClaimCounterKey(counter.userId, counter.templateId),
    UpdateExpression: `SET entity = :entity, templateId = :templateId${retain ? ', #ttl = :retainUntil' : ''} ADD claimed :quantity, legacyCoupons :ids`,
    ConditionExpression: `attribute_not_exists(legacyCoupons) OR (${notListed})`,
    ...(retain ? { ExpressionAttributeNames: { '#ttl': timeToLiveAttribute } } : {}),
    ExpressionAttributeValues: {
      ':entity': Entity.claimCounter,
      ':templateId': counter.templateId,
      ':quantity': counter.ids.length,
      ':ids': new Set(counter.ids),
      ...Object.fromEntries(counter.ids.map((id, i) => [`:id${i}`, id])),
      ...(retain ? { ':retainUntil': counter.retainUntil } : {}),
    },
  };
}

import { DeleteCommand, GetCommand, PutCommand, QueryCommand, ScanCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Coupon } from '../coupons/coupon';
import { lifecycleIndexKeyOf } from '../coupons/coupon-item';
import { batchGetAll } from '../dynamodb/batch';
import { isConditionalCheckFailure } from '../dynamodb/errors';
import { Entity, entityItem, withoutKeys } from '../entities';
import {
  archiveManifestKey,
  archiveManifestPartition,
  archiveShardKey,
  expiryPartition,
  reminderProgressKey,
  settledIndexKey,
  settledPartition,
  upToInstant,
  userCouponKey,
  userCouponPrefix,
  userReminderKey,
} from '../keys';
import { decodeCursor, encodeCursor } from '../pagination';
import { indexes, timeToLiveAttribute } from '../table';
import type { ArchiveManifest, ArchiveTable, ExpiryWriter, IndexEntry, LifecycleIndex, Reminder, ReminderProgress, ReminderStore, UnindexedCoupons } from './lifecycle-ports';

const BATCH_GET_RETRIES = { maxAttempts: 8, baseDelayMs: 25, maxDelayMs: 1_000 } as const;
const UNFINISHED_STATES = new Set(['writing', 'deleting']);

/** DynamoDB adapter for the lifecycle jobs: the lifecycle index (GSI2), expiry writes, reminders, archive deletes, manifests and shard leases. */
export class LifecycleRepository implements LifecycleIndex, ExpiryWriter, ReminderStore, ReminderProgress, ArchiveTable, UnindexedCoupons {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  expiring(shard: number, range: { from?: string; to: string }, pageSize: number): AsyncIterable<readonly IndexEntry[]> {
    return this.indexPages(expiryPartition(shard), range.from, upToInstant(range.to), pageSize, { expression: '#status = :available', values: { ':available': 'available' } });
  }

  settled(shard: number, to: string, pageSize: number): AsyncIterable<readonly IndexEntry[]> {
    return this.indexPages(settledPartition(shard), undefined, upToInstant(to), pageSize);
  }

  private async *indexPages(partition: string, from: string | undefined, to: string, pageSize: number, filter?: { expression: string; values: Record<string, string> }) {
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: indexes.gsi2.indexName,
          KeyConditionExpression: from === undefined ? 'gsi2pk = :pk AND gsi2sk <= :to' : 'gsi2pk = :pk AND gsi2sk BETWEEN :from AND :to',
          ...(filter ? { FilterExpression: filter.expression, ExpressionAttributeNames: { '#status': 'status' } } : {}),
          ExpressionAttributeValues: { ':pk': partition, ':to': to, ...(from === undefined ? {} : { ':from': from }), ...filter?.values },
          Limit: pageSize,
          ExclusiveStartKey: startKey,
        }),
      );
      const entries = (page.Items ?? []).map(toEntry);
      if (entries.length > 0) yield entries;
      startKey = page.LastEvaluatedKey;
    } while (startKey);
  }

  async expire(entry: IndexEntry, nowIso: string): Promise<'expired' | 'not-due'> {
    const settled = settledIndexKey({ userId: entry.userId, id: entry.couponId }, nowIso);
    const expired = await conditionally(
      this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: userCouponKey(entry.userId, entry.couponId),
          UpdateExpression: 'SET #status = :expired, expiredAt = :now, gsi2pk = :indexPk, gsi2sk = :indexSk',
          // Locked, used or returned with a new validity meanwhile: not this job's to change.
          ConditionExpression: '#status = :available AND validUntil <= :now',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':expired': 'expired', ':available': 'available', ':now': nowIso, ':indexPk': settled.gsi2pk, ':indexSk': settled.gsi2sk },
        }),
      ),
    );
    return expired ? 'expired' : 'not-due';
  }

  async *unindexed(pageSize: number): AsyncIterable<readonly Coupon[]> {
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new ScanCommand({
          TableName: this.tableName,
          FilterExpression: '#entity = :coupon AND attribute_not_exists(gsi2pk)',
          ExpressionAttributeNames: { '#entity': 'entity' },
          ExpressionAttributeValues: { ':coupon': Entity.coupon },
          Limit: pageSize,
          ExclusiveStartKey: startKey,
        }),
      );
      const coupons = (page.Items ?? []).map((item) => withoutKeys<Coupon>(item));
      if (coupons.length > 0) yield coupons;
      startKey = page.LastEvaluatedKey;
    } while (startKey);
  }

  async addIndexKey(coupon: Coupon): Promise<'indexed' | 'had-one'> {
    const key = lifecycleIndexKeyOf(coupon);
    const indexed = await conditionally(
      this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: userCouponKey(coupon.userId, coupon.id),
          UpdateExpression: 'SET gsi2pk = :indexPk, gsi2sk = :indexSk',
          // A writer that moved the coupon meanwhile set the key itself (from its new status).
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(gsi2pk) AND #status = :status',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':indexPk': key.gsi2pk, ':indexSk': key.gsi2sk, ':status': coupon.status },
        }),
      ),
    );
    return indexed ? 'indexed' : 'had-one';
  }

  async record(reminder: Reminder, retainUntilSeconds: number): Promise<'recorded' | 'already-recorded'> {
    const recorded = await conditionally(
      this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...entityItem(Entity.reminder, userReminderKey(reminder.userId, reminder.day, reminder.offset), reminder), [timeToLiveAttribute]: retainUntilSeconds },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
    return recorded ? 'recorded' : 'already-recorded';
  }

  async isDone(day: string, offset: string, shard: number): Promise<boolean> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: reminderProgressKey(day, offset, shard), ConsistentRead: true }));
    return Item !== undefined;
  }

  async markDone(day: string, offset: string, shard: number, retainUntilSeconds: number): Promise<void> {
    await this.client.send(
      new PutCommand({ TableName: this.tableName, Item: { ...entityItem(Entity.reminderProgress, reminderProgressKey(day, offset, shard), { day, offset, shard }), [timeToLiveAttribute]: retainUntilSeconds } }),
    );
  }

  async settledCoupons(entries: readonly IndexEntry[]): Promise<Coupon[]> {
    const items = await batchGetAll(this.client, this.tableName, entries.map((e) => userCouponKey(e.userId, e.couponId)), { ...BATCH_GET_RETRIES, consistent: true });
    const byId = new Map(items.map((item) => [String(item.id), item]));
    return entries.flatMap((entry) => {
      const item = byId.get(entry.couponId);
      // Gone, or moved since the index page was read (a refund made it available again): not settled here.
      return item && item.gsi2sk === entry.indexSk && (item.status === 'used' || item.status === 'expired') ? [withoutKeys<Coupon>(item)] : [];
    });
  }

  async deleteSettled(coupon: Coupon): Promise<'deleted' | 'gone' | 'changed'> {
    const key = userCouponKey(coupon.userId, coupon.id);
    const deleted = await conditionally(
      this.client.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: key,
          ConditionExpression: 'gsi2sk = :indexSk',
          ExpressionAttributeValues: { ':indexSk': lifecycleIndexKeyOf(coupon).gsi2sk },
        }),
      ),
    );
    if (deleted) return 'deleted';
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true, ProjectionExpression: 'pk' }));
    return Item ? 'changed' : 'gone';
  }

  async takeShard(shard: number, holder: string, nowMs: number, leaseMs: number) {
    try {
      const { Attributes } = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: archiveShardKey(shard),
          UpdateExpression: 'SET entity = :entity, holder = :holder, leaseUntil = :until',
          ConditionExpression: 'attribute_not_exists(holder) OR leaseUntil < :now OR holder = :holder',
          ExpressionAttributeValues: { ':entity': Entity.archiveShard, ':holder': holder, ':until': nowMs + leaseMs, ':now': nowMs },
          ReturnValues: 'ALL_NEW',
        }),
      );
      const unfinishedKey = Attributes?.unfinished as string | undefined;
      if (!unfinishedKey) return { taken: true as const };
      const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: { pk: archiveManifestPartition, sk: unfinishedKey }, ConsistentRead: true }));
      return Item ? { taken: true as const, unfinished: withoutKeys<ArchiveManifest>(Item) } : { taken: true as const };
    } catch (error) {
      if (isConditionalCheckFailure(error)) return { taken: false as const };
      throw error;
    }
  }

  async releaseShard(shard: number, holder: string): Promise<void> {
    // Not held by this run any more (its lease ran out and another took it): nothing to release.
    await conditionally(
      this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: archiveShardKey(shard),
          UpdateExpression: 'REMOVE holder, leaseUntil',
          ConditionExpression: 'holder = :holder',
          ExpressionAttributeValues: { ':holder': holder },
        }),
      ),
    );
  }

  async saveManifest(manifest: ArchiveManifest, shardHolder: string): Promise<void> {
    const key = archiveManifestKey(manifest.createdAt, manifest.batchId);
    const unfinished = UNFINISHED_STATES.has(manifest.state);
    await this.client.send(
      new TransactWriteCommand({
        TransactItems: [
          { Put: { TableName: this.tableName, Item: entityItem(Entity.archiveManifest, key, manifest) } },
          {
            // Fenced by the lease: a run that lost its shard (it overran its lease) cannot move the batch on.
            Update: {
              TableName: this.tableName,
              Key: archiveShardKey(manifest.shard),
              UpdateExpression: unfinished ? 'SET unfinished = :manifest' : 'REMOVE unfinished',
              ConditionExpression: 'holder = :holder',
              ExpressionAttributeValues: { ':holder': shardHolder, ...(unfinished ? { ':manifest': key.sk } : {}) },
            },
          },
        ],
      }),
    );
  }

  async manifests(range: { from: string; to: string }, page: { limit: number; cursor?: string }) {
    const result = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
        ExpressionAttributeValues: { ':pk': archiveManifestPartition, ':from': range.from, ':to': upToInstant(range.to) },
        Limit: page.limit,
        ExclusiveStartKey: decodeCursor(page.cursor, { attributes: ['pk', 'sk'], partition: { name: 'pk', value: archiveManifestPartition } }),
      }),
    );
    const nextCursor = encodeCursor(result.LastEvaluatedKey as Record<string, unknown> | undefined);
    return { items: (result.Items ?? []).map((item) => withoutKeys<ArchiveManifest>(item)), ...(nextCursor ? { nextCursor } : {}) };
  }
}

function toEntry(item: Record<string, unknown>): IndexEntry {
  return {
    userId: String(item.userId),
    couponId: String(item.sk).slice(userCouponPrefix.length),
    templateId: String(item.templateId),
    name: String(item.name),
    validUntil: String(item.validUntil),
    status: item.status as IndexEntry['status'],
    indexSk: String(item.gsi2sk),
  };
}

/** A conditional write: true when it was written, false when its condition did not hold (anything else is thrown). */
async function conditionally(write: Promise<unknown>): Promise<boolean> {
  try {
    await write;
    return true;
  } catch (error) {
    if (isConditionalCheckFailure(error)) return false;
    throw error;
  }
}

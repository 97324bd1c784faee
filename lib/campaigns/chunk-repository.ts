import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ShardTake } from '../claims/stock-allocation';
import { batchGetAll, batchWriteAll } from '../dynamodb/batch';
import { queryPrefix } from '../dynamodb/query';
import { conditionFailed, failuresOf, isContention, type RoledItem, transactWrite } from '../dynamodb/transaction';
import { Entity, entityItem } from '../entities';
import {
  CAMPAIGN_COUNTER_SHARDS,
  campaignChunkKey,
  campaignCounterKey,
  campaignCounterPrefix,
  campaignFailedPrefix,
  campaignFailedUserKey,
  campaignKey,
  campaignParkedKey,
  campaignParkedPrefix,
  campaignPartition,
} from '../keys';
import { waitBeforeAttempt } from '../retry';
import { addToShard, type ShardQuantity } from '../templates/stock-items';
import { type CampaignTotals, type ChunkMessage, type CounterDeltas, noSkips, SKIP_REASONS, type SkipReason } from './campaign';
import { drawFromReservation, returnPastClose, returnToReservation } from './reservation-items';

/** A chunk's marker: written when it draws its units (`drawn`), completed when it is counted (`recorded`). */
export interface ChunkMarker {
  readonly state: 'drawn' | 'recorded';
  readonly drawn: number;
  readonly takes: readonly ShardQuantity[];
}

export type DrawOutcome = { readonly kind: 'drawn' } | { readonly kind: 'marker-exists' } | { readonly kind: 'not-drawable' };

/** What a finished chunk records: its counts, the users the campaign no longer counts as failed, and what it gives back. */
export interface ChunkRecord {
  readonly counts: CounterDeltas;
  /** Retry chunks: users whose failure is resolved (their FAILED# record is deleted in the same transaction). */
  readonly resolvedFailures: readonly string[];
  /** Units drawn and not issued: back to the pool, or to the template if the campaign closed meanwhile. */
  readonly giveBack?: { readonly shard: number; readonly quantity: number; readonly templateId: string; readonly stockShard: number };
}

const counterName = (reason: SkipReason) => `skipped${reason}`;
const RECORD_ATTEMPTS = 8;

/**
 * DynamoDB adapter for the worker's side of a campaign: chunk markers and the draws and returns that go
 * with them, the sharded progress counters, failed users and chunks parked while the campaign is paused.
 */
export class ChunkRepository {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly random: () => number = Math.random,
  ) {}

  async marker(campaignId: string, chunkId: string): Promise<ChunkMarker | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: campaignChunkKey(campaignId, chunkId), ConsistentRead: true }));
    return Item ? { state: Item.state as ChunkMarker['state'], drawn: Number(Item.drawn ?? 0), takes: (Item.takes as ShardQuantity[] | undefined) ?? [] } : undefined;
  }

  /** Takes a chunk's units from open reservation shards and writes its marker, in one transaction. */
  async draw(campaignId: string, chunkId: string, takes: readonly ShardTake[], nowIso: string): Promise<DrawOutcome> {
    const drawn = takes.reduce((sum, take) => sum + take.quantity, 0);
    const outcome = await transactWrite(this.client, [
      {
        role: 'marker',
        item: {
          Put: {
            TableName: this.tableName,
            Item: entityItem(Entity.campaignChunk, campaignChunkKey(campaignId, chunkId), { state: 'drawn', drawn, takes, drawnAt: nowIso }),
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
      },
      ...takes.map((take) => ({ role: 'reservation', item: drawFromReservation(this.tableName, campaignId, take) })),
    ]);
    if (outcome.committed) return { kind: 'drawn' };
    if (conditionFailed(outcome, (role) => role === 'marker').length > 0) return { kind: 'marker-exists' };
    // A shard closed, paused or short: the caller reads the campaign to tell which.
    return { kind: 'not-drawable' };
  }

  /**
   * Counts a finished chunk exactly once: its marker (drawn -> recorded, or new for a chunk that drew
   * nothing), its counts on a random counter shard, its resolved failures, and what it gives back, in one
   * transaction. False if the chunk was counted before (a redelivery).
   */
  async record(campaignId: string, chunkId: string, drew: boolean, record: ChunkRecord, nowIso: string): Promise<boolean> {
    let closed = false;
    for (let attempt = 0; attempt < RECORD_ATTEMPTS; attempt++) {
      await waitBeforeAttempt(attempt, { baseDelayMs: 20, random: this.random });
      const outcome = await transactWrite(this.client, this.recordItems(campaignId, chunkId, drew, record, nowIso, closed));
      if (outcome.committed) return true;
      if (conditionFailed(outcome, (role) => role === 'marker').length > 0) return false;
      if (conditionFailed(outcome, (role) => role === 'reservation').length > 0) {
        // The campaign closed while the chunk ran (or opened again): what it did not issue goes where the reservation now says.
        closed = !closed;
        continue;
      }
      // Another transaction on the counter or reservation shard at that moment: try again shortly.
      if (isContention(outcome)) continue;
      throw new Error(`counting chunk ${chunkId} of campaign ${campaignId} was cancelled: ${failuresOf(outcome).map((f) => `${String(f.role)} ${f.code}`).join(', ')}`);
    }
    throw new Error(`counting chunk ${chunkId} of campaign ${campaignId} did not get through after ${RECORD_ATTEMPTS} attempts`);
  }

  private recordItems(campaignId: string, chunkId: string, drew: boolean, record: ChunkRecord, nowIso: string, closed: boolean): RoledItem<string>[] {
    const { counts, giveBack } = record;
    const fields = { processed: counts.processed, issued: counts.issued, failed: counts.failed, ...Object.fromEntries(SKIP_REASONS.map((reason) => [counterName(reason), counts.skipped[reason]])) };
    const names = Object.keys(fields);
    return [
      {
        role: 'marker',
        item: drew
          ? {
              Update: {
                TableName: this.tableName,
                Key: campaignChunkKey(campaignId, chunkId),
                UpdateExpression: 'SET #state = :recorded, recordedAt = :now, counts = :counts',
                ConditionExpression: '#state = :drawn',
                ExpressionAttributeNames: { '#state': 'state' },
                ExpressionAttributeValues: { ':recorded': 'recorded', ':drawn': 'drawn', ':now': nowIso, ':counts': fields },
              },
            }
          : {
              Put: {
                TableName: this.tableName,
                Item: entityItem(Entity.campaignChunk, campaignChunkKey(campaignId, chunkId), { state: 'recorded', drawn: 0, recordedAt: nowIso, counts: fields }),
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
      },
      {
        role: 'counter',
        item: {
          Update: {
            TableName: this.tableName,
            Key: campaignCounterKey(campaignId, Math.floor(this.random() * CAMPAIGN_COUNTER_SHARDS)),
            // Names through placeholders: some (e.g. "processed") are DynamoDB reserved words.
            UpdateExpression: `SET entity = :entity ADD ${names.map((n) => `#${n} :${n}`).join(', ')}`,
            ExpressionAttributeNames: Object.fromEntries(names.map((n) => [`#${n}`, n])),
            ExpressionAttributeValues: { ':entity': Entity.campaignCounter, ...Object.fromEntries(Object.entries(fields).map(([n, v]) => [`:${n}`, v])) },
          },
        },
      },
      ...record.resolvedFailures.map((userId) => ({
        role: 'failed-user',
        item: { Delete: { TableName: this.tableName, Key: campaignFailedUserKey(campaignId, userId), ConditionExpression: 'attribute_exists(pk)' } },
      })),
      ...(giveBack && giveBack.quantity > 0
        ? closed
          ? [
              { role: 'reservation', item: returnPastClose(this.tableName, campaignId, giveBack) },
              { role: 'stock', item: addToShard(this.tableName, giveBack.templateId, { shard: giveBack.stockShard, quantity: giveBack.quantity }, 'give-back') },
            ]
          : [{ role: 'reservation', item: returnToReservation(this.tableName, campaignId, giveBack) }]
        : []),
    ];
  }

  /** The campaign's progress: one Query over its counter shards. */
  async totals(campaignId: string): Promise<CampaignTotals> {
    const shards = await queryPrefix(this.client, this.tableName, campaignPartition(campaignId), campaignCounterPrefix);
    const sum = (name: string) => shards.reduce((total, shard) => total + Number(shard[name] ?? 0), 0);
    const skipped = noSkips();
    for (const reason of SKIP_REASONS) skipped[reason] = sum(counterName(reason));
    return { processed: sum('processed'), issued: sum('issued'), failed: sum('failed'), skipped };
  }

  async recordFailedUsers(campaignId: string, userIds: readonly string[], reason: string, nowIso: string): Promise<void> {
    const left = await batchWriteAll(
      this.client,
      this.tableName,
      userIds.map((userId) => ({ PutRequest: { Item: entityItem(Entity.campaignFailedUser, campaignFailedUserKey(campaignId, userId), { userId, reason, at: nowIso }) } })),
      { maxAttempts: 10, baseDelayMs: 100 },
    );
    if (left.length > 0) throw new Error(`could not record ${left.length} failed users of campaign ${campaignId}`);
  }

  async failedUsers(campaignId: string): Promise<string[]> {
    return (await queryPrefix(this.client, this.tableName, campaignPartition(campaignId), campaignFailedPrefix)).map((item) => String(item.userId));
  }

  /** Which of these users the campaign still counts as failed. */
  async stillFailed(campaignId: string, userIds: readonly string[]): Promise<Set<string>> {
    const items = await batchGetAll(this.client, this.tableName, userIds.map((userId) => campaignFailedUserKey(campaignId, userId)), { consistent: true, maxAttempts: 8, baseDelayMs: 25, projection: 'userId' });
    return new Set(items.map((item) => String(item.userId)));
  }

  /** Keeps a chunk that arrived while its campaign is paused; false if the campaign is not paused (any more). */
  async park(message: ChunkMessage, nowIso: string): Promise<boolean> {
    const outcome = await transactWrite(this.client, [
      { role: 'parked', item: { Put: { TableName: this.tableName, Item: entityItem(Entity.campaignParkedChunk, campaignParkedKey(message.campaignId, message.chunkId), { message, parkedAt: nowIso }) } } },
      {
        role: 'campaign',
        item: {
          ConditionCheck: {
            TableName: this.tableName,
            Key: campaignKey(message.campaignId),
            ConditionExpression: '#status = :paused',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':paused': 'paused' },
          },
        },
      },
    ]);
    return outcome.committed;
  }

  async parked(campaignId: string): Promise<ChunkMessage[]> {
    return (await queryPrefix(this.client, this.tableName, campaignPartition(campaignId), campaignParkedPrefix)).map((item) => item.message as ChunkMessage);
  }

  async unpark(campaignId: string, chunkIds: readonly string[]): Promise<void> {
    const left = await batchWriteAll(this.client, this.tableName, chunkIds.map((chunkId) => ({ DeleteRequest: { Key: campaignParkedKey(campaignId, chunkId) } })), { maxAttempts: 10, baseDelayMs: 100 });
    if (left.length > 0) throw new Error(`could not forget ${left.length} parked chunks of campaign ${campaignId}`);
  }
}

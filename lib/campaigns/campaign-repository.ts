import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ShardTake } from '../claims/stock-allocation';
import { batchWriteAll } from '../dynamodb/batch';
import { isConditionalCheckFailure } from '../dynamodb/errors';
import { queryPrefix } from '../dynamodb/query';
import { conditionFailed, transactWrite } from '../dynamodb/transaction';
import { Entity, entityItem, withoutKeys } from '../entities';
import { CAMPAIGN_COUNTER_SHARDS, campaignChunkKey, campaignCounterKey, campaignCounterPrefix, campaignFailedPrefix, campaignFailedUserKey, campaignKey, campaignPartition } from '../keys';
import { addToShard, takeFromShard } from '../templates/stock-items';
import type { Campaign, CampaignCounts } from './campaign';

export type ReserveOutcome = { readonly kind: 'reserved' } | { readonly kind: 'exists' } | { readonly kind: 'shard-short' };

const campaignItem = (campaign: Campaign) => entityItem(Entity.campaign, campaignKey(campaign.campaignId), campaign);

/** DynamoDB adapter for campaigns: the record, its stock reservation, its sharded progress counters and failed users. */
export class CampaignRepository {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly random: () => number = Math.random,
  ) {}

  async get(campaignId: string): Promise<Campaign | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: campaignKey(campaignId), ConsistentRead: true }));
    return Item ? withoutKeys<Campaign>(Item) : undefined;
  }

  /** Records a campaign that will not run (its reason says why); never overwrites an existing one. */
  async createRefused(campaign: Campaign): Promise<boolean> {
    try {
      await this.client.send(new PutCommand({ TableName: this.tableName, Item: campaignItem(campaign), ConditionExpression: 'attribute_not_exists(pk)' }));
      return true;
    } catch (error) {
      if (isConditionalCheckFailure(error)) return false;
      throw error;
    }
  }

  /** One transaction: the campaign record (only if the id is new) and the stock taken from the template's shards. */
  async createWithReservation(campaign: Campaign, takes: readonly ShardTake[]): Promise<ReserveOutcome> {
    const outcome = await transactWrite(this.client, [
      { role: 'campaign', item: { Put: { TableName: this.tableName, Item: campaignItem(campaign), ConditionExpression: 'attribute_not_exists(pk)' } } },
      ...takes.map((take) => ({ role: 'shard', item: takeFromShard(this.tableName, campaign.templateId, take) })),
    ]);
    if (outcome.committed) return { kind: 'reserved' };
    if (conditionFailed(outcome, (role) => role === 'campaign').length > 0) return { kind: 'exists' };
    // A short shard (a claim took from it meanwhile), or a conflict with a claim: read the shards and plan again.
    return { kind: 'shard-short' };
  }

  /**
   * Ends a running campaign and gives the stock it did not issue back to the template's shards, in one
   * transaction conditioned on the campaign still running: stock is given back exactly once.
   */
  async complete(campaign: Campaign, status: 'completed' | 'timed_out', giveBack: readonly ShardTake[], counts: CampaignCounts, nowIso: string): Promise<boolean> {
    const outcome = await transactWrite(this.client, [
      {
        role: 'campaign',
        item: {
          Update: {
            TableName: this.tableName,
            Key: campaignKey(campaign.campaignId),
            UpdateExpression: 'SET #status = :status, completedAt = :now, givenBack = :givenBack, finalCounts = :counts',
            ConditionExpression: '#status = :running',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':status': status, ':now': nowIso, ':running': 'running', ':givenBack': giveBack.reduce((s, t) => s + t.quantity, 0), ':counts': counts },
          },
        },
      },
      ...giveBack.map((take) => ({ role: 'shard', item: addToShard(this.tableName, campaign.templateId, take) })),
    ]);
    if (outcome.committed) return true;
    if (conditionFailed(outcome, (role) => role === 'campaign').length > 0) return false;
    throw new Error(`completing campaign ${campaign.campaignId} was cancelled for an unexpected reason`);
  }

  async chunkRecorded(campaignId: string, chunkId: string): Promise<boolean> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: campaignChunkKey(campaignId, chunkId), ConsistentRead: true, ProjectionExpression: 'pk' }));
    return Item !== undefined;
  }

  /**
   * Counts a finished chunk exactly once: the chunk's marker (only if new) and its counts on a random
   * counter shard, in one transaction. False if the chunk was counted before (a redelivery).
   */
  async recordChunk(campaignId: string, chunkId: string, counts: CampaignCounts & { readonly retriedFailures?: number }): Promise<boolean> {
    const outcome = await transactWrite(this.client, [
      { role: 'marker', item: { Put: { TableName: this.tableName, Item: entityItem(Entity.campaignChunk, campaignChunkKey(campaignId, chunkId), counts), ConditionExpression: 'attribute_not_exists(pk)' } } },
      {
        role: 'counter',
        item: {
          Update: {
            TableName: this.tableName,
            Key: campaignCounterKey(campaignId, Math.floor(this.random() * CAMPAIGN_COUNTER_SHARDS)),
            // Names through placeholders: some (e.g. "processed") are DynamoDB reserved words.
            UpdateExpression: 'SET entity = :entity ADD #processed :processed, #issued :issued, #skipped :skipped, #failed :failed',
            ExpressionAttributeNames: { '#processed': 'processed', '#issued': 'issued', '#skipped': 'skipped', '#failed': 'failed' },
            ExpressionAttributeValues: {
              ':entity': Entity.campaignCounter,
              ':processed': counts.processed,
              ':issued': counts.issued,
              ':skipped': counts.skipped,
              // A retried user's success takes them off the failed count.
              ':failed': counts.failed - (counts.retriedFailures ?? 0),
            },
          },
        },
      },
    ]);
    if (outcome.committed) return true;
    if (conditionFailed(outcome, (role) => role === 'marker').length > 0) return false;
    throw new Error(`counting chunk ${chunkId} of campaign ${campaignId} was cancelled for an unexpected reason`);
  }

  /** The campaign's progress: one Query over its counter shards. */
  async counts(campaignId: string): Promise<CampaignCounts> {
    const shards = await queryPrefix(this.client, this.tableName, campaignPartition(campaignId), campaignCounterPrefix);
    const sum = (name: string) => shards.reduce((total, shard) => total + Number(shard[name] ?? 0), 0);
    return { processed: sum('processed'), issued: sum('issued'), skipped: sum('skipped'), failed: sum('failed') };
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
    const items = await queryPrefix(this.client, this.tableName, campaignPartition(campaignId), campaignFailedPrefix);
    return items.map((item) => String(item.userId));
  }

  async forgetFailedUsers(campaignId: string, userIds: readonly string[]): Promise<void> {
    await batchWriteAll(this.client, this.tableName, userIds.map((userId) => ({ DeleteRequest: { Key: campaignFailedUserKey(campaignId, userId) } })), { maxAttempts: 10, baseDelayMs: 100 });
  }
}

import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { batchWriteWithRetries, queryAll, withoutKeys } from '../dynamo';
import { CAMPAIGN_COUNTER_SHARDS, campaignChunkKey, campaignCounterKey, campaignCounterPrefix, campaignFailedPrefix, campaignFailedUserKey, campaignKey, campaignPartition } from '../keys';
import { addToShard, takeFromShard } from '../templates/stock-items';
import type { ShardTake } from '../claims/stock-allocation';
import type { Campaign, CampaignCounts } from './campaign';

export type ReserveOutcome = { readonly kind: 'reserved' } | { readonly kind: 'exists' } | { readonly kind: 'shard-short' };

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
      await this.client.send(new PutCommand({ TableName: this.tableName, Item: { ...campaignKey(campaign.campaignId), entity: 'campaign', ...campaign }, ConditionExpression: 'attribute_not_exists(pk)' }));
      return true;
    } catch (error) {
      if ((error as Error).name === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  }

  /** One transaction: the campaign record (only if the id is new) and the stock taken from the template's shards. */
  async createWithReservation(campaign: Campaign, takes: readonly ShardTake[]): Promise<ReserveOutcome> {
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: { TableName: this.tableName, Item: { ...campaignKey(campaign.campaignId), entity: 'campaign', ...campaign }, ConditionExpression: 'attribute_not_exists(pk)' } },
            ...takes.map((take) => takeFromShard(this.tableName, campaign.templateId, take)),
          ],
        }),
      );
      return { kind: 'reserved' };
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const codes = (error.CancellationReasons ?? []).map((r) => r.Code);
      if (codes[0] === 'ConditionalCheckFailed') return { kind: 'exists' };
      if (codes.some((code) => code === 'ConditionalCheckFailed')) return { kind: 'shard-short' };
      throw error;
    }
  }

  /**
   * Ends a running campaign and gives the stock it did not issue back to the template's shards, in one
   * transaction conditioned on the campaign still running: stock is given back exactly once.
   */
  async complete(campaign: Campaign, status: 'completed' | 'timed_out', giveBack: readonly ShardTake[], counts: CampaignCounts, nowIso: string): Promise<boolean> {
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: this.tableName,
                Key: campaignKey(campaign.campaignId),
                UpdateExpression: 'SET #status = :status, completedAt = :now, givenBack = :givenBack, finalCounts = :counts',
                ConditionExpression: '#status = :running',
                ExpressionAttributeNames: { '#status': 'status' },
                ExpressionAttributeValues: { ':status': status, ':now': nowIso, ':running': 'running', ':givenBack': giveBack.reduce((s, t) => s + t.quantity, 0), ':counts': counts },
              },
            },
            ...giveBack.map((take) => addToShard(this.tableName, campaign.templateId, take)),
          ],
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof TransactionCanceledException && error.CancellationReasons?.[0]?.Code === 'ConditionalCheckFailed') return false;
      throw error;
    }
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
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: { TableName: this.tableName, Item: { ...campaignChunkKey(campaignId, chunkId), entity: 'campaign-chunk', ...counts }, ConditionExpression: 'attribute_not_exists(pk)' } },
            {
              Update: {
                TableName: this.tableName,
                Key: campaignCounterKey(campaignId, Math.floor(this.random() * CAMPAIGN_COUNTER_SHARDS)),
                // Names through placeholders: some (e.g. "processed") are DynamoDB reserved words.
                UpdateExpression: 'SET entity = :entity ADD #processed :processed, #issued :issued, #skipped :skipped, #failed :failed',
                ExpressionAttributeNames: { '#processed': 'processed', '#issued': 'issued', '#skipped': 'skipped', '#failed': 'failed' },
                ExpressionAttributeValues: {
                  ':entity': 'campaign-counter',
                  ':processed': counts.processed,
                  ':issued': counts.issued,
                  ':skipped': counts.skipped,
                  // A retried user's success takes them off the failed count.
                  ':failed': counts.failed - (counts.retriedFailures ?? 0),
                },
              },
            },
          ],
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof TransactionCanceledException && error.CancellationReasons?.[0]?.Code === 'ConditionalCheckFailed') return false;
      throw error;
    }
  }

  /** The campaign's progress: one Query over its counter shards. */
  async counts(campaignId: string): Promise<CampaignCounts> {
    const shards = await queryAll(this.client, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': campaignPartition(campaignId), ':prefix': campaignCounterPrefix },
      ConsistentRead: true,
    });
    const sum = (name: string) => shards.reduce((total, shard) => total + Number(shard[name] ?? 0), 0);
    return { processed: sum('processed'), issued: sum('issued'), skipped: sum('skipped'), failed: sum('failed') };
  }

  async recordFailedUsers(campaignId: string, userIds: readonly string[], reason: string, nowIso: string): Promise<void> {
    const left = await batchWriteWithRetries(
      this.client,
      this.tableName,
      userIds.map((userId) => ({ PutRequest: { Item: { ...campaignFailedUserKey(campaignId, userId), entity: 'campaign-failed-user', userId, reason, at: nowIso } } })),
      { maxAttempts: 10, baseDelayMs: 100 },
    );
    if (left.length > 0) throw new Error(`could not record ${left.length} failed users of campaign ${campaignId}`);
  }

  async failedUsers(campaignId: string): Promise<string[]> {
    const items = await queryAll(this.client, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': campaignPartition(campaignId), ':prefix': campaignFailedPrefix },
      ConsistentRead: true,
    });
    return items.map((item) => String(item.userId));
  }

  async forgetFailedUsers(campaignId: string, userIds: readonly string[]): Promise<void> {
    await batchWriteWithRetries(this.client, this.tableName, userIds.map((userId) => ({ DeleteRequest: { Key: campaignFailedUserKey(campaignId, userId) } })), { maxAttempts: 10, baseDelayMs: 100 });
  }
}

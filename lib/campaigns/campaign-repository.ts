import { GetCommand, PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ShardTake } from '../claims/stock-allocation';
import { isConditionalCheckFailure } from '../dynamodb/errors';
import { queryPrefix } from '../dynamodb/query';
import { conditionFailed, isContention, transactWrite, type RoledItem } from '../dynamodb/transaction';
import { Entity, entityItem, withoutKeys } from '../entities';
import {
  campaignKey,
  campaignListingKey,
  campaignListingPartition,
  campaignPartition,
  campaignReservationPrefix,
  templateCampaignKey,
  templateCampaignPrefix,
  templateKey,
  templatePartition,
} from '../keys';
import { decodeCursor, encodeCursor, type Page } from '../pagination';
import { indexes } from '../table';
import { addToShard, takeFromShard } from '../templates/stock-items';
import type { Campaign, CampaignReason, CampaignStatus, RepeatFilterRef, StatusChange } from './campaign';
import { createReservationShard, type ReservationShard, type ReservationState, reservationShardOf, settleReservation } from './reservation-items';

/** What starting a campaign writes besides its record: its counts, and where its reservation comes from and goes. */
export interface CampaignStart {
  readonly total: number;
  readonly reserved: number;
  readonly lanes: number;
  readonly limited: boolean;
  readonly deadline: string;
  readonly takes: readonly ShardTake[];
  readonly repeats?: RepeatFilterRef;
  /** Units per reservation shard (shard i holds portions[i]); they add up to `reserved`. */
  readonly reservationPortions: readonly number[];
}

export type StartOutcome = 'started' | 'shard-short' | 'not-preparing' | 'template-not-active';

/** Stock going back to the template: per reservation shard how much, and onto which stock shards. */
export interface GiveBack {
  readonly fromReservation: ReadonlyArray<{ readonly shard: ReservationShard; readonly quantity: number }>;
  readonly toStock: readonly ShardTake[];
}

const campaignItem = (campaign: Campaign) => entityItem(Entity.campaign, { ...campaignKey(campaign.campaignId), ...campaignListingKey(campaign.requestedAt, campaign.campaignId) }, campaign);

/**
 * DynamoDB adapter for a campaign's record, its lifecycle and its stock reservation. Every status change
 * is one transaction conditioned on the status it leaves, and moves the reservation shards' state and any
 * stock given back with it, and the status on the template's list of its campaigns.
 */
export class CampaignRepository {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(campaignId: string): Promise<Campaign | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: campaignKey(campaignId), ConsistentRead: true }));
    return Item ? withoutKeys<Campaign>(Item) : undefined;
  }

  /** Records a new campaign; if the id is taken, answers the campaign that has it (nothing is overwritten). */
  async create(campaign: Campaign): Promise<{ created: true } | { created: false; existing: Campaign }> {
    try {
      await this.client.send(new PutCommand({ TableName: this.tableName, Item: campaignItem(campaign), ConditionExpression: 'attribute_not_exists(pk)' }));
      return { created: true };
    } catch (error) {
      if (!isConditionalCheckFailure(error)) throw error;
      const existing = await this.get(campaign.campaignId);
      if (!existing) throw new Error(`campaign ${campaign.campaignId} exists and does not`);
      return { created: false, existing };
    }
  }

  /** requested -> preparing (the state machine took it); false if it is past that. */
  async beginPreparing(campaign: Campaign, nowIso: string): Promise<boolean> {
    if (campaign.status === 'preparing') return true;
    return this.transition(campaign, ['requested'], { status: 'preparing', at: nowIso });
  }

  /**
   * preparing -> running, in one transaction with: the stock taken from the template's shards, the
   * reservation shards that hold it, the campaign on the template's list, and a check that the template
   * is still active (so a template paused meanwhile cannot get a running campaign it does not know of).
   */
  async start(campaign: Campaign, start: CampaignStart, nowIso: string): Promise<StartOutcome> {
    const items: RoledItem<'campaign' | 'template' | 'shard' | 'other'>[] = [
      {
        role: 'campaign',
        item: {
          Update: {
            TableName: this.tableName,
            Key: campaignKey(campaign.campaignId),
            // Every name through a placeholder: several (total, limited...) are DynamoDB reserved words.
            UpdateExpression: `SET #status = :running, #total = :total, #reserved = :reserved, #reservationShards = :reservationShards, #lanes = :lanes, #limited = :limited, #deadline = :deadline, #startedAt = :now, #history = list_append(#history, :change)${start.repeats ? ', #repeats = :repeats' : ''} REMOVE #reason`,
            ConditionExpression: '#status = :preparing',
            ExpressionAttributeNames: Object.fromEntries(['status', 'total', 'reserved', 'reservationShards', 'lanes', 'limited', 'deadline', 'startedAt', 'history', 'reason', ...(start.repeats ? ['repeats'] : [])].map((name) => [`#${name}`, name])),
            ExpressionAttributeValues: {
              ':running': 'running',
              ':preparing': 'preparing',
              ':total': start.total,
              ':reserved': start.reserved,
              ':reservationShards': start.reservationPortions.length,
              ':lanes': start.lanes,
              ':limited': start.limited,
              ':deadline': start.deadline,
              ':now': nowIso,
              ':change': [{ status: 'running', at: nowIso }],
              ...(start.repeats ? { ':repeats': start.repeats } : {}),
            },
          },
        },
      },
      {
        role: 'template',
        item: {
          ConditionCheck: {
            TableName: this.tableName,
            Key: templateKey(campaign.templateId),
            ConditionExpression: '#status = :active',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':active': 'active' },
          },
        },
      },
      ...start.takes.map((take) => ({ role: 'shard' as const, item: takeFromShard(this.tableName, campaign.templateId, take, 'reserve') })),
      ...start.reservationPortions.map((portion, shard) => ({ role: 'other' as const, item: createReservationShard(this.tableName, campaign.campaignId, shard, portion) })),
      {
        role: 'other',
        item: { Put: { TableName: this.tableName, Item: entityItem(Entity.templateCampaign, templateCampaignKey(campaign.templateId, campaign.campaignId), { campaignId: campaign.campaignId, status: 'running' }) } },
      },
    ];
    const outcome = await transactWrite(this.client, items);
    if (outcome.committed) return 'started';
    if (conditionFailed(outcome, (role) => role === 'campaign').length > 0) return 'not-preparing';
    if (conditionFailed(outcome, (role) => role === 'template').length > 0) return 'template-not-active';
    // A short shard (a claim took from it meanwhile), or a conflict with a claim: read the shards and plan again.
    return 'shard-short';
  }

  /** requested | preparing -> failed, with the reason it could not start. */
  fail(campaign: Campaign, reason: CampaignReason, nowIso: string): Promise<boolean> {
    return this.transition(campaign, ['requested', 'preparing'], { status: 'failed', reason, at: nowIso }, { ended: true });
  }

  /** running -> paused: chunks stop drawing; what the pool holds stays reserved. */
  pause(campaign: Campaign, shards: readonly ReservationShard[], reason: CampaignReason, nowIso: string): Promise<boolean> {
    return this.transition(campaign, ['running'], { status: 'paused', reason, at: nowIso }, { reservation: { shards, to: 'paused' } });
  }

  /** paused -> running: chunks draw again. */
  resume(campaign: Campaign, shards: readonly ReservationShard[], nowIso: string): Promise<boolean> {
    return this.transition(campaign, ['paused'], { status: 'running', at: nowIso }, { reservation: { shards, to: 'open' } });
  }

  /** requested | preparing | running | paused -> cancelled: the pool goes back to the template in the same transaction. */
  cancel(campaign: Campaign, giveBack: GiveBack, reason: CampaignReason, nowIso: string): Promise<boolean> {
    // Only from the status the give-back was planned from: a campaign that started meanwhile has a reservation to close.
    return this.transition(campaign, [campaign.status], { status: 'cancelled', reason, at: nowIso }, { ended: true, reservation: { shards: giveBack.fromReservation.map((r) => r.shard), to: 'closed' }, giveBack });
  }

  /** running -> completed: what the pool holds beyond the failed users' share goes back to the template. */
  complete(campaign: Campaign, giveBack: GiveBack, nowIso: string): Promise<boolean> {
    return this.transition(campaign, ['running'], { status: 'completed', at: nowIso }, { ended: true, reservation: { shards: giveBack.fromReservation.map((r) => r.shard), to: 'open' }, giveBack });
  }

  /** A completed campaign gives back what it held for its failed users; they can no longer be retried. */
  releaseHeld(campaign: Campaign, giveBack: GiveBack, nowIso: string): Promise<boolean> {
    return this.transition(campaign, ['completed'], { status: 'completed', reason: 'HELD_STOCK_RELEASED', at: nowIso }, { reservation: { shards: giveBack.fromReservation.map((r) => r.shard), to: 'closed' }, giveBack });
  }

  async reservationShards(campaignId: string): Promise<ReservationShard[]> {
    return (await queryPrefix(this.client, this.tableName, campaignPartition(campaignId), campaignReservationPrefix)).map(reservationShardOf);
  }

  /** The campaigns of a template, with their status (strongly consistent: the template's partition). */
  async ofTemplate(templateId: string): Promise<Array<{ campaignId: string; status: CampaignStatus }>> {
    const items = await queryPrefix(this.client, this.tableName, templatePartition(templateId), templateCampaignPrefix);
    return items.map((item) => ({ campaignId: String(item.campaignId), status: item.status as CampaignStatus }));
  }

  /** Campaigns newest first, optionally of one template and in one status, a page at a time. */
  async list(query: { templateId?: string; status?: CampaignStatus; limit: number; cursor?: string }): Promise<Page<Campaign>> {
    const filters = [...(query.templateId ? ['templateId = :templateId'] : []), ...(query.status ? ['#status = :status'] : [])];
    let startKey = decodeCursor(query.cursor, { attributes: ['pk', 'sk', 'gsi1pk', 'gsi1sk'], partition: { name: 'gsi1pk', value: campaignListingPartition } });
    const items: Campaign[] = [];
    // A filter can make pages short: read on (a bounded number of pages) until this page is full.
    for (let page = 0; page < 5 && items.length < query.limit; page++) {
      const result = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: indexes.gsi1.indexName,
          KeyConditionExpression: 'gsi1pk = :pk',
          ...(filters.length > 0 ? { FilterExpression: filters.join(' AND ') } : {}),
          ...(query.status ? { ExpressionAttributeNames: { '#status': 'status' } } : {}),
          ExpressionAttributeValues: { ':pk': campaignListingPartition, ...(query.templateId ? { ':templateId': query.templateId } : {}), ...(query.status ? { ':status': query.status } : {}) },
          ScanIndexForward: false,
          Limit: query.limit - items.length,
          ExclusiveStartKey: startKey,
        }),
      );
      items.push(...(result.Items ?? []).map((item) => withoutKeys<Campaign>(item)));
      startKey = result.LastEvaluatedKey;
      if (!startKey) break;
    }
    const nextCursor = encodeCursor(startKey);
    return { items, ...(nextCursor ? { nextCursor } : {}) };
  }

  /**
   * One status change as one transaction: the record (conditioned on the status it leaves; the change
   * appended to its history), the status on the template's list, the reservation shards' state, and the
   * stock given back to the template's shards.
   */
  private async transition(
    campaign: Campaign,
    from: readonly CampaignStatus[],
    change: StatusChange,
    effects: { ended?: boolean; reservation?: { shards: readonly ReservationShard[]; to: ReservationState }; giveBack?: GiveBack } = {},
  ): Promise<boolean> {
    const fromValues = Object.fromEntries(from.map((status, i) => [`:from${i}`, status]));
    const giveBackOf = (shard: number) => effects.giveBack?.fromReservation.find((r) => r.shard.shard === shard)?.quantity ?? 0;
    const started = campaign.status !== 'requested' && campaign.status !== 'preparing' && campaign.status !== 'failed';
    const outcome = await transactWrite(this.client, [
      {
        role: 'campaign',
        item: {
          Update: {
            TableName: this.tableName,
            Key: campaignKey(campaign.campaignId),
            UpdateExpression: `SET #status = :to, #history = list_append(#history, :change)${change.reason ? ', #reason = :reason' : ''}${effects.ended ? ', #endedAt = :at' : ''}${change.reason ? '' : ' REMOVE #reason'}`,
            ConditionExpression: `#status IN (${Object.keys(fromValues).join(', ')})`,
            ExpressionAttributeNames: { '#status': 'status', '#history': 'history', '#reason': 'reason', ...(effects.ended ? { '#endedAt': 'endedAt' } : {}) },
            ExpressionAttributeValues: {
              ':to': change.status,
              ':change': [change],
              ...(change.reason ? { ':reason': change.reason } : {}),
              ...(effects.ended ? { ':at': change.at } : {}),
              ...fromValues,
            },
          },
        },
      },
      // The template lists a campaign from the moment it reserved stock.
      ...(started
        ? [
            {
              role: 'other' as const,
              item: {
                Update: {
                  TableName: this.tableName,
                  Key: templateCampaignKey(campaign.templateId, campaign.campaignId),
                  UpdateExpression: 'SET #status = :to, entity = :entity, campaignId = :campaignId',
                  ExpressionAttributeNames: { '#status': 'status' },
                  ExpressionAttributeValues: { ':to': change.status, ':entity': Entity.templateCampaign, ':campaignId': campaign.campaignId },
                },
              },
            },
          ]
        : []),
      ...(effects.reservation?.shards ?? []).map((shard) => ({
        role: 'reservation' as const,
        item: settleReservation(this.tableName, campaign.campaignId, shard, effects.reservation!.to, giveBackOf(shard.shard)),
      })),
      ...(effects.giveBack?.toStock ?? []).map((take) => ({ role: 'other' as const, item: addToShard(this.tableName, campaign.templateId, take, 'give-back') })),
    ]);
    if (outcome.committed) return true;
    if (conditionFailed(outcome, (role) => role === 'campaign').length > 0) return false;
    // A chunk returned units to the pool between our read and this write, or another transaction held one
    // of these items: the caller reads again and retries.
    if (conditionFailed(outcome, (role) => role === 'reservation').length > 0 || isContention(outcome)) throw new ReservationMoved(campaign.campaignId);
    throw new Error(`campaign ${campaign.campaignId}: ${campaign.status} -> ${change.status} was cancelled for an unexpected reason`);
  }
}

/** The reservation changed while a status change was being written; read it again and retry. */
export class ReservationMoved extends Error {
  constructor(campaignId: string) {
    super(`the reservation of campaign ${campaignId} moved meanwhile`);
  }
}


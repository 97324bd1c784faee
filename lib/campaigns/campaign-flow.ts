import type { S3Client } from '@aws-sdk/client-s3';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { allocateFromKnownStock } from '../claims/stock-allocation';
import { ConflictError, NotFoundError } from '../errors';
import { EVENT_VERSION, type DomainEvent } from '../events/event-catalog';
import type { EventSink } from '../events/event-sink';
import { splitAcrossShards } from '../templates/template';
import type { TemplateRepository } from '../templates/template-repository';
import { type Clock, toIso } from '../time';
import { S3AudienceSource, StoredAudienceSource, type AudienceSource } from './audience-source';
import { type AudienceLocation, type Campaign, type CampaignCounts, type CampaignRequest, CampaignRequestedData, type ChunkMessage } from './campaign';
import type { CampaignRepository } from './campaign-repository';
import type { ChunkQueue } from './chunk-queue';
import type { WorkerConcurrency } from './worker-concurrency';

export interface CampaignFlowDeps {
  readonly campaigns: CampaignRepository;
  readonly templates: Pick<TemplateRepository, 'get' | 'stockShards'>;
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly s3: S3Client;
  readonly queue: ChunkQueue;
  readonly events: EventSink;
  readonly clock: Clock;
  readonly random: () => number;
  readonly deadlineHours: number;
  readonly workerConcurrency: WorkerConcurrency;
}

const event = <T extends 'CampaignRequested' | 'CampaignCompleted'>(type: T, id: string, at: string, data: DomainEvent<T>['data']): DomainEvent<T> => ({
  type,
  metadata: { id, version: EVENT_VERSION[type], occurredAt: at },
  data,
});

function audienceSource(deps: CampaignFlowDeps, campaignId: string, location: AudienceLocation): AudienceSource {
  return location.type === 's3' ? new S3AudienceSource(deps.s3, location.bucket, location.key) : new StoredAudienceSource(deps.client, deps.tableName, campaignId, location.chunks);
}

async function requireCampaign(deps: Pick<CampaignFlowDeps, 'campaigns'>, campaignId: string): Promise<Campaign> {
  const campaign = await deps.campaigns.get(campaignId);
  if (!campaign) throw new NotFoundError('campaign', campaignId);
  return campaign;
}

/** POST /v1/admin/campaigns: checks the request, stores an inline audience, and sends the same event marketing tools send. */
export async function requestCampaign(deps: CampaignFlowDeps, request: CampaignRequest): Promise<{ campaignId: string; status: 'requested' }> {
  if (await deps.campaigns.get(request.campaignId)) {
    throw new ConflictError('CAMPAIGN_EXISTS', 'A campaign with this id exists; a campaign id never issues twice', { campaignId: request.campaignId });
  }
  if (!(await deps.templates.get(request.templateId))) throw new NotFoundError('template', request.templateId);
  const audience =
    request.audience.type === 'inline'
      ? {
          type: 'stored' as const,
          chunks: await StoredAudienceSource.store(deps.client, deps.tableName, request.campaignId, request.audience.userIds),
          count: request.audience.userIds.length,
        }
      : request.audience;
  const nowIso = toIso(deps.clock());
  const failed = await deps.events.publish([event('CampaignRequested', `request:${request.campaignId}`, nowIso, { ...request, audience })]);
  if (failed.length > 0) throw new Error('EventBridge did not accept the campaign request');
  return { campaignId: request.campaignId, status: 'requested' };
}

export type PrepareResult = { readonly campaignId: string; readonly status: 'running' | 'refused' | 'duplicate'; readonly reason?: string };

/**
 * First state: records the campaign (a campaign id runs once), counts its audience and reserves that
 * much stock from the template's shards in the same transaction, or ends with a reason.
 */
export async function prepareCampaign(deps: CampaignFlowDeps, detail: unknown): Promise<PrepareResult> {
  const request = CampaignRequestedData.parse(detail);
  const { campaignId } = request;
  if (await deps.campaigns.get(campaignId)) return { campaignId, status: 'duplicate' };

  let audience: AudienceLocation;
  let total: number;
  if (request.audience.type === 'inline') {
    audience = { type: 'stored', chunks: await StoredAudienceSource.store(deps.client, deps.tableName, campaignId, request.audience.userIds), count: request.audience.userIds.length };
    total = request.audience.userIds.length;
  } else if (request.audience.type === 'stored') {
    audience = request.audience;
    total = request.audience.count;
  } else {
    audience = request.audience;
    total = await new S3AudienceSource(deps.s3, audience.bucket, audience.key).count();
  }

  const nowMs = deps.clock();
  const campaign: Campaign = {
    campaignId,
    templateId: request.templateId,
    status: 'running',
    audience,
    rate: request.rate,
    total,
    reserved: total,
    startedAt: toIso(nowMs),
    deadline: toIso(nowMs + deps.deadlineHours * 3_600_000),
  };
  const refuse = async (reason: string): Promise<PrepareResult> => {
    const created = await deps.campaigns.createRefused({ ...campaign, status: 'refused', reason, reserved: 0, completedAt: toIso(nowMs) });
    return { campaignId, status: created ? 'refused' : 'duplicate', reason };
  };
  const template = await deps.templates.get(request.templateId);
  if (!template) return refuse('TEMPLATE_NOT_FOUND');
  if (template.status !== 'active') return refuse('TEMPLATE_NOT_ACTIVE');
  if (total === 0) return refuse('EMPTY_AUDIENCE');

  for (let attempt = 0; attempt < 5; attempt++) {
    const takes = allocateFromKnownStock(await deps.templates.stockShards(template.id), total, deps.random);
    if (!takes) return refuse('INSUFFICIENT_STOCK');
    const outcome = await deps.campaigns.createWithReservation(campaign, takes);
    if (outcome.kind === 'reserved') {
      await deps.workerConcurrency.set(campaign.rate.maxConcurrency);
      return { campaignId, status: 'running' };
    }
    if (outcome.kind === 'exists') return { campaignId, status: 'duplicate' };
    // a claim took stock from a shard meanwhile: read the shards again
  }
  return refuse('STOCK_CONTENTION');
}

export interface PageState {
  readonly campaignId: string;
  readonly cursor?: string | null;
}

/** Loop state: reads the next page of the audience and sends it to the queue in chunks of the campaign's batch size. */
export async function enqueueAudiencePage(deps: CampaignFlowDeps, state: PageState): Promise<{ campaignId: string; cursor: string | null; done: boolean; sent: number }> {
  const campaign = await requireCampaign(deps, state.campaignId);
  const page = await audienceSource(deps, campaign.campaignId, campaign.audience).readPage(state.cursor ?? undefined);
  const position = state.cursor ?? '0';
  // Duplicates within a page are settled here: chunks run in parallel, and two chunks must never race for
  // one user. They count as processed and skipped, once, like a chunk of their own.
  const userIds = [...new Set(page.userIds)];
  const duplicates = page.userIds.length - userIds.length;
  if (duplicates > 0) await deps.campaigns.recordChunk(campaign.campaignId, `dups:${position}`, { processed: duplicates, issued: 0, skipped: duplicates, failed: 0 });
  const messages: ChunkMessage[] = [];
  for (let i = 0; i < userIds.length; i += campaign.rate.batchSize) {
    // The chunk id comes from the page's position, so a retried task re-sends the same chunks, which count once.
    messages.push({ campaignId: campaign.campaignId, templateId: campaign.templateId, chunkId: `${position}:${i}`, userIds: userIds.slice(i, i + campaign.rate.batchSize) });
  }
  await deps.queue.send(messages);
  return { campaignId: campaign.campaignId, cursor: page.nextCursor ?? null, done: page.nextCursor === undefined, sent: page.userIds.length };
}

export async function campaignProgress(deps: Pick<CampaignFlowDeps, 'campaigns'>, campaignId: string) {
  const campaign = await requireCampaign(deps, campaignId);
  const counts = await deps.campaigns.counts(campaignId);
  return {
    campaignId,
    templateId: campaign.templateId,
    status: campaign.status,
    ...(campaign.reason ? { reason: campaign.reason } : {}),
    total: campaign.total,
    ...counts,
    startedAt: campaign.startedAt,
    ...(campaign.completedAt ? { completedAt: campaign.completedAt } : {}),
  };
}

/** Wait loop state: done when every audience entry was processed, or the campaign's deadline passed. */
export async function checkProgress(deps: CampaignFlowDeps, state: { campaignId: string }): Promise<{ campaignId: string; done: boolean } & CampaignCounts> {
  const campaign = await requireCampaign(deps, state.campaignId);
  const counts = await deps.campaigns.counts(state.campaignId);
  return { campaignId: state.campaignId, done: counts.processed >= campaign.total || deps.clock() >= Date.parse(campaign.deadline), ...counts };
}

/**
 * Last state: marks the campaign complete, gives back the stock it neither issued nor holds for failed
 * users (kept for a retry), and announces CampaignCompleted. Safe to run twice: only the first counts.
 */
export async function completeCampaign(deps: CampaignFlowDeps, state: { campaignId: string }) {
  const campaign = await requireCampaign(deps, state.campaignId);
  const counts = await deps.campaigns.counts(state.campaignId);
  const status = counts.processed >= campaign.total ? 'completed' : 'timed_out';
  const template = await deps.templates.get(campaign.templateId);
  const unused = Math.max(0, campaign.reserved - counts.issued - counts.failed);
  const giveBack = template ? splitAcrossShards(unused, template.stock.shards).flatMap((quantity, shard) => (quantity > 0 ? [{ shard, quantity }] : [])) : [];
  const nowIso = toIso(deps.clock());
  if (await deps.campaigns.complete(campaign, status, giveBack, counts, nowIso)) {
    await deps.events.publish([
      event('CampaignCompleted', `completed:${campaign.campaignId}`, nowIso, { campaignId: campaign.campaignId, templateId: campaign.templateId, status, total: campaign.total, ...counts }),
    ]);
  }
  return { campaignId: campaign.campaignId, status, ...counts };
}

/** One call retries every user the campaign gave up on: they go back to the queue as retry chunks. */
export async function retryFailedUsers(deps: CampaignFlowDeps, campaignId: string): Promise<{ campaignId: string; retried: number }> {
  const campaign = await requireCampaign(deps, campaignId);
  const failed = await deps.campaigns.failedUsers(campaignId);
  const stamp = deps.clock();
  const messages: ChunkMessage[] = [];
  for (let i = 0; i < failed.length; i += campaign.rate.batchSize) {
    messages.push({ campaignId, templateId: campaign.templateId, chunkId: `retry-${stamp}:${i}`, userIds: failed.slice(i, i + campaign.rate.batchSize), retry: true });
  }
  await deps.queue.send(messages);
  return { campaignId, retried: failed.length };
}

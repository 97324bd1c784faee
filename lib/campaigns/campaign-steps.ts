import { allocateFromKnownStock } from '../claims/stock-allocation';
import { EVENT_VERSION } from '../events/event-catalog';
import { splitAcrossShards } from '../templates/template';
import { toIso } from '../time';
import { type AudienceLocation, type Campaign, type CampaignCounts, CampaignRequestedData } from './campaign';
import type { CampaignDeps } from './campaign-deps';
import { requireCampaign } from './campaign-requests';
import { chunksOf } from './chunks';

/** The campaign state machine's steps (lib/topology.ts names the states; functions/campaigns/* run them). */

export type PrepareResult = { readonly campaignId: string; readonly status: 'running' | 'refused' | 'duplicate'; readonly reason?: string };

/**
 * First state: records the campaign (a campaign id runs once), counts its audience and reserves that
 * much stock from the template's shards in the same transaction, or ends with a reason.
 */
export async function prepareCampaign(deps: CampaignDeps, detail: unknown): Promise<PrepareResult> {
  const request = CampaignRequestedData.parse(detail);
  const { campaignId } = request;
  if (await deps.campaigns.get(campaignId)) return { campaignId, status: 'duplicate' };

  const audience: AudienceLocation = request.audience.type === 'inline' ? await deps.audiences.storeInline(campaignId, request.audience.userIds) : request.audience;
  const total = await deps.audiences.count(campaignId, audience);
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

  for (let attempt = 0; attempt < deps.reserveAttempts; attempt++) {
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
export async function enqueueAudiencePage(deps: CampaignDeps, state: PageState): Promise<{ campaignId: string; cursor: string | null; done: boolean; sent: number }> {
  const campaign = await requireCampaign(deps, state.campaignId);
  const page = await deps.audiences.readPage(campaign.campaignId, campaign.audience, state.cursor ?? undefined);
  const position = state.cursor ?? '0';
  // Duplicates within a page are settled here: chunks run in parallel, and two chunks must never race for
  // one user. They count as processed and skipped, once, like a chunk of their own.
  const userIds = [...new Set(page.userIds)];
  const duplicates = page.userIds.length - userIds.length;
  if (duplicates > 0) await deps.campaigns.recordChunk(campaign.campaignId, `dups:${position}`, { processed: duplicates, issued: 0, skipped: duplicates, failed: 0 });
  // The chunk ids come from the page's position, so a retried task re-sends the same chunks, which count once.
  await deps.queue.send(chunksOf(campaign, userIds, position));
  return { campaignId: campaign.campaignId, cursor: page.nextCursor ?? null, done: page.nextCursor === undefined, sent: page.userIds.length };
}

/** Wait loop state: done when every audience entry was processed, or the campaign's deadline passed. */
export async function checkProgress(deps: CampaignDeps, state: { campaignId: string }): Promise<{ campaignId: string; done: boolean } & CampaignCounts> {
  const campaign = await requireCampaign(deps, state.campaignId);
  const counts = await deps.campaigns.counts(state.campaignId);
  return { campaignId: state.campaignId, done: counts.processed >= campaign.total || deps.clock() >= Date.parse(campaign.deadline), ...counts };
}

/**
 * Last state: marks the campaign complete, gives back the stock it neither issued nor holds for failed
 * users (kept for a retry), and announces CampaignCompleted. Safe to run twice: only the first counts.
 */
export async function completeCampaign(deps: CampaignDeps, state: { campaignId: string }) {
  const campaign = await requireCampaign(deps, state.campaignId);
  const counts = await deps.campaigns.counts(state.campaignId);
  const status = counts.processed >= campaign.total ? 'completed' : 'timed_out';
  const template = await deps.templates.get(campaign.templateId);
  const unused = Math.max(0, campaign.reserved - counts.issued - counts.failed);
  const giveBack = template ? splitAcrossShards(unused, template.stock.shards).flatMap((quantity, shard) => (quantity > 0 ? [{ shard, quantity }] : [])) : [];
  const nowIso = toIso(deps.clock());
  if (await deps.campaigns.complete(campaign, status, giveBack, counts, nowIso)) {
    await deps.events.publish([
      {
        type: 'CampaignCompleted',
        metadata: { id: `completed:${campaign.campaignId}`, version: EVENT_VERSION.CampaignCompleted, occurredAt: nowIso },
        data: { campaignId: campaign.campaignId, templateId: campaign.templateId, status, total: campaign.total, ...counts },
      },
    ]);
  }
  return { campaignId: campaign.campaignId, status, ...counts };
}

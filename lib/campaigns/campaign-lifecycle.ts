import { ConflictError, NotFoundError } from '../errors';
import { type DomainEvent, EVENT_VERSION, type EventType } from '../events/event-catalog';
import { waitBeforeAttempt } from '../retry';
import { toIso } from '../time';
import { type Campaign, type CampaignReason, countsOf, ENDED_STATUSES } from './campaign';
import type { CampaignDeps } from './campaign-deps';
import { ReservationMoved } from './campaign-repository';
import { chunksOf } from './chunks';
import { planGiveBack, poolOf } from './give-back';

/**
 * A campaign's lifecycle after it started: pause, resume, cancel (by an operator, a deadline or the
 * template's validity ending), completion, and retrying the users it gave up on. Each change is one
 * transaction that moves the status, the reservation's state and any stock given back together.
 */

export async function requireCampaign(deps: Pick<CampaignDeps, 'campaigns'>, campaignId: string): Promise<Campaign> {
  const campaign = await deps.campaigns.get(campaignId);
  if (!campaign) throw new NotFoundError('campaign', campaignId);
  return campaign;
}

export async function publish<T extends EventType>(deps: Pick<CampaignDeps, 'events'>, type: T, id: string, data: DomainEvent<T>['data'], at: string): Promise<void> {
  const failed = await deps.events.publish([{ type, metadata: { id, version: EVENT_VERSION[type], occurredAt: at }, data } as DomainEvent]);
  if (failed.length > 0) throw new Error(`the event bus did not take ${type} ${id}`);
}

/**
 * Runs a status change planned from what was read (the campaign's status, its reservation), reading
 * again and planning anew when the status or the reservation moved before the change was written: the
 * change is conditioned on exactly what it was planned from. `change` answers whether it is settled.
 */
async function withFreshReservation(deps: Pick<CampaignDeps, 'campaigns'>, campaignId: string, change: (campaign: Campaign) => Promise<boolean>): Promise<Campaign> {
  for (let attempt = 0; attempt < 10; attempt++) {
    await waitBeforeAttempt(attempt, { baseDelayMs: 20 });
    const campaign = await requireCampaign(deps, campaignId);
    try {
      if (await change(campaign)) return requireCampaign(deps, campaignId);
    } catch (error) {
      if (!(error instanceof ReservationMoved)) throw error;
    }
  }
  throw new ConflictError('CAMPAIGN_BUSY', 'The campaign is moving stock right now; retry shortly', { campaignId });
}

const notIn = (campaign: Campaign, action: string) =>
  new ConflictError('INVALID_CAMPAIGN_STATUS', `Cannot ${action} a campaign that is ${campaign.status}`, { campaignId: campaign.campaignId, status: campaign.status, reason: campaign.reason });

/** running -> paused. Pausing a paused campaign is a no-op. Chunks in flight finish; new ones wait (parked). */
export async function pauseCampaign(deps: CampaignDeps, campaignId: string, reason: CampaignReason = 'OPERATOR'): Promise<Campaign> {
  return withFreshReservation(deps, campaignId, async (campaign) => {
    if (campaign.status === 'paused') return true;
    if (campaign.status !== 'running') throw notIn(campaign, 'pause');
    return deps.campaigns.pause(campaign, await deps.campaigns.reservationShards(campaignId), reason, toIso(deps.clock()));
  });
}

/** paused -> running, then the chunks that waited go back to the queue. Resuming a running campaign only sends those again. */
export async function resumeCampaign(deps: CampaignDeps, campaignId: string): Promise<Campaign> {
  const resumed = await withFreshReservation(deps, campaignId, async (campaign) => {
    if (campaign.status === 'running') return true;
    if (campaign.status !== 'paused') throw notIn(campaign, 'resume');
    const template = await deps.templates.get(campaign.templateId);
    if (template?.status !== 'active') {
      throw new ConflictError('TEMPLATE_NOT_ACTIVE', 'The template is not active; activate it before resuming its campaigns', { templateId: campaign.templateId, templateStatus: template?.status });
    }
    return deps.campaigns.resume(campaign, await deps.campaigns.reservationShards(campaignId), toIso(deps.clock()));
  });
  await requeueParked(deps, campaignId);
  return resumed;
}

/** Sends the chunks parked while the campaign was paused back to the queue (as new sendings: not duplicates). */
export async function requeueParked(deps: Pick<CampaignDeps, 'chunks' | 'queue' | 'clock'>, campaignId: string): Promise<number> {
  const parked = await deps.chunks.parked(campaignId);
  if (parked.length === 0) return 0;
  await deps.queue.send(parked, { resend: `resume-${deps.clock()}` });
  await deps.chunks.unpark(campaignId, parked.map((message) => message.chunkId));
  return parked.length;
}

/**
 * Ends a campaign that has not ended: the whole pool goes back to the template in the same transaction
 * that closes the reservation, so no chunk draws after it (chunks already holding units finish and give
 * back what they do not issue). On a completed campaign, gives back what it still holds for failed users.
 */
export async function cancelCampaign(deps: CampaignDeps, campaignId: string, reason: CampaignReason = 'OPERATOR'): Promise<Campaign> {
  let cancelledNow = false;
  const campaign = await withFreshReservation(deps, campaignId, async (current) => {
    if (current.status === 'cancelled') return true;
    const template = await deps.templates.get(current.templateId);
    const shards = await deps.campaigns.reservationShards(campaignId);
    const giveBack = planGiveBack(shards, poolOf(shards), template?.stock.shards ?? 1);
    const nowIso = toIso(deps.clock());
    if (current.status === 'completed') {
      if (poolOf(shards) === 0 || shards.every((shard) => shard.state === 'closed')) throw notIn(current, 'cancel');
      return deps.campaigns.releaseHeld(current, giveBack, nowIso);
    }
    if (ENDED_STATUSES.includes(current.status)) throw notIn(current, 'cancel');
    cancelledNow = await deps.campaigns.cancel(current, giveBack, reason, nowIso);
    return cancelledNow;
  });
  if (cancelledNow) {
    const totals = await deps.chunks.totals(campaignId);
    await publish(deps, 'CampaignCancelled', `cancelled:${campaignId}`, { campaignId, templateId: campaign.templateId, reason, total: campaign.total, ...countsOf(totals) }, campaign.endedAt!);
  }
  return campaign;
}

/**
 * Completes a campaign that processed its whole audience: gives back what the pool holds beyond the
 * failed users' share (kept for a retry) and announces CampaignCompleted. Safe to run twice.
 */
export async function completeCampaign(deps: CampaignDeps, campaignId: string): Promise<Campaign> {
  let completedNow = false;
  const campaign = await withFreshReservation(deps, campaignId, async (current) => {
    if (current.status !== 'running') return true;
    const totals = await deps.chunks.totals(campaignId);
    const template = await deps.templates.get(current.templateId);
    const shards = await deps.campaigns.reservationShards(campaignId);
    completedNow = await deps.campaigns.complete(current, planGiveBack(shards, poolOf(shards) - totals.failed, template?.stock.shards ?? 1), toIso(deps.clock()));
    return completedNow;
  });
  if (completedNow) {
    const totals = await deps.chunks.totals(campaignId);
    await publish(deps, 'CampaignCompleted', `completed:${campaignId}`, { campaignId, templateId: campaign.templateId, status: 'completed', total: campaign.total, ...countsOf(totals) }, campaign.endedAt!);
  }
  return campaign;
}

/**
 * Sends every user the campaign gave up on back to the workers, in their lanes. A retry chunk counts only
 * the users still failed when it runs (their failure record is deleted in the transaction that counts
 * them), and a user's chunks run one at a time: retrying twice, or while a retry still runs, equals
 * retrying once.
 */
export async function retryFailedUsers(deps: CampaignDeps, campaignId: string): Promise<{ campaignId: string; retried: number }> {
  const campaign = await requireCampaign(deps, campaignId);
  const shards = await deps.campaigns.reservationShards(campaignId);
  const retryable = ['running', 'paused'].includes(campaign.status) || (campaign.status === 'completed' && shards.some((shard) => shard.state === 'open'));
  if (!retryable) throw notIn(campaign, 'retry the failed users of');
  const failed = await deps.chunks.failedUsers(campaignId);
  await deps.queue.send(chunksOf(campaign, failed.sort(), { retry: String(deps.clock()) }));
  return { campaignId, retried: failed.length };
}

/** The template stopped being active: its running campaigns pause (and resume with it, see below). */
export async function pauseCampaignsOfTemplate(deps: CampaignDeps, templateId: string): Promise<number> {
  const running = (await deps.campaigns.ofTemplate(templateId)).filter((c) => c.status === 'running');
  for (const { campaignId } of running) await pauseCampaign(deps, campaignId, 'TEMPLATE_NOT_ACTIVE');
  return running.length;
}

/** The template is active again: the campaigns that its pause paused resume; those an operator paused stay paused. */
export async function resumeCampaignsOfTemplate(deps: CampaignDeps, templateId: string): Promise<number> {
  let resumed = 0;
  for (const { campaignId } of (await deps.campaigns.ofTemplate(templateId)).filter((c) => c.status === 'paused')) {
    const campaign = await requireCampaign(deps, campaignId);
    if (campaign.reason !== 'TEMPLATE_NOT_ACTIVE') continue;
    await resumeCampaign(deps, campaignId);
    resumed++;
  }
  return resumed;
}

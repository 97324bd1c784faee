import { ConflictError, NotFoundError } from '../errors';
import { EVENT_VERSION } from '../events/event-catalog';
import { toIso } from '../time';
import { type Campaign, type CampaignProgress, type CampaignRequest, campaignProgressOf } from './campaign';
import type { CampaignDeps } from './campaign-deps';
import { chunksOf } from './chunks';

/** The back office's side of campaigns (HTTP): start one, follow it, retry the users it gave up on. */

export async function requireCampaign(deps: Pick<CampaignDeps, 'campaigns'>, campaignId: string): Promise<Campaign> {
  const campaign = await deps.campaigns.get(campaignId);
  if (!campaign) throw new NotFoundError('campaign', campaignId);
  return campaign;
}

/** POST /v1/admin/campaigns: checks the request, stores an inline audience, and sends the same event marketing tools send. */
export async function requestCampaign(deps: CampaignDeps, request: CampaignRequest): Promise<{ campaignId: string; status: 'requested' }> {
  if (await deps.campaigns.get(request.campaignId)) {
    throw new ConflictError('CAMPAIGN_EXISTS', 'A campaign with this id exists; a campaign id never issues twice', { campaignId: request.campaignId });
  }
  if (!(await deps.templates.get(request.templateId))) throw new NotFoundError('template', request.templateId);
  const audience = request.audience.type === 'inline' ? await deps.audiences.storeInline(request.campaignId, request.audience.userIds) : request.audience;
  const nowIso = toIso(deps.clock());
  const failed = await deps.events.publish([
    { type: 'CampaignRequested', metadata: { id: `request:${request.campaignId}`, version: EVENT_VERSION.CampaignRequested, occurredAt: nowIso }, data: { ...request, audience } },
  ]);
  if (failed.length > 0) throw new Error('EventBridge did not accept the campaign request');
  return { campaignId: request.campaignId, status: 'requested' };
}

export async function campaignProgress(deps: Pick<CampaignDeps, 'campaigns'>, campaignId: string): Promise<CampaignProgress> {
  const campaign = await requireCampaign(deps, campaignId);
  return campaignProgressOf(campaign, await deps.campaigns.counts(campaignId));
}

/** One call retries every user the campaign gave up on: they go back to the queue as retry chunks. */
export async function retryFailedUsers(deps: CampaignDeps, campaignId: string): Promise<{ campaignId: string; retried: number }> {
  const campaign = await requireCampaign(deps, campaignId);
  const failed = await deps.campaigns.failedUsers(campaignId);
  await deps.queue.send(chunksOf(campaign, failed, `retry-${deps.clock()}`, { retry: true }));
  return { campaignId, retried: failed.length };
}

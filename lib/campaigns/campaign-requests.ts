import * as z from 'zod';
import { ConflictError, NotFoundError } from '../errors';
import type { Page } from '../pagination';
import { toIso } from '../time';
import { storedAudienceOf } from './audience-repository';
import {
  type AudienceLocation,
  CAMPAIGN_REASONS,
  CAMPAIGN_STATUSES,
  type Campaign,
  type CampaignProgress,
  type CampaignRequest,
  type CampaignStatus,
  campaignProgressOf,
  campaignRequestHash,
} from './campaign';
import type { CampaignDeps } from './campaign-deps';
import { publish, requireCampaign } from './campaign-lifecycle';
import { givenBackOf } from './give-back';

/** The back office's side of campaigns (HTTP): start one, follow it, list them. Pause, resume, cancel and retry are in campaign-lifecycle.ts. */

export const CampaignAccepted = z.object({ campaignId: z.string(), status: z.enum(CAMPAIGN_STATUSES) });

/**
 * POST /v1/admin/campaigns: records the campaign (a new id only: nothing stored under an existing id is
 * ever overwritten), stores an inline audience, and sends the event marketing tools send. The same id with
 * the same template and audience answers the existing campaign (and sends the event again while it is
 * still only requested, in case the first sending was lost); with anything else it is 409 CAMPAIGN_EXISTS.
 */
export async function requestCampaign(deps: CampaignDeps, request: CampaignRequest): Promise<{ campaignId: string; status: CampaignStatus; replayed: boolean }> {
  const requestHash = campaignRequestHash(request);
  if (!(await deps.templates.get(request.templateId))) throw new NotFoundError('template', request.templateId);
  const nowIso = toIso(deps.clock());
  const audience: AudienceLocation = request.audience.type === 'inline' ? storedAudienceOf(request.audience.userIds.length) : request.audience;
  const campaign: Campaign = {
    campaignId: request.campaignId,
    templateId: request.templateId,
    status: 'requested',
    requestHash,
    audience,
    rate: request.rate,
    total: audience.type === 'stored' ? audience.count : 0,
    reserved: 0,
    reservationShards: 0,
    lanes: 0,
    limited: false,
    requestedAt: nowIso,
    history: [{ status: 'requested', at: nowIso }],
  };
  const created = await deps.campaigns.create(campaign);
  const current = created.created ? campaign : created.existing;
  if (!created.created && created.existing.requestHash !== requestHash) {
    throw new ConflictError('CAMPAIGN_EXISTS', 'A campaign with this id exists for another template or audience; a campaign id never issues twice', {
      campaignId: request.campaignId,
      status: created.existing.status,
    });
  }
  if (current.status === 'requested') {
    if (request.audience.type === 'inline') await deps.audiences.storeInline(request.campaignId, request.audience.userIds);
    await publish(deps, 'CampaignRequested', `request:${request.campaignId}`, { ...request, audience: current.audience, requestHash }, nowIso);
  }
  return { campaignId: request.campaignId, status: current.status, replayed: !created.created };
}

export async function campaignProgress(deps: Pick<CampaignDeps, 'campaigns' | 'chunks'>, campaignId: string): Promise<CampaignProgress> {
  const campaign = await requireCampaign(deps, campaignId);
  const [totals, shards] = await Promise.all([deps.chunks.totals(campaignId), deps.campaigns.reservationShards(campaignId)]);
  const givenBack = givenBackOf(shards);
  return campaignProgressOf(campaign, totals, { reserved: campaign.reserved, givenBack, outstanding: campaign.reserved - totals.issued - givenBack });
}

export const CampaignSummary = z.object({
  campaignId: z.string(),
  templateId: z.string(),
  status: z.enum(CAMPAIGN_STATUSES),
  reason: z.enum(CAMPAIGN_REASONS).optional(),
  total: z.int(),
  reserved: z.int(),
  requestedAt: z.string(),
  startedAt: z.string().optional(),
  endedAt: z.string().optional(),
});
export type CampaignSummary = z.infer<typeof CampaignSummary>;

export const ListCampaignsQuery = z.strictObject({
  templateId: z.string().max(64).optional(),
  status: z.enum(CAMPAIGN_STATUSES).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(25),
  cursor: z.string().max(2_000).optional(),
});

/** GET /v1/admin/campaigns: newest first, optionally of one template and in one status. */
export async function listCampaigns(deps: Pick<CampaignDeps, 'campaigns'>, query: z.infer<typeof ListCampaignsQuery>): Promise<Page<CampaignSummary>> {
  const page = await deps.campaigns.list(query);
  return {
    ...page,
    items: page.items.map((c) => ({
      campaignId: c.campaignId,
      templateId: c.templateId,
      status: c.status,
      ...(c.reason ? { reason: c.reason } : {}),
      total: c.total,
      reserved: c.reserved,
      requestedAt: c.requestedAt,
      ...(c.startedAt ? { startedAt: c.startedAt } : {}),
      ...(c.endedAt ? { endedAt: c.endedAt } : {}),
    })),
  };
}

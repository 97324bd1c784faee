import { allocateFromKnownStock } from '../claims/stock-allocation';
import { ConflictError } from '../errors';
import { countsTowardLimit, issuanceRefusal } from '../issuance/issuance-policy';
import { toIso } from '../time';
import { type Campaign, type CampaignReason, CampaignRequestedData, type CampaignTotals, campaignRequestHash, countsOf, ENDED_STATUSES, lanesFor, laneOf, noSkips } from './campaign';
import type { CampaignDeps } from './campaign-deps';
import { cancelCampaign, completeCampaign, pauseCampaign, publish, requeueParked, requireCampaign } from './campaign-lifecycle';
import { storedAudienceOf } from './audience-repository';
import { chunksOf } from './chunks';
import { type BloomFilter, RepeatFinder } from './repeat-filter';
import { homeShardOf, reservationShardCount } from './reservation-items';

/** The campaign state machine's steps (lib/topology.ts names the states; functions/campaigns/* run them). */

export type PrepareResult = { readonly campaignId: string; readonly status: 'running' | 'failed' | 'duplicate'; readonly reason?: CampaignReason };

/**
 * First state: takes the campaign (recorded by the API, or new for an event from a marketing tool),
 * counts its audience, checks the issuance policy and reserves that much stock from the template's
 * shards in the transaction that starts it; or ends it as failed with a reason.
 */
export async function prepareCampaign(deps: CampaignDeps, detail: unknown): Promise<PrepareResult> {
  const request = CampaignRequestedData.parse(detail);
  const { campaignId } = request;
  const nowMs = deps.clock();
  const nowIso = toIso(nowMs);
  const requestHash = request.audience.type === 'stored' ? request.requestHash : campaignRequestHash({ templateId: request.templateId, audience: request.audience });
  const duplicate: PrepareResult = { campaignId, status: 'duplicate' };

  let campaign = await deps.campaigns.get(campaignId);
  if (!campaign) {
    if (request.audience.type === 'stored') return duplicate; // the API records a campaign before it sends a stored audience
    const created = await deps.campaigns.create({
      campaignId,
      templateId: request.templateId,
      status: 'preparing',
      requestHash: requestHash!,
      audience: request.audience.type === 'inline' ? storedAudienceOf(request.audience.userIds.length) : request.audience,
      rate: request.rate,
      total: 0,
      reserved: 0,
      reservationShards: 0,
      lanes: 0,
      limited: false,
      requestedAt: nowIso,
      history: [{ status: 'preparing', at: nowIso }],
    });
    campaign = created.created ? await requireCampaign(deps, campaignId) : created.existing;
  }
  // Another request under this id, or a campaign already past preparing: this execution has nothing to do.
  if (campaign.requestHash !== requestHash || !(await deps.campaigns.beginPreparing(campaign, nowIso))) return duplicate;
  // An inline list from an event is stored only now that this request owns the id (storing it again is harmless).
  if (request.audience.type === 'inline') await deps.audiences.storeInline(campaignId, request.audience.userIds);

  const fail = async (reason: CampaignReason): Promise<PrepareResult> => {
    if (!(await deps.campaigns.fail(campaign, reason, nowIso))) return duplicate;
    await publish(deps, 'CampaignFailed', `failed:${campaignId}`, { campaignId, templateId: campaign.templateId, reason }, nowIso);
    return { campaignId, status: 'failed', reason };
  };
  const template = await deps.templates.get(campaign.templateId);
  if (!template) return fail('TEMPLATE_NOT_FOUND');
  const refusal = issuanceRefusal(template, 'campaign', { nowMs });
  if (refusal) return fail(refusal.reason === 'VALIDITY_ENDED' ? 'VALIDITY_ENDED' : 'TEMPLATE_NOT_ACTIVE');
  const audience = await readAudience(deps, campaign);
  const { total } = audience;
  if (total === 0) return fail('EMPTY_AUDIENCE');
  // Kept before the campaign starts, so that every page sent finds it.
  const repeats = audience.repeats ? await deps.audiences.storeRepeats(campaignId, audience.repeats) : undefined;

  const start = {
    total,
    reserved: total,
    lanes: audience.lanes,
    limited: countsTowardLimit(template, 'campaign'),
    deadline: toIso(nowMs + deps.deadlineHours * 3_600_000),
    reservationPortions: reservationPortions(audience.perLane, reservationShardCount(total, deps.maxReservationShards)),
    ...(repeats ? { repeats } : {}),
  };
  for (let attempt = 0; attempt < deps.reserveAttempts; attempt++) {
    const takes = allocateFromKnownStock(await deps.templates.stockShards(template.id), total, deps.random);
    if (!takes) return fail('INSUFFICIENT_STOCK');
    const outcome = await deps.campaigns.start(campaign, { ...start, takes }, nowIso);
    if (outcome === 'started') {
      await deps.workerConcurrency.set(campaign.rate.maxConcurrency);
      return { campaignId, status: 'running' };
    }
    if (outcome === 'not-preparing') return duplicate;
    if (outcome === 'template-not-active') return fail('TEMPLATE_NOT_ACTIVE');
    // a claim took stock from a shard meanwhile: read the shards again
  }
  return fail('STOCK_CONTENTION');
}

/**
 * Reads the audience once: its entries (duplicates included: what "processed" must reach), its lanes
 * (from the first page's estimate of the whole), how many entries fall in each lane, and, for an audience
 * of several pages, which users may appear more than once (one page settles its duplicates itself).
 */
async function readAudience(deps: CampaignDeps, campaign: Campaign): Promise<{ total: number; lanes: number; perLane: number[]; repeats?: BloomFilter }> {
  let page = await deps.audiences.readPage(campaign.campaignId, campaign.audience, undefined);
  const lanes = lanesFor(page.approximateTotal, campaign.rate);
  const perLane = new Array<number>(lanes).fill(0);
  const repeats = page.nextCursor === undefined ? undefined : new RepeatFinder(page.approximateTotal);
  let total = 0;
  for (;;) {
    for (const userId of page.userIds) {
      perLane[laneOf(userId, lanes)]!++;
      repeats?.add(userId);
    }
    total += page.userIds.length;
    if (page.nextCursor === undefined) return { total, lanes, perLane, ...(repeats ? { repeats: repeats.repeats } : {}) };
    page = await deps.audiences.readPage(campaign.campaignId, campaign.audience, page.nextCursor);
  }
}

/**
 * What each reservation shard holds: the entries of the lanes it is home to, so that the chunks of one
 * lane draw from their own shard and lanes do not contend for the same item; with fewer lanes than
 * shards, only as many shards as lanes.
 */
function reservationPortions(perLane: readonly number[], shardCount: number): number[] {
  const portions = new Array<number>(Math.min(shardCount, perLane.length)).fill(0);
  perLane.forEach((entries, lane) => {
    portions[homeShardOf(lane, portions.length)]! += entries;
  });
  return portions;
}

export interface PageState {
  readonly campaignId: string;
  readonly cursor?: string | null;
}

/**
 * Loop state: reads the next page of the audience and sends it to the queue, in lanes and chunks of the
 * campaign's batch size. Duplicates within a page are settled here and count as processed and skipped,
 * once, like a chunk of their own; the same user on two pages lands in the same lane, whose chunks run
 * one after the other. Stops sending once the campaign has ended.
 */
export async function enqueueAudiencePage(deps: CampaignDeps, state: PageState): Promise<{ campaignId: string; cursor: string | null; done: boolean; sent: number }> {
  const campaign = await requireCampaign(deps, state.campaignId);
  if (ENDED_STATUSES.includes(campaign.status)) return { campaignId: campaign.campaignId, cursor: null, done: true, sent: 0 };
  const page = await deps.audiences.readPage(campaign.campaignId, campaign.audience, state.cursor ?? undefined);
  const position = state.cursor ?? '0';
  const userIds = [...new Set(page.userIds)];
  const duplicates = page.userIds.length - userIds.length;
  if (duplicates > 0) {
    await deps.chunks.record(campaign.campaignId, `dups:${position}`, false, { counts: { processed: duplicates, issued: 0, failed: 0, skipped: { ...noSkips(), DUPLICATE: duplicates } }, resolvedFailures: [] }, toIso(deps.clock()));
  }
  // The chunk ids come from the page's position, so a retried task re-sends the same chunks, which count once.
  // An audience that is one page had all its duplicates settled here: no user is in two chunks. One of
  // several pages: the repeat filter prepare kept names the users that may be in two.
  const wholeAudience = (state.cursor === undefined || state.cursor === null) && page.nextCursor === undefined;
  const repeats = !wholeAudience && campaign.repeats ? await deps.audiences.readRepeats(campaign.campaignId, campaign.repeats) : undefined;
  const mayRepeat = wholeAudience ? () => false : repeats ? (userId: string) => repeats.has(userId) : undefined;
  await deps.queue.send(chunksOf(campaign, userIds, { page: position, ...(mayRepeat ? { mayRepeat } : {}) }));
  return { campaignId: campaign.campaignId, cursor: page.nextCursor ?? null, done: page.nextCursor === undefined, sent: page.userIds.length };
}

export type NextStep = 'wait' | 'complete' | 'end';

/**
 * Wait loop state: what the campaign needs now. Ended (cancelled meanwhile): end. Past its deadline, or
 * its template's validity over: cancel with that reason, end. Its template no longer active: pause it.
 * Running: send again any chunk parked during a pause (a resume that stopped halfway). Every audience
 * entry processed: complete. Otherwise: wait.
 */
export async function checkProgress(deps: CampaignDeps, state: { campaignId: string }): Promise<{ campaignId: string; next: NextStep } & ReturnType<typeof countsOf>> {
  const campaign = await requireCampaign(deps, state.campaignId);
  const totals: CampaignTotals = await deps.chunks.totals(state.campaignId);
  const answer = (next: NextStep) => ({ campaignId: state.campaignId, next, ...countsOf(totals) });
  if (ENDED_STATUSES.includes(campaign.status)) return answer('end');
  const nowMs = deps.clock();
  const template = await deps.templates.get(campaign.templateId);
  const refusal = template ? issuanceRefusal(template, 'campaign', { nowMs }) : { reason: 'NOT_ACTIVE' as const };
  try {
    if (refusal?.reason === 'VALIDITY_ENDED') {
      await cancelCampaign(deps, campaign.campaignId, 'VALIDITY_ENDED');
      return answer('end');
    }
    if (campaign.deadline && nowMs >= Date.parse(campaign.deadline)) {
      await cancelCampaign(deps, campaign.campaignId, 'DEADLINE');
      return answer('end');
    }
    if (refusal && campaign.status === 'running') await pauseCampaign(deps, campaign.campaignId, 'TEMPLATE_NOT_ACTIVE');
  } catch (error) {
    // An operator moved the campaign meanwhile (cancelled it, say): the next check sees where it is.
    if (error instanceof ConflictError) return answer('wait');
    throw error;
  }
  if (!refusal && campaign.status === 'running') await requeueParked(deps, campaign.campaignId);
  return answer(campaign.status === 'running' && totals.processed >= campaign.total ? 'complete' : 'wait');
}

/** Last state: completes the campaign (see completeCampaign). */
export async function completeCampaignStep(deps: CampaignDeps, state: { campaignId: string }) {
  const campaign = await completeCampaign(deps, state.campaignId);
  return { campaignId: campaign.campaignId, status: campaign.status, ...countsOf(await deps.chunks.totals(state.campaignId)) };
}

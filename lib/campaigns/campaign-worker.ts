import { allocateFromKnownStock, type ShardTake } from '../claims/stock-allocation';
import type { TemplateCache } from '../claims/template-cache';
import { issueCoupon } from '../coupons/coupon';
import { claimCounterRetainUntil, validityEnded } from '../issuance/issuance-policy';
import { waitBeforeAttempt } from '../retry';
import { type Clock, toIso } from '../time';
import { type Campaign, type ChunkMessage, type CounterDeltas, campaignCouponId, noSkips } from './campaign';
import { type CampaignCouponStore, holderIn, type IssueResult } from './campaign-coupons';
import type { CampaignRepository } from './campaign-repository';
import type { ChunkMarker, ChunkRepository } from './chunk-repository';
import { homeShardOf } from './reservation-items';

export interface WorkerDeps {
  readonly campaigns: Pick<CampaignRepository, 'get' | 'reservationShards'>;
  /** What does not change once a campaign started (its shape: reservation shards, counted or not), cached per environment; its status is always read fresh. */
  readonly startedCampaign: (campaignId: string) => Promise<Campaign | undefined>;
  readonly chunks: Pick<ChunkRepository, 'marker' | 'draw' | 'record' | 'recordFailedUsers' | 'stillFailed' | 'park'>;
  readonly coupons: CampaignCouponStore;
  readonly templates: Pick<TemplateCache, 'get'>;
  readonly clock: Clock;
  readonly random: () => number;
  /** From this delivery on, users that still cannot be written are recorded as failed instead of redelivered. */
  readonly giveUpAtReceiveCount: number;
}

/**
 * - `done`: the chunk is finished (`counted`: by this delivery), or dropped because its campaign ended.
 * - `parked`: its campaign is paused; the chunk waits in the table and is sent again on resume.
 * - `retry-later`: leave the message to come back after the visibility timeout.
 */
/** `issued`: coupons this delivery counted (0 when an earlier delivery had counted the chunk). */
export type ChunkOutcome = { readonly kind: 'done'; readonly counted: boolean; readonly issued?: number } | { readonly kind: 'parked' } | { readonly kind: 'retry-later'; readonly reason: string };

const done = (counted: boolean, issued = 0): ChunkOutcome => ({ kind: 'done', counted, ...(counted && issued > 0 ? { issued } : {}) });
const DRAW_ATTEMPTS = 16;

/**
 * Issues one chunk of a campaign. A chunk first draws its users' units from the campaign's reservation
 * (only while the campaign may issue: the fence that keeps a paused or cancelled campaign from writing),
 * then writes one coupon per user as the issuance policy says, then counts itself exactly once and gives
 * back what it did not issue. The users of one lane reach the worker one chunk at a time (SQS FIFO message
 * groups), so two chunks never race for one user; a redelivery finds its own writes and never resets a
 * coupon that was locked or used meanwhile.
 *
 * Counting, per audience entry: `issued` (holds the coupon from this chunk), skipped `DUPLICATE` (holds it
 * from another entry), `LIMIT_REACHED`, `VALIDITY_ENDED`, or `failed` (could not be written after
 * `giveUpAtReceiveCount` deliveries; recorded, retryable). A retry chunk counts only the users still
 * failed, moving each from `failed` to what became of them: retrying twice equals retrying once.
 */
export async function issueCampaignChunk(deps: WorkerDeps, message: ChunkMessage, receiveCount: number): Promise<ChunkOutcome> {
  let marker: ChunkMarker | undefined = receiveCount > 1 ? await deps.chunks.marker(message.campaignId, message.chunkId) : undefined;
  if (marker?.state === 'recorded') return done(false);
  const campaign = await deps.startedCampaign(message.campaignId);
  if (!campaign) throw new Error(`campaign ${message.campaignId} of chunk ${message.chunkId} not found`);
  const template = await deps.templates.get(message.templateId);
  if (!template) throw new Error(`template ${message.templateId} of campaign ${message.campaignId} not found`);
  const nowMs = deps.clock();
  const nowIso = toIso(nowMs);

  // The template's status reaches chunks through the reservation: pausing or ending a template pauses its
  // campaigns, whose chunks then cannot draw. What changes with time alone is checked here: the validity.
  const expired = validityEnded(template, nowMs);

  const unique = [...new Set(message.userIds)];
  const failedBefore = message.retry ? await deps.chunks.stillFailed(message.campaignId, unique) : undefined;
  const users = failedBefore ? unique.filter((userId) => failedBefore.has(userId)) : unique;
  const base = { processed: message.retry ? 0 : message.userIds.length, duplicatesInChunk: message.userIds.length - unique.length };

  // Nothing to issue: count the entries without drawing (idempotent through the marker) — unless an
  // earlier delivery drew already (a redriven message starts its receive count afresh): then finish that.
  if (!marker && (users.length === 0 || expired)) {
    marker = await deps.chunks.marker(message.campaignId, message.chunkId);
    if (marker?.state === 'recorded') return done(false);
    if (!marker) {
      const none: IssueResult = { issued: [], heldElsewhere: [], limitReached: [], unwritten: [] };
      return done(await deps.chunks.record(message.campaignId, message.chunkId, false, recordOf(message, base, users, none, expired ? users : []), nowIso));
    }
  }

  let takes: readonly ShardTake[] | undefined = marker?.takes;
  // Drawn by this very delivery: nothing of this chunk was written before.
  let firstDraw = false;
  if (!marker) {
    const drawn = await drawUnits(deps, campaign, message, users.length, nowIso);
    if (drawn.kind === 'parked') return { kind: 'parked' };
    if (drawn.kind === 'dropped') return done(false);
    if (drawn.kind === 'marker-exists') {
      marker = await deps.chunks.marker(message.campaignId, message.chunkId);
      if (!marker || marker.state === 'recorded') return done(false);
      takes = marker.takes;
    } else {
      takes = drawn.takes;
      firstDraw = true;
    }
  }
  const drawnUnits = (takes ?? []).reduce((sum, take) => sum + take.quantity, 0);

  // The validity may have ended after the units were drawn: then nobody more gets a coupon, and what was not issued goes back.
  const coupons = users.map((userId) => ({
    ...issueCoupon(template, { id: campaignCouponId(message.campaignId, userId), userId, nowMs, source: 'campaign', campaignId: message.campaignId }),
    campaignChunk: message.chunkId,
  }));
  // Expired since this chunk drew: an earlier delivery may have written some coupons already; they count.
  const written = expired ? { issued: [], heldElsewhere: [], limitReached: [], unwritten: users } : await deps.coupons.issue(coupons, { counted: campaign.limited, perUserLimit: template.perUserLimit, counterRetainUntil: claimCounterRetainUntil(template), ...(firstDraw && message.mayRepeat ? { onlyHere: onlyHere(users, message.mayRepeat) } : {}) });
  if (!expired && written.unwritten.length > 0 && receiveCount < deps.giveUpAtReceiveCount) return { kind: 'retry-later', reason: 'WRITE_THROTTLED' };
  const confirmed = written.unwritten.length > 0 ? await confirmUnwritten(deps, coupons, written) : written;
  const result = expired ? { ...confirmed, unwritten: [] } : confirmed;
  if (result.unwritten.length > 0 && !message.retry) await deps.chunks.recordFailedUsers(message.campaignId, result.unwritten, 'WRITE_THROTTLED', nowIso);

  const record = recordOf(message, base, users, result, expired ? confirmed.unwritten : []);
  const giveBack = drawnUnits - result.issued.length;
  const counted = await deps.chunks.record(
    message.campaignId,
    message.chunkId,
    true,
    {
      ...record,
      ...(giveBack > 0 ? { giveBack: { shard: takes![0]!.shard, quantity: giveBack, templateId: template.id, stockShard: Math.floor(deps.random() * template.stock.shards) } } : {}),
    },
    nowIso,
  );
  return done(counted, result.issued.length);
}

/** The users of a chunk that appear in no other chunk: nobody but this chunk can have written their coupons. */
const onlyHere = (users: readonly string[], mayRepeat: readonly string[]): Set<string> => {
  const repeating = new Set(mayRepeat);
  return new Set(users.filter((userId) => !repeating.has(userId)));
};

/**
 * Before users are given up on, a read tells which of them an earlier delivery of this chunk did write
 * (a write can fail now for a user whose coupon is already there): those count as issued, not failed.
 */
async function confirmUnwritten(deps: WorkerDeps, coupons: ReadonlyArray<{ id: string; userId: string; campaignChunk: string }>, result: IssueResult): Promise<IssueResult> {
  const unwritten = new Set(result.unwritten);
  const holder = holderIn(await deps.coupons.holders(coupons.filter((coupon) => unwritten.has(coupon.userId))), coupons[0]!.campaignChunk);
  return {
    issued: [...result.issued, ...result.unwritten.filter((userId) => holder(userId) === 'this-chunk')],
    heldElsewhere: [...result.heldElsewhere, ...result.unwritten.filter((userId) => holder(userId) === 'another-chunk')],
    limitReached: result.limitReached,
    unwritten: result.unwritten.filter((userId) => holder(userId) === 'nobody'),
  };
}

/** What a chunk's users came to, as counter changes and resolved failures. */
function recordOf(message: ChunkMessage, base: { processed: number; duplicatesInChunk: number }, users: readonly string[], result: IssueResult, validityEnded: readonly string[]) {
  const skipped = noSkips();
  skipped.DUPLICATE = (message.retry ? 0 : base.duplicatesInChunk) + result.heldElsewhere.length;
  skipped.LIMIT_REACHED = result.limitReached.length;
  skipped.VALIDITY_ENDED = validityEnded.length;
  const unwritten = new Set(result.unwritten);
  const resolved = message.retry ? users.filter((userId) => !unwritten.has(userId)) : [];
  const counts: CounterDeltas = {
    processed: base.processed,
    issued: result.issued.length,
    // A first try counts who could not be written; a retry takes off who it resolved.
    failed: message.retry ? -resolved.length : result.unwritten.length,
    skipped,
  };
  return { counts, resolvedFailures: resolved };
}

type DrawResult = { readonly kind: 'drawn'; readonly takes: readonly ShardTake[] } | { readonly kind: 'marker-exists' } | { readonly kind: 'parked' } | { readonly kind: 'dropped' };

/**
 * Draws `quantity` units for the chunk: first from its lane's home shard; when that is short or not
 * open, from what the shards actually hold. When the campaign is not drawable, its status says what
 * to do: a paused campaign parks the chunk, an ended one drops it (its users are not processed).
 */
async function drawUnits(deps: WorkerDeps, campaign: Campaign, message: ChunkMessage, quantity: number, nowIso: string): Promise<DrawResult> {
  let takes: readonly ShardTake[] | undefined = [{ shard: homeShardOf(message.lane, campaign.reservationShards), quantity }];
  for (let attempt = 0; attempt < DRAW_ATTEMPTS; attempt++) {
    // Many chunks draw at once near the end of a reservation: spread the retries out.
    await waitBeforeAttempt(attempt, { baseDelayMs: 10, maxDelayMs: 500, random: deps.random });
    if (takes) {
      const outcome = await deps.chunks.draw(message.campaignId, message.chunkId, takes, nowIso);
      if (outcome.kind === 'drawn') return { kind: 'drawn', takes };
      if (outcome.kind === 'marker-exists') return { kind: 'marker-exists' };
    }
    const shards = await deps.campaigns.reservationShards(message.campaignId);
    takes = allocateFromKnownStock(
      shards.filter((shard) => shard.state === 'open').map((shard) => ({ shard: shard.shard, available: shard.available })),
      quantity,
      deps.random,
    );
    if (takes) continue;
    const current = await deps.campaigns.get(message.campaignId);
    if (current?.status === 'paused') {
      if (await deps.chunks.park(message, nowIso)) return { kind: 'parked' };
      continue; // resumed meanwhile: draw again
    }
    // Running: the shards were read just before a resume opened them; read again. Ended: nothing to draw.
    if (current?.status !== 'running') return { kind: 'dropped' };
  }
  // A running campaign always holds enough for the entries it has not processed: anything else is a fault to look at.
  throw new Error(`the reservation of campaign ${message.campaignId} stayed short for chunk ${message.chunkId}`);
}

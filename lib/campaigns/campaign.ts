import { requestFingerprint } from '../fingerprint';
import { createHash } from 'node:crypto';
import * as z from 'zod';
import { CampaignCounts } from '../events/event-catalog';
import { ulidString, userIdString } from '../ids';
import { parseQueueMessage } from '../queues/queue-message';

export const MAX_INLINE_AUDIENCE = 10_000;

export const CampaignId = z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'expected a campaign id of 1 to 64 letters, digits or _.:-');
export const CampaignIdPath = z.strictObject({ campaignId: CampaignId });

export const Audience = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('inline'), userIds: z.array(userIdString()).min(1).max(MAX_INLINE_AUDIENCE) }),
  /** One user id per line; blank lines are ignored. Up to 100 million lines. */
  z.strictObject({ type: z.literal('s3'), bucket: z.string().min(3).max(63), key: z.string().min(1).max(1024) }),
]);
export type Audience = z.infer<typeof Audience>;

export const RateControls = z.strictObject({
  /**
   * Users per queue message (each message is one worker unit). 500 by default: a chunk's fixed cost (two
   * transactions of 2 items, one message) spread over 500 coupons is 0.016 WCU each, over 100 it is 0.08.
   */
  batchSize: z.int().min(1).max(500).default(500),
  /** Worker batches in flight at once (SQS event source MaximumConcurrency). */
  maxConcurrency: z.int().min(2).max(1000).default(10),
});

/** The body of POST /v1/admin/campaigns. */
export const CampaignRequest = z.strictObject({
  campaignId: CampaignId,
  templateId: ulidString('a template id'),
  audience: Audience,
  rate: RateControls.default({ batchSize: 500, maxConcurrency: 10 }),
});
export type CampaignRequest = z.infer<typeof CampaignRequest>;

/** How the state machine finds the audience once the request is accepted (inline lists are stored in the table). */
export type AudienceLocation = { readonly type: 'stored'; readonly chunks: number; readonly count: number } | { readonly type: 's3'; readonly bucket: string; readonly key: string };

/**
 * The CampaignRequested event's data (source `coupon-platform.campaigns`, version 1). Marketing tools may
 * send `inline` (as large as an event allows) or `s3` audiences; the API records the campaign, stores
 * inline lists in the table first and sends `stored` with the request's hash.
 */
export const CampaignRequestedData = CampaignRequest.extend({
  audience: z.discriminatedUnion('type', [...Audience.options, z.strictObject({ type: z.literal('stored'), chunks: z.int().min(1), count: z.int().min(1) })]),
  requestHash: z.string().optional(),
});
export type CampaignRequestedData = z.infer<typeof CampaignRequestedData>;

/**
 * A campaign's identity for idempotency: its template and its audience (an inline list in its order, or
 * the S3 object). The same id with the same template and audience is the same campaign; anything else
 * under that id is refused.
 */
export function campaignRequestHash(request: { templateId: string; audience: Audience }): string {
  const audience = request.audience.type === 'inline' ? { type: 'inline', userIds: request.audience.userIds } : { type: 's3', bucket: request.audience.bucket, key: request.audience.key };
  return requestFingerprint({ templateId: request.templateId, audience });
}

/**
 * requested -> preparing -> running <-> paused -> completed | cancelled; preparing -> failed.
 * `requested`: recorded by the API, waiting for the state machine. `preparing`: counting the audience
 * and reserving stock. `failed`: it could not start (the reason says why). A deadline, the template's
 * validity ending or an operator ends a running or paused campaign as `cancelled`.
 */
export const CAMPAIGN_STATUSES = ['requested', 'preparing', 'running', 'paused', 'completed', 'cancelled', 'failed'] as const;
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];
export const ENDED_STATUSES: readonly CampaignStatus[] = ['completed', 'cancelled', 'failed'];

/** Why a campaign is in its status (set with the status, kept in its history). */
export const CAMPAIGN_REASONS = [
  'OPERATOR',
  'TEMPLATE_NOT_ACTIVE',
  'TEMPLATE_NOT_FOUND',
  'VALIDITY_ENDED',
  'EMPTY_AUDIENCE',
  'INSUFFICIENT_STOCK',
  'STOCK_CONTENTION',
  'DEADLINE',
  'HELD_STOCK_RELEASED',
] as const;
export type CampaignReason = (typeof CAMPAIGN_REASONS)[number];

export interface StatusChange {
  readonly status: CampaignStatus;
  readonly reason?: CampaignReason;
  readonly at: string;
}

/** Where a campaign's repeat filter is and its shape. */
export interface RepeatFilterRef {
  readonly parts: number;
  readonly size: number;
  readonly probes: number;
}

export interface Campaign {
  readonly campaignId: string;
  readonly templateId: string;
  readonly status: CampaignStatus;
  readonly reason?: CampaignReason;
  readonly requestHash: string;
  readonly audience: AudienceLocation;
  readonly rate: { readonly batchSize: number; readonly maxConcurrency: number };
  /** Audience entries (lines), duplicates included: what "processed" must reach. Known once prepared. */
  readonly total: number;
  /** Stock taken from the template for this campaign when it started, and over how many reservation shards it lies. */
  readonly reserved: number;
  readonly reservationShards: number;
  /** Users are spread over this many lanes (SQS FIFO message groups): one user's chunks never run at the same time. */
  readonly lanes: number;
  /** Its coupons go through users' per-template claim counters (the template is claimable). */
  readonly limited: boolean;
  /** Users that may appear more than once in an audience of several pages (lib/campaigns/repeat-filter.ts); absent for one page. */
  readonly repeats?: RepeatFilterRef;
  readonly requestedAt: string;
  readonly startedAt?: string;
  readonly deadline?: string;
  readonly endedAt?: string;
  readonly history: readonly StatusChange[];
}

/** Why an audience entry was processed without a coupon being issued to it. */
export const SKIP_REASONS = ['DUPLICATE', 'LIMIT_REACHED', 'VALIDITY_ENDED'] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];

/** What one chunk adds to a campaign's counters (every field may be negative only for `failed`, when a retry resolves users). */
export interface CounterDeltas {
  readonly processed: number;
  readonly issued: number;
  readonly failed: number;
  readonly skipped: Readonly<Record<SkipReason, number>>;
}

export const noSkips = (): Record<SkipReason, number> => ({ DUPLICATE: 0, LIMIT_REACHED: 0, VALIDITY_ENDED: 0 });

/** A campaign's stock: what it reserved, what it gave back, what it still holds (pool and chunks in flight). */
export const CampaignStock = z.object({ reserved: z.int(), givenBack: z.int(), outstanding: z.int() });

/** A campaign's status and progress: what GET /v1/admin/campaigns/{id} answers and the CLI draws. */
export const CampaignProgress = CampaignCounts.extend({
  campaignId: z.string(),
  templateId: z.string(),
  status: z.enum(CAMPAIGN_STATUSES),
  reason: z.enum(CAMPAIGN_REASONS).optional(),
  total: z.int(),
  skippedByReason: z.object({ DUPLICATE: z.int(), LIMIT_REACHED: z.int(), VALIDITY_ENDED: z.int() }),
  stock: CampaignStock,
  requestedAt: z.string(),
  startedAt: z.string(),
  completedAt: z.string().optional(),
  endedAt: z.string().optional(),
  history: z.array(z.object({ status: z.enum(CAMPAIGN_STATUSES), reason: z.enum(CAMPAIGN_REASONS).optional(), at: z.string() })),
});
export type CampaignProgress = z.infer<typeof CampaignProgress>;

export interface CampaignTotals {
  readonly processed: number;
  readonly issued: number;
  readonly failed: number;
  readonly skipped: Readonly<Record<SkipReason, number>>;
}

export const skippedTotal = (totals: Pick<CampaignTotals, 'skipped'>): number => SKIP_REASONS.reduce((sum, reason) => sum + totals.skipped[reason], 0);
export const countsOf = (totals: CampaignTotals): z.infer<typeof CampaignCounts> => ({ processed: totals.processed, issued: totals.issued, skipped: skippedTotal(totals), failed: totals.failed });

export function campaignProgressOf(campaign: Campaign, totals: CampaignTotals, stock: z.infer<typeof CampaignStock>): CampaignProgress {
  return {
    campaignId: campaign.campaignId,
    templateId: campaign.templateId,
    status: campaign.status,
    ...(campaign.reason ? { reason: campaign.reason } : {}),
    total: campaign.total,
    ...countsOf(totals),
    skippedByReason: { ...totals.skipped },
    stock,
    requestedAt: campaign.requestedAt,
    startedAt: campaign.startedAt ?? campaign.requestedAt,
    ...(campaign.status === 'completed' && campaign.endedAt ? { completedAt: campaign.endedAt } : {}),
    ...(campaign.endedAt ? { endedAt: campaign.endedAt } : {}),
    history: [...campaign.history],
  };
}

/** One queue message: a chunk of one lane of the audience, with an id that stays the same however often it is sent. */
export const ChunkMessage = z.strictObject({
  campaignId: CampaignId,
  templateId: z.string(),
  chunkId: z.string().min(1).max(100),
  lane: z.int().min(0),
  userIds: z.array(userIdString()).min(1).max(500),
  /** A chunk of users the campaign gave up on before, sent again: they were counted as processed then. */
  retry: z.boolean().optional(),
  /**
   * When present: the users of this chunk that may appear in another chunk of the campaign too; every
   * other user of it appears in no other chunk (the audience's repeat filter ruled them out, or it was one
   * page whose duplicates were settled before chunking), so a first delivery need not look for their coupons.
   */
  mayRepeat: z.array(userIdString()).max(500).optional(),
});
export type ChunkMessage = z.infer<typeof ChunkMessage>;

/** A queue message's chunk, or undefined for a body that is not one (a poison message: it goes to the dead-letter queue). */
export const parseChunkMessage = (body: string): ChunkMessage | undefined => parseQueueMessage(ChunkMessage, body);

/** One coupon per user per campaign: the id is a hash of the two, so every redelivery writes the same item. */
export const campaignCouponId = (campaignId: string, userId: string): string =>
  `cmp_${createHash('sha256').update(`${campaignId}\n${userId}`).digest('base64url').slice(0, 26)}`;

/** The lane of a user (FNV-1a): the same user is always in the same lane of a campaign. */
export function laneOf(userId: string, lanes: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < userId.length; i++) hash = Math.imul(hash ^ userId.charCodeAt(i), 0x01000193) >>> 0;
  return hash % lanes;
}

/** Enough lanes to keep every worker batch in flight busy (a batch takes one message from each of up to 10 lanes), no more than needed. */
export const lanesFor = (total: number, rate: { batchSize: number; maxConcurrency: number }): number =>
  Math.max(1, Math.min(Math.ceil(total / rate.batchSize), rate.maxConcurrency * 10, 1000));

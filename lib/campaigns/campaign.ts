import { createHash } from 'node:crypto';
import { z } from 'zod';
import { CampaignCounts } from '../events/event-catalog';
import { ulidString, userIdString } from '../ids';

export const MAX_INLINE_AUDIENCE = 10_000;

export const CampaignId = z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'expected a campaign id of 1 to 64 letters, digits or _.:-');

export const Audience = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('inline'), userIds: z.array(userIdString()).min(1).max(MAX_INLINE_AUDIENCE) }),
  /** One user id per line; blank lines are ignored. Up to 100 million lines. */
  z.strictObject({ type: z.literal('s3'), bucket: z.string().min(3).max(63), key: z.string().min(1).max(1024) }),
]);
export type Audience = z.infer<typeof Audience>;

export const RateControls = z.strictObject({
  /** Users per queue message (each message is one worker unit: 1 BatchGetItem + BatchWriteItems of 25). */
  batchSize: z.int().min(1).max(500).default(100),
  /** Worker batches in flight at once (SQS event source MaximumConcurrency). */
  maxConcurrency: z.int().min(2).max(1000).default(10),
});

/** The body of POST /v1/admin/campaigns. */
export const CampaignRequest = z.strictObject({
  campaignId: CampaignId,
  templateId: ulidString('a template id'),
  audience: Audience,
  rate: RateControls.default({ batchSize: 100, maxConcurrency: 10 }),
});
export type CampaignRequest = z.infer<typeof CampaignRequest>;

/**
 * The CampaignRequested event's data (source `coupon-platform.campaigns`, version 1). Marketing tools may
 * send `inline` (as large as an event allows) or `s3` audiences; the API stores inline lists in the
 * table first and sends `stored`.
 */
export const CampaignRequestedData = CampaignRequest.extend({
  audience: z.discriminatedUnion('type', [...Audience.options, z.strictObject({ type: z.literal('stored'), chunks: z.int().min(1), count: z.int().min(1) })]),
});
export type CampaignRequestedData = z.infer<typeof CampaignRequestedData>;

/** How the state machine finds the audience once the request is accepted (inline lists are stored in the table). */
export type AudienceLocation = { readonly type: 'stored'; readonly chunks: number; readonly count: number } | { readonly type: 's3'; readonly bucket: string; readonly key: string };

export const CAMPAIGN_STATUSES = ['running', 'completed', 'refused', 'timed_out'] as const;
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];
export const CampaignIdPath = z.strictObject({ campaignId: CampaignId });

export interface Campaign {
  readonly campaignId: string;
  readonly templateId: string;
  readonly status: CampaignStatus;
  readonly reason?: string;
  readonly audience: AudienceLocation;
  readonly rate: { readonly batchSize: number; readonly maxConcurrency: number };
  /** Audience entries (lines), duplicates included: what "processed" must reach. */
  readonly total: number;
  /** Stock taken from the template for this campaign; what was not issued is given back at completion. */
  readonly reserved: number;
  readonly startedAt: string;
  readonly deadline: string;
  readonly completedAt?: string;
}

export { CampaignCounts };
export type CampaignCounts = z.infer<typeof CampaignCounts>;

/** A campaign's status and progress: what GET /v1/admin/campaigns/{id} answers and the CLI draws. */
export const CampaignProgress = CampaignCounts.extend({
  campaignId: z.string(),
  templateId: z.string(),
  status: z.enum(CAMPAIGN_STATUSES),
  reason: z.string().optional(),
  total: z.int(),
  startedAt: z.string(),
  completedAt: z.string().optional(),
});
export type CampaignProgress = z.infer<typeof CampaignProgress>;

export function campaignProgressOf(campaign: Campaign, counts: CampaignCounts): CampaignProgress {
  return {
    campaignId: campaign.campaignId,
    templateId: campaign.templateId,
    status: campaign.status,
    ...(campaign.reason ? { reason: campaign.reason } : {}),
    total: campaign.total,
    ...counts,
    startedAt: campaign.startedAt,
    ...(campaign.completedAt ? { completedAt: campaign.completedAt } : {}),
  };
}

/** One queue message: a chunk of the audience, with an id that stays the same however often it is sent. */
export const ChunkMessage = z.strictObject({
  campaignId: CampaignId,
  templateId: z.string(),
  chunkId: z.string().min(1).max(100),
  userIds: z.array(userIdString()).min(1).max(500),
  /** A chunk of users who failed before and are being retried: their success also lowers `failed`. */
  retry: z.boolean().optional(),
});
export type ChunkMessage = z.infer<typeof ChunkMessage>;

/** One coupon per user per campaign: the id is a hash of the two, so every redelivery writes the same item. */
export const campaignCouponId = (campaignId: string, userId: string): string =>
  `cmp_${createHash('sha256').update(`${campaignId}\n${userId}`).digest('base64url').slice(0, 26)}`;

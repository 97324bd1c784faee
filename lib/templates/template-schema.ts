import * as z from 'zod';
import { basisPoints, currencyCode, minorUnits, positiveMinorUnits } from '../money';
import { DAY_MS, durationMs, isoTimestamp } from '../time';
import { ulidString } from '../ids';

/**
 * What the back office sends to define a coupon template. Every object is strict (unknown fields are
 * refused) so that a typo such as `minSpnd` is a 400, not a silently ignored rule.
 */

export const MAX_STOCK_SHARDS = 64;
export const MAX_STOCK = 1_000_000_000;
// Scope lists are copied into every issued coupon (so pricing never reads templates); keeping them short keeps a coupon item near 1 KB.
export const MAX_IDS_PER_LIST = 200;

const id = () => z.string().min(1).max(64);
const idList = () => z.array(id()).max(MAX_IDS_PER_LIST);

export const Effect = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('amount_off'),
    /** Threshold ("100 off 20") when minSpend is set, direct reduction when it is not. */
    amountOff: positiveMinorUnits(),
    minSpend: minorUnits().optional(),
  }),
  z.strictObject({
    type: z.literal('percent_off'),
    percentOffBps: basisPoints(),
    maxDiscount: positiveMinorUnits().optional(),
    minSpend: minorUnits().optional(),
  }),
  z.strictObject({
    type: z.literal('payout_amount'),
    /** C2B price-increase coupon: added to what the seller is paid. */
    bonus: positiveMinorUnits(),
    minPayout: minorUnits().optional(),
  }),
  z.strictObject({
    type: z.literal('payout_percent'),
    bonusBps: basisPoints(),
    maxBonus: positiveMinorUnits().optional(),
    minPayout: minorUnits().optional(),
  }),
]);
export type Effect = z.infer<typeof Effect>;

export const Validity = z.discriminatedUnion('type', [
  z
    .strictObject({ type: z.literal('fixed'), from: isoTimestamp(), until: isoTimestamp() })
    .refine((v) => v.from < v.until, { message: 'from must be before until', path: ['until'] }),
  z.strictObject({ type: z.literal('relative'), days: z.int().min(1).max(3_650) }),
]);
export type Validity = z.infer<typeof Validity>;

export const ClaimWindow = z
  .strictObject({ from: isoTimestamp().optional(), until: isoTimestamp().optional() })
  .refine((w) => !w.from || !w.until || w.from < w.until, { message: 'from must be before until', path: ['until'] });
export type ClaimWindow = z.infer<typeof ClaimWindow>;

export const IdLists = z.strictObject({
  productIds: idList().optional(),
  categoryIds: idList().optional(),
  merchantIds: idList().optional(),
});
export type IdLists = z.infer<typeof IdLists>;

/**
 * Which cart lines a coupon applies to. No `include` means every product; a line must match one of
 * the include lists (product, category or merchant) and none of the exclude lists. So "all",
 * "allow list" and "block list" are the three common shapes, and "this category but not that product"
 * is expressible too.
 */
export const Scope = z.strictObject({ include: IdLists.optional(), exclude: IdLists.optional() });
export type Scope = z.infer<typeof Scope>;

export const Stacking = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('exclusive') }),
  z.strictObject({ type: z.literal('group'), group: z.string().min(1).max(40) }),
]);
export type Stacking = z.infer<typeof Stacking>;

const tag = () => z.string().min(1).max(64);
export const Audience = z.strictObject({
  allOfTags: z.array(tag()).max(20).optional(),
  anyOfTags: z.array(tag()).max(20).optional(),
});
export type Audience = z.infer<typeof Audience>;

const name = () => z.string().trim().min(1).max(120);
const description = () => z.string().max(2_000);
const perUserLimit = () => z.int().min(1).max(100);

/** The longest reminder offset: a coupon is reminded of at most this long before it expires. */
export const MAX_REMINDER_OFFSET_DAYS = 90;
/**
 * When to remind holders before their coupons expire: ISO 8601 durations of fixed length (P3D, P1D,
 * PT12H). Unset: the platform's default (REMINDER_OFFSETS, docs/lifecycle.md); empty: no reminders.
 */
export const ReminderOffsets = z
  .array(
    z.string().refine((value) => {
      const ms = durationMs(value);
      return ms !== undefined && ms > 0 && ms <= MAX_REMINDER_OFFSET_DAYS * DAY_MS;
    }, `an ISO 8601 duration of weeks, days, hours or minutes, e.g. P3D or PT12H, above zero and at most P${MAX_REMINDER_OFFSET_DAYS}D`),
  )
  .max(5)
  .refine((offsets) => new Set(offsets.map(durationMs)).size === offsets.length, 'each offset at most once');

export const CreateTemplateInput = z.strictObject({
  name: name(),
  description: description().optional(),
  currency: currencyCode(),
  effect: Effect,
  validity: Validity,
  claimWindow: ClaimWindow.optional(),
  stock: z.strictObject({
    total: z.int().min(0).max(MAX_STOCK),
    shards: z.int().min(1).max(MAX_STOCK_SHARDS).optional(),
  }),
  perUserLimit: perUserLimit().default(1),
  scope: Scope.default({}),
  stacking: Stacking.default({ type: 'group', group: 'default' }),
  audience: Audience.optional(),
  returnOnRefund: z.boolean().default(true),
  /** False: users cannot claim it; campaigns issue it (one coupon per user per campaign, no counter: 1 write unit a coupon). */
  claimable: z.boolean().default(true),
  reminders: ReminderOffsets.optional(),
});
export type CreateTemplateInput = z.infer<typeof CreateTemplateInput>;

/** Fields that shape issued coupons can change only while the template is a draft. */
export const DRAFT_ONLY_FIELDS = ['currency', 'effect', 'validity', 'scope', 'stacking', 'returnOnRefund', 'claimable'] as const;

export const UpdateTemplateInput = z
  .strictObject({
    name: name().optional(),
    description: description().optional(),
    claimWindow: ClaimWindow.optional(),
    perUserLimit: perUserLimit().optional(),
    audience: Audience.nullable().optional(),
    currency: currencyCode().optional(),
    effect: Effect.optional(),
    validity: Validity.optional(),
    scope: Scope.optional(),
    stacking: Stacking.optional(),
    returnOnRefund: z.boolean().optional(),
    claimable: z.boolean().optional(),
    /** null: back to the platform's default offsets. */
    reminders: ReminderOffsets.nullable().optional(),
  })
  .refine((input) => Object.keys(input).length > 0, { message: 'at least one field is required' });
export type UpdateTemplateInput = z.infer<typeof UpdateTemplateInput>;

export const TEMPLATE_STATUSES = ['draft', 'active', 'paused', 'ended'] as const;
export const TemplateStatus = z.enum(TEMPLATE_STATUSES);
export type TemplateStatus = z.infer<typeof TemplateStatus>;

export const ChangeStatusInput = z.strictObject({ status: TemplateStatus });
export const AddStockInput = z.strictObject({ quantity: z.int().min(1).max(MAX_STOCK) });

export const ListTemplatesQuery = z.strictObject({
  status: TemplateStatus.optional(),
  limit: z.coerce.number().int().min(1).max(100).default(25),
  cursor: z.string().max(2_000).optional(),
});

export const TemplateIdPath = z.strictObject({ templateId: ulidString('a template id') });

/** What the API answers for a template (also documents it in the OpenAPI file). */
export const TemplateView = z.object({
  id: z.string(),
  status: TemplateStatus,
  name: z.string(),
  description: z.string().optional(),
  currency: z.string(),
  effect: Effect,
  validity: Validity,
  claimWindow: ClaimWindow.optional(),
  stock: z.object({ total: z.int(), shards: z.int(), carriedOver: z.int().optional(), remaining: z.int().optional() }),
  perUserLimit: z.int(),
  scope: Scope,
  stacking: Stacking,
  audience: Audience.optional(),
  returnOnRefund: z.boolean(),
  claimable: z.boolean(),
  reminders: z.array(z.string()).optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

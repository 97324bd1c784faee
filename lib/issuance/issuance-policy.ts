import type { Template } from '../templates/template';
import { DAY_MS, toEpochMs } from '../time';

/**
 * The one issuance policy: the rules every path that creates coupons goes through, and, in one table,
 * which rules a path relaxes and why. Claims (lib/claims), campaigns (lib/campaigns), codes (lib/codes) and
 * imports (lib/imports) ask `issuanceRefusal` before they take stock or write a coupon, and
 * `countsTowardLimit` whether the coupon goes through the user's per-template counter. Stock itself is
 * taken by each path's own transaction (shards for claims, the reservation of a campaign or a code batch),
 * and the stock ledger (lib/ledger) accounts for every path.
 */
export const ISSUING_PATHS = ['claim', 'campaign', 'code', 'import'] as const;
export type IssuingPath = (typeof ISSUING_PATHS)[number];

export const ISSUANCE_REFUSALS = ['NOT_ACTIVE', 'VALIDITY_ENDED', 'NOT_CLAIMABLE', 'CLAIM_NOT_STARTED', 'CLAIM_ENDED', 'LIMIT_REACHED', 'NOT_ELIGIBLE'] as const;
export type IssuanceRefusalReason = (typeof ISSUANCE_REFUSALS)[number];

export interface IssuanceRefusal {
  readonly reason: IssuanceRefusalReason;
  readonly message: string;
}

/** A user's audience tags, or `unavailable` when the tag source could not answer in time. */
export type UserTags = readonly string[] | 'unavailable';

interface PathRules {
  /** The template must be active, and a fixed validity must not have ended (no coupon is issued already expired). */
  readonly requiresLiveTemplate: boolean;
  /** Users may only claim templates marked claimable; the back office may issue any active template. */
  readonly requiresClaimable: boolean;
  readonly claimWindow: boolean;
  readonly audience: boolean;
  /**
   * How the per-user limit is kept on this path: counted (and refused past the limit) always, or only on
   * claimable templates; `recorded-if-claimable`: counted on claimable templates, never refused.
   */
  readonly perUserLimit: 'counted' | 'counted-if-claimable' | 'recorded-if-claimable';
}

/**
 * Every path that issues now: the template is active, and no coupon is ever issued already expired (a
 * fixed validity must not have ended; a relative one runs from the moment of issue). Beyond that:
 */
export const PATH_RULES: Readonly<Record<IssuingPath, PathRules>> = {
  claim: { requiresLiveTemplate: true, requiresClaimable: true, claimWindow: true, audience: true, perUserLimit: 'counted' },
  // Relaxed for campaigns: the back office chose the users (no audience tags, no claim window) and may
  // send templates users cannot claim. On a campaign-only template each campaign gives a user at most
  // one coupon and no counter is kept (1 write unit a coupon); on a claimable one campaign coupons count
  // toward the per-user limit exactly as claims do, and claims count toward it for campaigns.
  campaign: { requiresLiveTemplate: true, requiresClaimable: false, claimWindow: false, audience: false, perUserLimit: 'counted-if-claimable' },
  // Relaxed for codes: holding the code is the audience and the code batch's own validity is the window;
  // a user may hold several codes of one batch, so every code coupon counts toward the per-user limit.
  code: { requiresLiveTemplate: true, requiresClaimable: false, claimWindow: false, audience: false, perUserLimit: 'counted' },
  // Relaxed for imports: a legacy coupon was issued by the legacy system, perhaps long ago; it is a fact
  // to record (of an ended template, expired, over today's limit), not a request to decide. On a claimable
  // template it still counts toward the user's limit, so nobody claims past it after the cut-over.
  import: { requiresLiveTemplate: false, requiresClaimable: false, claimWindow: false, audience: false, perUserLimit: 'recorded-if-claimable' },
};

export const hasAudience = (template: Template): boolean =>
  (template.audience?.allOfTags?.length ?? 0) > 0 || (template.audience?.anyOfTags?.length ?? 0) > 0;

export function audienceMatches(template: Template, tags: readonly string[]): boolean {
  const held = new Set(tags);
  const allOf = template.audience?.allOfTags ?? [];
  const anyOf = template.audience?.anyOfTags ?? [];
  return allOf.every((tag) => held.has(tag)) && (anyOf.length === 0 || anyOf.some((tag) => held.has(tag)));
}

/** No coupon is ever issued already expired: a fixed validity must not have ended (a relative one runs from the moment of issue). */
export const validityEnded = (template: Pick<Template, 'validity'>, nowMs: number): boolean => template.validity.type === 'fixed' && nowMs >= toEpochMs(template.validity.until);

/** Whether a coupon issued on this path goes through the user's per-template claim counter. */
export const countsTowardLimit = (template: Pick<Template, 'claimable'>, path: IssuingPath): boolean =>
  PATH_RULES[path].perUserLimit === 'counted' || template.claimable;

/** Whether this path refuses a coupon past the per-user limit (every counted path but imports). */
const refusesPastLimit = (template: Pick<Template, 'claimable'>, path: IssuingPath): boolean => PATH_RULES[path].perUserLimit !== 'recorded-if-claimable' && countsTowardLimit(template, path);

/**
 * Why `quantity` coupons of this template may not be issued to a user on this path now, or undefined
 * if the template itself allows it. Stock and the user's earlier coupons are settled by each path's
 * conditional writes, not here.
 */
export function issuanceRefusal(template: Template, path: IssuingPath, request: { nowMs: number; quantity?: number; tags?: UserTags }): IssuanceRefusal | undefined {
  const rules = PATH_RULES[path];
  const refuse = (reason: IssuanceRefusalReason, message: string): IssuanceRefusal => ({ reason, message });
  const { claimWindow, validity } = template;
  if (rules.requiresLiveTemplate && template.status !== 'active') return refuse('NOT_ACTIVE', `The template is ${template.status}`);
  if (rules.requiresLiveTemplate && validity.type === 'fixed' && validityEnded(template, request.nowMs)) return refuse('VALIDITY_ENDED', `The coupon's validity ended at ${validity.until}`);
  if (rules.requiresClaimable && !template.claimable) return refuse('NOT_CLAIMABLE', 'Users cannot claim this template; it is issued by campaigns only');
  if (rules.claimWindow && claimWindow?.from && request.nowMs < toEpochMs(claimWindow.from)) return refuse('CLAIM_NOT_STARTED', `Claiming starts at ${claimWindow.from}`);
  if (rules.claimWindow && claimWindow?.until && request.nowMs >= toEpochMs(claimWindow.until)) return refuse('CLAIM_ENDED', `Claiming ended at ${claimWindow.until}`);
  if ((request.quantity ?? 1) > template.perUserLimit && refusesPastLimit(template, path)) return refuse('LIMIT_REACHED', `At most ${template.perUserLimit} per user`);
  if (rules.audience && hasAudience(template)) {
    if (request.tags === undefined || request.tags === 'unavailable') return refuse('NOT_ELIGIBLE', 'The audience of this coupon cannot be checked right now; try again later');
    if (!audienceMatches(template, request.tags)) return refuse('NOT_ELIGIBLE', 'This coupon is for a different audience');
  }
  return undefined;
}

/** Days a user's claim counter outlives its template's fixed validity (a grace for clocks and late edits). */
export const CLAIM_COUNTER_GRACE_DAYS = 30;

/**
 * Until when a user's per-template counter must be kept (epoch seconds, DynamoDB's TTL), or undefined
 * to keep it for good. Nothing of a fixed-validity template is issued after its end, so its counters
 * can go some time after; a relative validity has no end, and its counters stay.
 */
export const claimCounterRetainUntil = (template: Pick<Template, 'validity'>): number | undefined =>
  template.validity.type === 'fixed' ? Math.floor((toEpochMs(template.validity.until) + CLAIM_COUNTER_GRACE_DAYS * DAY_MS) / 1000) : undefined;

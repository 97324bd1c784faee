import type { Template } from '../templates/template';
import { toEpochMs } from '../time';

export const CLAIM_REFUSAL_REASONS = ['SOLD_OUT', 'LIMIT_REACHED', 'NOT_ELIGIBLE', 'CLAIM_NOT_STARTED', 'CLAIM_ENDED', 'NOT_ACTIVE'] as const;
export type ClaimRefusalReason = (typeof CLAIM_REFUSAL_REASONS)[number];

export interface ClaimRefusal {
  readonly templateId: string;
  readonly reason: ClaimRefusalReason;
  readonly message: string;
}

/** A user's audience tags, or `unavailable` when the tag source could not answer in time. */
export type UserTags = readonly string[] | 'unavailable';

export const hasAudience = (template: Template): boolean =>
  (template.audience?.allOfTags?.length ?? 0) > 0 || (template.audience?.anyOfTags?.length ?? 0) > 0;

export function audienceMatches(template: Template, tags: readonly string[]): boolean {
  const held = new Set(tags);
  const allOf = template.audience?.allOfTags ?? [];
  const anyOf = template.audience?.anyOfTags ?? [];
  return allOf.every((tag) => held.has(tag)) && (anyOf.length === 0 || anyOf.some((tag) => held.has(tag)));
}

/**
 * Why this user may not claim `quantity` coupons of the template now, or undefined if they may as far
 * as the template itself says (stock and the user's earlier claims are settled by the transaction).
 */
export function claimRefusal(template: Template, request: { nowMs: number; quantity: number; tags: UserTags }): ClaimRefusal | undefined {
  const refuse = (reason: ClaimRefusalReason, message: string): ClaimRefusal => ({ templateId: template.id, reason, message });
  if (template.status !== 'active') return refuse('NOT_ACTIVE', `The template is ${template.status}`);
  const { claimWindow, validity } = template;
  if (claimWindow?.from && request.nowMs < toEpochMs(claimWindow.from)) return refuse('CLAIM_NOT_STARTED', `Claiming starts at ${claimWindow.from}`);
  if (claimWindow?.until && request.nowMs >= toEpochMs(claimWindow.until)) return refuse('CLAIM_ENDED', `Claiming ended at ${claimWindow.until}`);
  if (validity.type === 'fixed' && request.nowMs >= toEpochMs(validity.until)) return refuse('CLAIM_ENDED', `The coupon's validity ended at ${validity.until}`);
  if (request.quantity > template.perUserLimit) return refuse('LIMIT_REACHED', `At most ${template.perUserLimit} per user`);
  if (hasAudience(template)) {
    if (request.tags === 'unavailable') return refuse('NOT_ELIGIBLE', 'The audience of this coupon cannot be checked right now; try again later');
    if (!audienceMatches(template, request.tags)) return refuse('NOT_ELIGIBLE', 'This coupon is for a different audience');
  }
  return undefined;
}

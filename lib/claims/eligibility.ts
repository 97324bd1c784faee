import { issuanceRefusal, type UserTags } from '../issuance/issuance-policy';
import type { Template } from '../templates/template';

export { hasAudience, type UserTags } from '../issuance/issuance-policy';

export const CLAIM_REFUSAL_REASONS = ['SOLD_OUT', 'LIMIT_REACHED', 'NOT_ELIGIBLE', 'NOT_CLAIMABLE', 'CLAIM_NOT_STARTED', 'CLAIM_ENDED', 'NOT_ACTIVE'] as const;
export type ClaimRefusalReason = (typeof CLAIM_REFUSAL_REASONS)[number];

export interface ClaimRefusal {
  readonly templateId: string;
  readonly reason: ClaimRefusalReason;
  readonly message: string;
}

/**
 * Why this user may not claim `quantity` coupons of the template now, by the issuance policy's claim
 * rules. To a claimer an ended validity means claiming has ended: the API keeps answering CLAIM_ENDED
 * for it, as it always has.
 */
export function claimRefusal(template: Template, request: { nowMs: number; quantity: number; tags: UserTags }): ClaimRefusal | undefined {
  const refusal = issuanceRefusal(template, 'claim', request);
  if (!refusal) return undefined;
  return { templateId: template.id, reason: refusal.reason === 'VALIDITY_ENDED' ? 'CLAIM_ENDED' : refusal.reason, message: refusal.message };
}

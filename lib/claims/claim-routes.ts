import { defineRoutes } from '../http/route';
import { ClaimableTemplateList, ClaimInput, CouponList } from './claim-schema';

/** Shop: claiming coupons, and what a user can still claim. */
export const claimRoutes = defineRoutes({
  claimCoupons: {
    method: 'POST',
    path: '/v1/coupons/claim',
    entry: 'functions/coupons/claim-coupons.ts',
    scope: 'user',
    tableAccess: 'readWrite',
    summary: 'Claim one or several coupons, all or nothing (Idempotency-Key required; a retry within 24 h returns the first answer)',
    request: { body: ClaimInput, idempotencyKey: 'required' },
    response: { status: 201, schema: CouponList, description: 'The coupons issued' },
    errors: [404, 409, 422, 503],
    throttle: { rate: 3000, burst: 6000 },
  },
  listClaimableTemplates: {
    method: 'GET',
    path: '/v1/templates',
    entry: 'functions/coupons/list-claimable-templates.ts',
    scope: 'user',
    tableAccess: 'read',
    summary: 'What I can claim now: active, in its claim window, for my audience, not sold out, under my limit',
    request: {},
    response: { status: 200, schema: ClaimableTemplateList, description: 'Claimable templates' },
  },
});

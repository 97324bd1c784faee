import { routes } from '../../lib/api/routes';
import { claimCoupons } from '../../lib/claims/claim-service';
import { claimDeps } from '../../lib/composition';
import { apiHandler } from '../../lib/http/api-handler';

const deps = claimDeps();

export const handler = apiHandler(routes.claimCoupons, async ({ identity, body, idempotencyKey }) => {
  const result = await claimCoupons(deps, { userId: identity.subject, templateIds: body.templateIds, idempotencyKey });
  return { body: { coupons: result.coupons }, ...(result.replayed ? { headers: { 'idempotent-replayed': 'true' } } : {}) };
});

import { claimRoutes } from '../../lib/claims/claim-routes';
import { claimCoupons } from '../../lib/claims/claim-service';
import { type Container, claimDeps } from '../../lib/container';
import { apiHandler } from '../../lib/http/api-handler';
import { onLambda } from '../../lib/lambda';

export const build = (container: Container) => {
  const deps = claimDeps(container);
  return apiHandler(claimRoutes.claimCoupons, async ({ identity, body, idempotencyKey }) => {
    const result = await claimCoupons(deps, { userId: identity.subject, templateIds: body.templateIds, idempotencyKey });
    return { body: { coupons: [...result.coupons] }, ...(result.replayed ? { headers: { 'idempotent-replayed': 'true' } } : {}) };
  });
};

export const handler = onLambda(build);

import { claimRoutes } from '../../lib/claims/claim-routes';
import { listClaimableTemplates } from '../../lib/claims/claimable-templates';
import { type Container, claimableDeps } from '../../lib/container';
import { apiHandler } from '../../lib/http/api-handler';
import { onLambda } from '../../lib/lambda';

export const build = (container: Container) => {
  const deps = claimableDeps(container);
  return apiHandler(claimRoutes.listClaimableTemplates, async ({ identity }) => ({ body: { items: await listClaimableTemplates(deps, identity.subject) } }));
};

export const handler = onLambda(build);

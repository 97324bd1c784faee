import { routes } from '../../lib/api/routes';
import { listClaimableTemplates } from '../../lib/claims/claimable-templates';
import { claimableDeps } from '../../lib/composition';
import { apiHandler } from '../../lib/http/api-handler';

const deps = claimableDeps();

export const handler = apiHandler(routes.listClaimableTemplates, async ({ identity }) => ({ body: { items: await listClaimableTemplates(deps, identity.subject) } }));

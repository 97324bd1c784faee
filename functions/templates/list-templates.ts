import { routes } from '../../lib/api/routes';
import { templateServiceDeps } from '../../lib/composition';
import { apiHandler } from '../../lib/http/api-handler';
import { listTemplates } from '../../lib/templates/template-service';

const deps = templateServiceDeps();

export const handler = apiHandler(routes.listTemplates, async ({ query }) => ({ body: await listTemplates(deps, query) }));

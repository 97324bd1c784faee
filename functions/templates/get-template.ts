import { routes } from '../../lib/api/routes';
import { templateServiceDeps } from '../../lib/composition';
import { apiHandler } from '../../lib/http/api-handler';
import { getTemplate } from '../../lib/templates/template-service';

const deps = templateServiceDeps();

export const handler = apiHandler(routes.getTemplate, async ({ path }) => ({ body: await getTemplate(deps, path.templateId) }));

import { routes } from '../../lib/api/routes';
import { templateServiceDeps } from '../../lib/composition';
import { apiHandler } from '../../lib/http/api-handler';
import { createTemplate } from '../../lib/templates/template-service';

const deps = templateServiceDeps();

export const handler = apiHandler(routes.createTemplate, async ({ body }) => ({ body: await createTemplate(deps, body) }));

import { routes } from '../../lib/api/routes';
import { templateServiceDeps } from '../../lib/composition';
import { apiHandler } from '../../lib/http/api-handler';
import { updateTemplate } from '../../lib/templates/template-service';

const deps = templateServiceDeps();

export const handler = apiHandler(routes.updateTemplate, async ({ path, body }) => ({ body: await updateTemplate(deps, path.templateId, body) }));

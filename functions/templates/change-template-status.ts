import { routes } from '../../lib/api/routes';
import { templateServiceDeps } from '../../lib/composition';
import { apiHandler } from '../../lib/http/api-handler';
import { changeTemplateStatus } from '../../lib/templates/template-service';

const deps = templateServiceDeps();

export const handler = apiHandler(routes.changeTemplateStatus, async ({ path, body }) => ({
  body: await changeTemplateStatus(deps, path.templateId, body.status),
}));

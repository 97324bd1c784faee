import { type Container, templateServiceDeps } from '../../lib/container';
import { apiHandler } from '../../lib/http/api-handler';
import { onLambda } from '../../lib/lambda';
import { templateRoutes } from '../../lib/templates/template-routes';
import { updateTemplate } from '../../lib/templates/template-service';

export const build = (container: Container) => {
  const deps = templateServiceDeps(container);
  return apiHandler(templateRoutes.updateTemplate, async ({ path, body }) => ({ body: await updateTemplate(deps, path.templateId, body) }));
};

export const handler = onLambda(build);

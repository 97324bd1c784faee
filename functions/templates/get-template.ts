import { type Container, templateServiceDeps } from '../../lib/container';
import { apiHandler } from '../../lib/http/api-handler';
import { onLambda } from '../../lib/lambda';
import { templateRoutes } from '../../lib/templates/template-routes';
import { getTemplate } from '../../lib/templates/template-service';

export const build = (container: Container) => {
  const deps = templateServiceDeps(container);
  return apiHandler(templateRoutes.getTemplate, async ({ path }) => ({ body: await getTemplate(deps, path.templateId) }));
};

export const handler = onLambda(build);

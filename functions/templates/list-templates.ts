import { type Container, templateServiceDeps } from '../../lib/container';
import { apiHandler } from '../../lib/http/api-handler';
import { onLambda } from '../../lib/lambda';
import { templateRoutes } from '../../lib/templates/template-routes';
import { listTemplates } from '../../lib/templates/template-service';

export const build = (container: Container) => {
  const deps = templateServiceDeps(container);
  return apiHandler(templateRoutes.listTemplates, async ({ query }) => ({ body: await listTemplates(deps, query) }));
};

export const handler = onLambda(build);

import { type Container, templateServiceDeps } from '../../lib/container';
import { apiHandler } from '../../lib/http/api-handler';
import { onLambda } from '../../lib/lambda';
import { templateRoutes } from '../../lib/templates/template-routes';
import { addTemplateStock } from '../../lib/templates/template-service';

export const build = (container: Container) => {
  const deps = templateServiceDeps(container);
  return apiHandler(templateRoutes.addTemplateStock, async ({ path, body, idempotencyKey }) => ({ body: await addTemplateStock(deps, path.templateId, body.quantity, idempotencyKey) }));
};

export const handler = onLambda(build);

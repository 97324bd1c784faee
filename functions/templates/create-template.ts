import type { Container } from '../../lib/container';
import { apiHandler } from '../../lib/http/api-handler';
import { onLambda } from '../../lib/lambda';
import { templateRoutes } from '../../lib/templates/template-routes';
import { createTemplate } from '../../lib/templates/template-service';

export const build = (container: Container) => {
  const deps = container.templateService();
  return apiHandler(templateRoutes.createTemplate, async ({ body }) => ({ body: await createTemplate(deps, body) }));
};

export const handler = onLambda(build);

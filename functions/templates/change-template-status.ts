import { type Container, templateStatusDeps } from '../../lib/container';
import { apiHandler } from '../../lib/http/api-handler';
import { onLambda } from '../../lib/lambda';
import { templateRoutes } from '../../lib/templates/template-routes';
import { changeTemplateStatus } from '../../lib/templates/template-service';

export const build = (container: Container) => {
  const deps = templateStatusDeps(container);
  return apiHandler(templateRoutes.changeTemplateStatus, async ({ path, body }) => ({ body: await changeTemplateStatus(deps, path.templateId, body.status) }));
};

export const handler = onLambda(build);

import { type Container, templateServiceDeps } from '../../lib/container';
import { apiHandler } from '../../lib/http/api-handler';
import { onLambda } from '../../lib/lambda';
import { templateRoutes } from '../../lib/templates/template-routes';
import { createTemplate } from '../../lib/templates/template-service';

export const build = (container: Container) => {
  const deps = templateServiceDeps(container);
  return apiHandler(templateRoutes.createTemplate, async ({ body, identity, idempotencyKey }) => {
    const { template, replayed } = await createTemplate(deps, body, idempotencyKey ? { caller: identity.subject, key: idempotencyKey } : undefined);
    return { body: template, ...(replayed ? { status: templateRoutes.createTemplate.response.replayStatus, headers: { 'idempotent-replayed': 'true' } } : {}) };
  });
};

export const handler = onLambda(build);

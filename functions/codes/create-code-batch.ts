import { createCodeBatch } from '../../lib/codes/code-service';
import { codeRoutes } from '../../lib/codes/code-routes';
import { type Container, codeDeps } from '../../lib/container';
import { apiHandler } from '../../lib/http/api-handler';
import { onLambda } from '../../lib/lambda';

export const build = (container: Container) => {
  const deps = codeDeps(container);
  return apiHandler(codeRoutes.createCodeBatch, async ({ identity, path, body }) => {
    const { view, code, replayed } = await createCodeBatch(deps, { templateId: path.templateId, request: body, by: identity.subject });
    return { body: { ...view, ...(code ? { code } : {}) }, ...(replayed ? { status: 200, headers: { 'idempotent-replayed': 'true' } } : {}) };
  });
};

export const handler = onLambda(build);

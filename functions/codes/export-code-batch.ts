import { exportCodeBatch } from '../../lib/codes/code-service';
import { codeRoutes } from '../../lib/codes/code-routes';
import { type Container, codeDeps } from '../../lib/container';
import { apiHandler } from '../../lib/http/api-handler';
import { onLambda } from '../../lib/lambda';

export const build = (container: Container) => {
  const deps = codeDeps(container);
  return apiHandler(codeRoutes.exportCodeBatch, async ({ identity, path }) => ({ body: await exportCodeBatch(deps, { batchId: path.batchId, by: identity.subject }) }));
};

export const handler = onLambda(build);

import { codeBatchView } from '../../lib/codes/code-service';
import { codeRoutes } from '../../lib/codes/code-routes';
import { type Container, codeDeps } from '../../lib/container';
import { apiHandler } from '../../lib/http/api-handler';
import { onLambda } from '../../lib/lambda';

export const build = (container: Container) => {
  const deps = codeDeps(container);
  return apiHandler(codeRoutes.getCodeBatch, async ({ path }) => ({ body: await codeBatchView(deps, path.batchId) }));
};

export const handler = onLambda(build);

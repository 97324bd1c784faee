import { revokeCode } from '../../lib/codes/code-service';
import { codeRoutes } from '../../lib/codes/code-routes';
import { type Container, codeDeps } from '../../lib/container';
import { apiHandler } from '../../lib/http/api-handler';
import { onLambda } from '../../lib/lambda';

export const build = (container: Container) => {
  const deps = codeDeps(container);
  return apiHandler(codeRoutes.revokeCode, async ({ path, body }) => ({ body: await revokeCode(deps, { batchId: path.batchId, code: body.code }) }));
};

export const handler = onLambda(build);

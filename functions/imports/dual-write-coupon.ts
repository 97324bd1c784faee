import { type Container, importDeps } from '../../lib/container';
import { apiHandler } from '../../lib/http/api-handler';
import { importRoutes } from '../../lib/imports/import-routes';
import { dualWriteCoupon } from '../../lib/imports/import-service';
import { onLambda } from '../../lib/lambda';

export const build = (container: Container) => {
  const deps = importDeps(container);
  return apiHandler(importRoutes.dualWriteCoupon, async ({ path, body }) => ({ body: await dualWriteCoupon(deps, path.externalId, body) }));
};

export const handler = onLambda(build);

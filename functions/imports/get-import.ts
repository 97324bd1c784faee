import { type Container, importDeps } from '../../lib/container';
import { apiHandler } from '../../lib/http/api-handler';
import { importRoutes } from '../../lib/imports/import-routes';
import { importProgress } from '../../lib/imports/import-service';
import { onLambda } from '../../lib/lambda';

export const build = (container: Container) => {
  const deps = importDeps(container);
  return apiHandler(importRoutes.getImport, async ({ path, query }) => ({ body: await importProgress(deps, path.importId, { ...(query.invalidFrom === undefined ? {} : { invalidFrom: query.invalidFrom }) }) }));
};

export const handler = onLambda(build);

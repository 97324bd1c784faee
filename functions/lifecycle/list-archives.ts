import { archiveListingDeps, type Container } from '../../lib/container';
import { apiHandler } from '../../lib/http/api-handler';
import { onLambda } from '../../lib/lambda';
import { listArchives } from '../../lib/lifecycle/archive-listing';
import { archiveRoutes } from '../../lib/lifecycle/archive-routes';

export const build = (container: Container) => {
  const deps = archiveListingDeps(container);
  return apiHandler(archiveRoutes.listArchives, async ({ query }) => ({ body: await listArchives(deps, query) }));
};

export const handler = onLambda(build);

import { type Container, blocklistRepository } from '../../lib/container';
import { apiHandler } from '../../lib/http/api-handler';
import { onLambda } from '../../lib/lambda';
import { settingsRoutes } from '../../lib/settings/settings-routes';
import { systemClock, toIso } from '../../lib/time';

export const build = (container: Container) => {
  const blocklist = blocklistRepository(container);
  return apiHandler(settingsRoutes.putBlocklist, async ({ body }) => ({ body: await blocklist.put(body, toIso(systemClock())) }));
};

export const handler = onLambda(build);

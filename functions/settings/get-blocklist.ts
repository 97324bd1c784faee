import { type Container, blocklistRepository } from '../../lib/container';
import { apiHandler } from '../../lib/http/api-handler';
import { onLambda } from '../../lib/lambda';
import { settingsRoutes } from '../../lib/settings/settings-routes';

export const build = (container: Container) => {
  const blocklist = blocklistRepository(container);
  return apiHandler(settingsRoutes.getBlocklist, async () => ({ body: await blocklist.get() }));
};

export const handler = onLambda(build);

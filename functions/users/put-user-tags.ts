import { type Container, tagRepository } from '../../lib/container';
import { apiHandler } from '../../lib/http/api-handler';
import { onLambda } from '../../lib/lambda';
import { settingsRoutes } from '../../lib/settings/settings-routes';
import { systemClock, toIso } from '../../lib/time';

export const build = (container: Container) => {
  const tags = tagRepository(container);
  return apiHandler(settingsRoutes.putUserTags, async ({ path, body }) => ({ body: await tags.setTags(path.userId, body.tags, toIso(systemClock())) }));
};

export const handler = onLambda(build);

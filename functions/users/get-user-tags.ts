import { type Container, tagRepository } from '../../lib/container';
import { apiHandler } from '../../lib/http/api-handler';
import { onLambda } from '../../lib/lambda';
import { settingsRoutes } from '../../lib/settings/settings-routes';

export const build = (container: Container) => {
  const tags = tagRepository(container);
  return apiHandler(settingsRoutes.getUserTags, async ({ path }) => ({ body: { userId: path.userId, tags: [...(await tags.tagsOf(path.userId))] } }));
};

export const handler = onLambda(build);

import { routes } from '../../lib/api/routes';
import { tagSource } from '../../lib/composition';
import { apiHandler } from '../../lib/http/api-handler';

const tags = tagSource();

export const handler = apiHandler(routes.getUserTags, async ({ path }) => ({ body: { userId: path.userId, tags: await tags.tagsOf(path.userId) } }));

import { routes } from '../../lib/api/routes';
import { tagSource } from '../../lib/composition';
import { apiHandler } from '../../lib/http/api-handler';
import { systemClock, toIso } from '../../lib/time';

const tags = tagSource();

export const handler = apiHandler(routes.putUserTags, async ({ path, body }) => ({ body: await tags.setTags(path.userId, body.tags, toIso(systemClock())) }));

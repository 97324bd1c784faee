import { routes } from '../../lib/api/routes';
import { blocklistRepository } from '../../lib/composition';
import { apiHandler } from '../../lib/http/api-handler';
import { systemClock, toIso } from '../../lib/time';

const blocklist = blocklistRepository();

export const handler = apiHandler(routes.putBlocklist, async ({ body }) => ({ body: await blocklist.put(body, toIso(systemClock())) }));

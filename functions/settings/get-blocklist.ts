import { routes } from '../../lib/api/routes';
import { blocklistRepository } from '../../lib/composition';
import { apiHandler } from '../../lib/http/api-handler';

const blocklist = blocklistRepository();

export const handler = apiHandler(routes.getBlocklist, async () => ({ body: await blocklist.get() }));

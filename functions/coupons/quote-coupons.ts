import { routes } from '../../lib/api/routes';
import { quoteDeps } from '../../lib/composition';
import { apiHandler } from '../../lib/http/api-handler';
import { quoteForUser } from '../../lib/pricing/quote-service';

const deps = quoteDeps();

export const handler = apiHandler(routes.quoteCoupons, async ({ identity, body }) => ({ body: await quoteForUser(deps, identity.subject, body) }));

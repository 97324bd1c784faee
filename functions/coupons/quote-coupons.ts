import { type Container, quoteDeps } from '../../lib/container';
import { apiHandler } from '../../lib/http/api-handler';
import { onLambda } from '../../lib/lambda';
import { quoteRoutes } from '../../lib/pricing/quote-routes';
import { quoteForUser } from '../../lib/pricing/quote-service';

export const build = (container: Container) => {
  const deps = quoteDeps(container);
  return apiHandler(quoteRoutes.quoteCoupons, async ({ identity, body }) => ({ body: await quoteForUser(deps, identity.subject, body) }));
};

export const handler = onLambda(build);

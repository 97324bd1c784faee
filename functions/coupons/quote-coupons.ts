import type { Container } from '../../lib/container';
import { walletRoutes } from '../../lib/coupons/wallet-routes';
import { apiHandler } from '../../lib/http/api-handler';
import { onLambda } from '../../lib/lambda';
import { quoteForUser } from '../../lib/pricing/quote-service';

export const build = (container: Container) => {
  const deps = container.quotes();
  return apiHandler(walletRoutes.quoteCoupons, async ({ identity, body }) => ({ body: await quoteForUser(deps, identity.subject, body) }));
};

export const handler = onLambda(build);

import { type Container, walletDeps } from '../../lib/container';
import { walletRoutes } from '../../lib/coupons/wallet-routes';
import { listWallet } from '../../lib/coupons/wallet-service';
import { apiHandler } from '../../lib/http/api-handler';
import { onLambda } from '../../lib/lambda';

export const build = (container: Container) => {
  const deps = walletDeps(container);
  return apiHandler(walletRoutes.listCoupons, async ({ identity, query }) => ({ body: await listWallet(deps, identity.subject, query) }));
};

export const handler = onLambda(build);

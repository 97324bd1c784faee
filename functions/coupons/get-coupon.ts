import { type Container, walletDeps } from '../../lib/container';
import { walletRoutes } from '../../lib/coupons/wallet-routes';
import { getWalletCoupon } from '../../lib/coupons/wallet-service';
import { apiHandler } from '../../lib/http/api-handler';
import { onLambda } from '../../lib/lambda';

export const build = (container: Container) => {
  const deps = walletDeps(container);
  return apiHandler(walletRoutes.getCoupon, async ({ identity, path }) => ({ body: await getWalletCoupon(deps, identity.subject, path.couponId) }));
};

export const handler = onLambda(build);

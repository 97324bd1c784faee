import { routes } from '../../lib/api/routes';
import { walletDeps } from '../../lib/composition';
import { getWalletCoupon } from '../../lib/coupons/wallet-service';
import { apiHandler } from '../../lib/http/api-handler';

const deps = walletDeps();

export const handler = apiHandler(routes.getCoupon, async ({ identity, path }) => ({ body: await getWalletCoupon(deps, identity.subject, path.couponId) }));

import { routes } from '../../lib/api/routes';
import { walletDeps } from '../../lib/composition';
import { listWallet } from '../../lib/coupons/wallet-service';
import { apiHandler } from '../../lib/http/api-handler';

const deps = walletDeps();

export const handler = apiHandler(routes.listCoupons, async ({ identity, query }) => ({ body: await listWallet(deps, identity.subject, query) }));

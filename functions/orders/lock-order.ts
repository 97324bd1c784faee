import { routes } from '../../lib/api/routes';
import { orderDeps } from '../../lib/composition';
import { apiHandler } from '../../lib/http/api-handler';
import { lockCouponsForOrder } from '../../lib/orders/order-service';

const deps = orderDeps();

export const handler = apiHandler(routes.lockOrder, async ({ path, body }) => ({ body: await lockCouponsForOrder(deps, path.orderId, body) }));

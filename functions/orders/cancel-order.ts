import { routes } from '../../lib/api/routes';
import { orderDeps } from '../../lib/composition';
import { apiHandler } from '../../lib/http/api-handler';
import { cancelOrder } from '../../lib/orders/order-service';

const deps = orderDeps();

export const handler = apiHandler(routes.cancelOrder, async ({ path }) => ({ body: await cancelOrder(deps, path.orderId) }));

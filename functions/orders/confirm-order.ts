import { routes } from '../../lib/api/routes';
import { orderDeps } from '../../lib/composition';
import { apiHandler } from '../../lib/http/api-handler';
import { confirmOrder } from '../../lib/orders/order-service';

const deps = orderDeps();

export const handler = apiHandler(routes.confirmOrder, async ({ path }) => ({ body: await confirmOrder(deps, path.orderId) }));

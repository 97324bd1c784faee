import { routes } from '../../lib/api/routes';
import { orderDeps } from '../../lib/composition';
import { apiHandler } from '../../lib/http/api-handler';
import { getOrder } from '../../lib/orders/order-service';

const deps = orderDeps();

export const handler = apiHandler(routes.getOrder, async ({ path }) => ({ body: await getOrder(deps, path.orderId) }));

import { routes } from '../../lib/api/routes';
import { orderDeps } from '../../lib/composition';
import { apiHandler } from '../../lib/http/api-handler';
import { refundOrder } from '../../lib/orders/order-service';

const deps = orderDeps();

export const handler = apiHandler(routes.refundOrder, async ({ path, body }) => ({ body: await refundOrder(deps, path.orderId, body.couponIds) }));

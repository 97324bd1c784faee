import { type Container, orderDeps } from '../../lib/container';
import { apiHandler } from '../../lib/http/api-handler';
import { onLambda } from '../../lib/lambda';
import { orderRoutes } from '../../lib/orders/order-routes';
import { refundOrder } from '../../lib/orders/order-service';

export const build = (container: Container) => {
  const deps = orderDeps(container);
  return apiHandler(orderRoutes.refundOrder, async ({ path, body }) => ({ body: await refundOrder(deps, path.orderId, body.couponIds) }));
};

export const handler = onLambda(build);

import { type Container, orderDeps } from '../../lib/container';
import { apiHandler } from '../../lib/http/api-handler';
import { onLambda } from '../../lib/lambda';
import { orderRoutes } from '../../lib/orders/order-routes';
import { lockCouponsForOrder } from '../../lib/orders/order-service';

export const build = (container: Container) => {
  const deps = orderDeps(container);
  return apiHandler(orderRoutes.lockOrder, async ({ path, body }) => ({ body: await lockCouponsForOrder(deps, path.orderId, body) }));
};

export const handler = onLambda(build);

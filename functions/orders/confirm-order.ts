import { type Container, orderDeps } from '../../lib/container';
import { apiHandler } from '../../lib/http/api-handler';
import { onLambda } from '../../lib/lambda';
import { orderRoutes } from '../../lib/orders/order-routes';
import { confirmOrder } from '../../lib/orders/order-service';

export const build = (container: Container) => {
  const deps = orderDeps(container);
  return apiHandler(orderRoutes.confirmOrder, async ({ path }) => ({ body: await confirmOrder(deps, path.orderId) }));
};

export const handler = onLambda(build);

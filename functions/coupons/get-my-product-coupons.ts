import { type Container, productOfferDeps } from '../../lib/container';
import { apiHandler } from '../../lib/http/api-handler';
import { onLambda } from '../../lib/lambda';
import { myProductCoupons } from '../../lib/pricing/product-offers';
import { productRoutes } from '../../lib/pricing/product-routes';

export const build = (container: Container) => {
  const deps = productOfferDeps(container);
  return apiHandler(productRoutes.getMyProductCoupons, async ({ identity, path, query }) => ({
    body: await myProductCoupons(deps, identity.subject, path.productId, query),
    headers: { 'cache-control': 'private, no-store' },
  }));
};

export const handler = onLambda(build);

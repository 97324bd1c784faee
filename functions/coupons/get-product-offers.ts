import { type Container, productOfferDeps } from '../../lib/container';
import { apiHandler } from '../../lib/http/api-handler';
import { onLambda } from '../../lib/lambda';
import { productOffers } from '../../lib/pricing/product-offers';
import { productRoutes } from '../../lib/pricing/product-routes';

export const build = (container: Container) => {
  const deps = productOfferDeps(container);
  return apiHandler(productRoutes.getProductOffers, async ({ path, query }) => {
    const offers = await productOffers(deps, path.productId, query);
    // The same for every visitor: a CDN in front of the API may keep it as long as the catalog behind it.
    return { body: offers, headers: { 'cache-control': `public, max-age=${offers.maxAgeSeconds}` } };
  });
};

export const handler = onLambda(build);

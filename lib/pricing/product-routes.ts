import { defineRoutes } from '../http/route';
import { MyProductCoupons, ProductOffers, ProductPath, ProductQuery } from './product-offers';

/** Shop: coupons on a product detail page. */
export const productRoutes = defineRoutes({
  getProductOffers: {
    method: 'GET',
    path: '/v1/products/{productId}/offers',
    entry: 'functions/coupons/get-product-offers.ts',
    scope: 'public',
    tableAccess: 'read',
    summary:
      'The coupons anyone can claim for this product and what each saves at this price: the same answer for every visitor, cacheable by a CDN for maxAgeSeconds (sold-out and paused templates drop out within that time)',
    request: { path: ProductPath, query: ProductQuery },
    response: { status: 200, schema: ProductOffers, description: 'Offers for the product, the largest saving first; Cache-Control: public' },
    throttle: { rate: 5000, burst: 10000 },
  },
  getMyProductCoupons: {
    method: 'GET',
    path: '/v1/products/{productId}/coupons',
    entry: 'functions/coupons/get-my-product-coupons.ts',
    scope: 'user',
    tableAccess: 'read',
    summary: 'For this product: the offers I can still claim (under my limit, for my audience) and my available coupons that apply, each with its saving at this price',
    request: { path: ProductPath, query: ProductQuery },
    response: { status: 200, schema: MyProductCoupons, description: 'What I can claim and what I hold for this product; Cache-Control: private' },
  },
});

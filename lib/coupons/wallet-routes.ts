import { defineRoutes } from '../api/route';
import { QuoteInput } from '../pricing/quote-service';
import { QuoteView } from '../pricing/pricing-views';
import { CouponView } from './coupon';
import { CouponIdPath, CouponPage, ListCouponsQuery } from './wallet-schema';

/** Shop: a user's own coupons, and which of them fit a cart. */
export const walletRoutes = defineRoutes({
  listCoupons: {
    method: 'GET',
    path: '/v1/coupons',
    entry: 'functions/coupons/list-coupons.ts',
    scope: 'user',
    tableAccess: 'read',
    summary: 'My wallet, newest first, optionally by status (expired is derived from validity)',
    request: { query: ListCouponsQuery },
    response: { status: 200, schema: CouponPage, description: 'A page of my coupons' },
  },
  getCoupon: {
    method: 'GET',
    path: '/v1/coupons/{couponId}',
    entry: 'functions/coupons/get-coupon.ts',
    scope: 'user',
    tableAccess: 'read',
    summary: 'One of my coupons (another user\'s is 404)',
    request: { path: CouponIdPath },
    response: { status: 200, schema: CouponView, description: 'The coupon' },
    errors: [404],
  },
  quoteCoupons: {
    method: 'POST',
    path: '/v1/coupons/quote',
    entry: 'functions/coupons/quote-coupons.ts',
    scope: 'user',
    tableAccess: 'read',
    summary: 'Which of my coupons fit this cart, what each saves and why others do not, and the best combination',
    request: { body: QuoteInput },
    response: { status: 200, schema: QuoteView, description: 'Verdicts per coupon and the best combination with totals' },
    errors: [404],
  },
});

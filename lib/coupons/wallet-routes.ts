import { defineRoutes } from '../http/route';
import { CouponView } from './coupon';
import { CouponIdPath, CouponPage, ListCouponsQuery } from './wallet-schema';

/** Shop: a user's own coupons. */
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
});

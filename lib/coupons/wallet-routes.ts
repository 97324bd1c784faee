import { defineRoutes } from '../http/route';
import { CouponView } from './coupon';
import { CouponIdPath, CouponPage, ListCouponsQuery } from './wallet-schema';
import { UserIdPath } from '../ids';

/** Shop: a user's own coupons; back office (support): any user's. */
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
  listUserCoupons: {
    method: 'GET',
    path: '/v1/admin/users/{userId}/coupons',
    entry: 'functions/back-office/back-office-support.ts',
    sharedFunction: 'backOfficeSupport',
    scope: 'coupons/admin',
    tableAccess: 'read',
    summary: 'A user\'s wallet as the user sees it (support), newest first, optionally by status',
    request: { path: UserIdPath, query: ListCouponsQuery },
    response: { status: 200, schema: CouponPage, description: 'A page of the user\'s coupons' },
  },
});

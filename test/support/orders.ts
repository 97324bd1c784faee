import { CouponRepository } from '../../lib/coupons/coupon-repository';
import { OrderRepository } from '../../lib/orders/order-repository';
import type { OrderDeps } from '../../lib/orders/order-service';
import type { Clock } from '../../lib/time';
import { systemClock } from '../../lib/time';
import type { TestTable } from './dynamodb';

export function orderDepsFor(table: TestTable, overrides: Partial<OrderDeps> & { clock?: Clock } = {}): OrderDeps {
  return {
    orders: new OrderRepository(table.client, table.tableName),
    coupons: new CouponRepository(table.client, table.tableName),
    blockedProductIds: async () => new Set<string>(),
    clock: systemClock,
    maxCouponsPerOrder: 5,
    defaultLockMinutes: 30,
    ...overrides,
  };
}

export const items = [
  { productId: 'sneaker', categoryId: 'shoes', merchantId: 'shop-1', unitPrice: 6000, quantity: 1 },
  { productId: 'socks', categoryId: 'apparel', merchantId: 'shop-1', unitPrice: 1000, quantity: 2 },
];

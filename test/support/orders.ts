import { orderDeps } from '../../lib/container';
import type { OrderDeps } from '../../lib/orders/order-service';
import { testContainer } from './container';
import type { TestTable } from './dynamodb';

export const orderDepsFor = (table: TestTable, overrides: Partial<OrderDeps> = {}): OrderDeps => ({ ...orderDeps(testContainer(table)), ...overrides });

export const items = [
  { productId: 'sneaker', categoryId: 'shoes', merchantId: 'shop-1', unitPrice: 6000, quantity: 1 },
  { productId: 'socks', categoryId: 'apparel', merchantId: 'shop-1', unitPrice: 1000, quantity: 2 },
];

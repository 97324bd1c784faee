import * as z from 'zod';
import { currencyCode } from '../money';

/** Unit prices up to 10^10 minor units and quantities up to 10^4 keep every line amount below 2^53. */
export const MAX_UNIT_PRICE = 10_000_000_000;
export const MAX_LINES = 200;

const id = () => z.string().min(1).max(64);

export const CartLine = z.strictObject({
  productId: id(),
  categoryId: id(),
  merchantId: id(),
  unitPrice: z.int().min(0).max(MAX_UNIT_PRICE),
  quantity: z.int().min(1).max(10_000),
});
export type CartLine = z.infer<typeof CartLine>;

/**
 * What is priced. `purchase`: a shopper's cart; discount coupons lower its total. `payout`: what a
 * seller is paid for items they sell to us (C2B); payout bonus coupons add to it. Line prices are the
 * shop's prices (or our quoted buy prices) in minor units of `currency`.
 */
export const Cart = z.strictObject({
  kind: z.enum(['purchase', 'payout']).default('purchase'),
  currency: currencyCode(),
  lines: z.array(CartLine).min(1).max(MAX_LINES),
});
export type Cart = z.infer<typeof Cart>;

export const lineAmount = (line: CartLine): number => line.unitPrice * line.quantity;

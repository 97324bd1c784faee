import * as z from 'zod';
import { currencyCode } from '../money';

/** Unit prices up to 10^10 minor units and quantities up to 10^4 keep every line amount below 2^53. */
export const MAX_UNIT_PRICE = 10_000_000_000;
export const MAX_LINES = 200;
/**
 * The most a cart may be worth, in minor units (10^15: ten trillion in a two-decimal currency). With at
 * most 200 coupons of at most 10^12 each, no sum the engine forms (subtotal, savings, payout plus
 * bonuses) reaches 2^53 - 1 (about 9.007 x 10^15), so every number it answers is exact. Larger carts
 * (possible with 200 lines of 10^14) are refused with AMOUNT_TOO_LARGE rather than priced wrong.
 */
export const MAX_CART_AMOUNT = 1_000_000_000_000_000;

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

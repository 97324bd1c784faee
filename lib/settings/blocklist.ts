import * as z from 'zod';

/** The global product block list: products no coupon ever discounts, whatever its own scope says. */
export const GlobalBlocklist = z.strictObject({ productIds: z.array(z.string().min(1).max(64)).max(10_000) });
export type GlobalBlocklist = z.infer<typeof GlobalBlocklist>;
export const BlocklistView = GlobalBlocklist.extend({ updatedAt: z.string().optional() });

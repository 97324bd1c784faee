import { orderDeps } from '../../lib/composition';
import { releaseExpiredLocks } from '../../lib/orders/order-service';

const deps = orderDeps();

/** Runs every minute (EventBridge schedule): releases the coupons of orders whose lock timed out. */
export const handler = async (): Promise<{ released: number; skipped: number }> => {
  const result = await releaseExpiredLocks(deps);
  if (result.released + result.skipped > 0) console.log(JSON.stringify({ level: 'INFO', message: 'released expired locks', ...result }));
  return result;
};

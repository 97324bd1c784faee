import type { Container } from '../../lib/container';
import { onLambda } from '../../lib/lambda';
import { releaseExpiredLocks } from '../../lib/orders/order-service';

/** Runs every minute (EventBridge schedule): releases the coupons of orders whose lock timed out. */
export const build = (container: Container) => {
  const deps = container.orders();
  return async (): Promise<{ released: number; skipped: number }> => {
    const result = await releaseExpiredLocks(deps);
    if (result.released + result.skipped > 0) console.log(JSON.stringify({ level: 'INFO', message: 'released expired locks', ...result }));
    return result;
  };
};

export const handler = onLambda(build);

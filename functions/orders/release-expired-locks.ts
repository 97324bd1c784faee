import { type Container, orderDeps } from '../../lib/container';
import { onLambda } from '../../lib/lambda';
import { releaseExpiredLocks } from '../../lib/orders/order-service';
import { logger } from '../../lib/observability';

/** Runs every minute (EventBridge schedule): releases the coupons of orders whose lock timed out. */
export const build = (container: Container) => {
  const deps = orderDeps(container);
  return async (): Promise<{ released: number; skipped: number }> => {
    const result = await releaseExpiredLocks(deps);
    if (result.released + result.skipped > 0) logger.info('released expired locks', { ...result });
    return result;
  };
};

export const handler = onLambda(build);

import { type Container, scheduledLifecycleJob } from '../../lib/container';
import { onLambda } from '../../lib/lambda';

/** Runs hourly (EventBridge schedule): moves coupons settled longer than the retention ago to the archive bucket. */
export const build = (container: Container) => scheduledLifecycleJob(container, 'archive');

export const handler = onLambda(build);

import { type Container, scheduledLifecycleJob } from '../../lib/container';
import { onLambda } from '../../lib/lambda';

/** Runs every 15 minutes by default (EventBridge schedule): moves coupons whose validity ended to expired. */
export const build = (container: Container) => scheduledLifecycleJob(container, 'expire');

export const handler = onLambda(build);

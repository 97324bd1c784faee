import { type Container, scheduledLifecycleJob } from '../../lib/container';
import { onLambda } from '../../lib/lambda';

/** Runs hourly (EventBridge schedule): the day's expiry reminders, once per user, offset and day; later runs of the day finish what an earlier one left. */
export const build = (container: Container) => scheduledLifecycleJob(container, 'remind');

export const handler = onLambda(build);

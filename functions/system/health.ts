import type { Container } from '../../lib/container';
import { apiHandler } from '../../lib/http/api-handler';
import { onLambda } from '../../lib/lambda';
import { systemRoutes } from '../../lib/system/system-routes';

export const build = (container: Container) => {
  return apiHandler(systemRoutes.health, () => ({ body: { status: 'ok' as const, time: new Date().toISOString() } }));
};

export const handler = onLambda(build);

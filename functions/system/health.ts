import { routes } from '../../lib/api/routes';
import { apiHandler } from '../../lib/http/api-handler';

export const handler = apiHandler(routes.health, () => ({ body: { status: 'ok', time: new Date().toISOString() } }));

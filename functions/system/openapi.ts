import { buildOpenApiDocument } from '../../lib/api/openapi';
import { routes } from '../../lib/api/routes';
import { apiHandler } from '../../lib/http/api-handler';

// Built once per cold start: the document depends only on the route table.
const document = buildOpenApiDocument();

export const handler = apiHandler(routes.openapi, () => ({ body: document, headers: { 'cache-control': 'public, max-age=300' } }));

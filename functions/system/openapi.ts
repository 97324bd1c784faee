import { buildOpenApiDocument } from '../../lib/api/openapi';
import type { Container } from '../../lib/container';
import { apiHandler } from '../../lib/http/api-handler';
import { onLambda } from '../../lib/lambda';
import { systemRoutes } from '../../lib/system/system-routes';

export const build = (_container: Container) => {
  // Built once per environment: the document depends only on the route tables.
  const document = buildOpenApiDocument();
  return apiHandler(systemRoutes.openapi, () => ({ body: document, headers: { 'cache-control': 'public, max-age=300' } }));
};

export const handler = onLambda(build);

import { servedOpenApiDocument } from '../../lib/api/served-openapi';
import type { Container } from '../../lib/container';
import { apiHandler } from '../../lib/http/api-handler';
import { onLambda } from '../../lib/lambda';
import { systemRoutes } from '../../lib/system/system-routes';

export const build = (_container: Container) => {
  // Unpacked once per environment: the document depends only on the route tables.
  const document = servedOpenApiDocument();
  return apiHandler(systemRoutes.openapi, () => ({ body: document, headers: { 'cache-control': 'public, max-age=300' } }));
};

export const handler = onLambda(build);

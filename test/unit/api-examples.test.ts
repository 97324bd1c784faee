import { describe, expect, it } from 'vitest';
import { allRoutes } from '../../lib/api/api';
import { buildOpenApiDocument, routeExamples } from '../../lib/api/openapi';

/** The OpenAPI document's examples are real exchanges (npm run openapi:examples); they must still fit the routes' schemas. */
describe('API examples', () => {
  const documented = allRoutes.filter((route) => route.id !== 'openapi');

  it('exist for every route', () => {
    expect(documented.filter((route) => !routeExamples[route.id]).map((route) => route.id)).toEqual([]);
  });

  it.each(documented.map((route) => [route.id, route] as const))('%s: the request and response examples parse with the route schemas', (_id, route) => {
    const example = routeExamples[route.id]!;
    if (route.request.body) expect(route.request.body.safeParse(example.request ?? {}).error?.issues).toBeUndefined();
    if (route.response.schema) expect(route.response.schema.safeParse(example.response).error?.issues).toBeUndefined();
  });

  it('are in the OpenAPI document', () => {
    const claim = (buildOpenApiDocument().paths as Record<string, Record<string, any>>)['/v1/coupons/claim']!.post;
    expect(claim.requestBody.content['application/json'].example).toEqual(routeExamples.claimCoupons!.request);
    expect(claim.responses['201'].content['application/json'].example).toEqual(routeExamples.claimCoupons!.response);
  });
});

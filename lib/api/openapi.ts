import * as z from 'zod';
import { MAX_IDEMPOTENCY_KEY_LENGTH } from '../http/api-handler';
import { errorStatusDescription } from '../http/error-mapping';
import { allRoutes } from './api';
import recordedExamples from './examples.json';
import type { RouteDefinition } from '../http/route';

type JsonSchema = Record<string, unknown>;

const ErrorResponse = z.object({
  error: z.object({ code: z.string().describe('Stable machine-readable code'), message: z.string(), details: z.unknown().optional() }),
});

const toSchema = (schema: z.ZodType, io: 'input' | 'output'): JsonSchema => {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  return rest;
};

function parameters(route: RouteDefinition): JsonSchema[] {
  const params: JsonSchema[] = [];
  for (const [location, schema] of [['path', route.request.path], ['query', route.request.query]] as const) {
    if (!schema) continue;
    const json = toSchema(schema, 'input') as { properties?: Record<string, JsonSchema>; required?: string[] };
    for (const [name, property] of Object.entries(json.properties ?? {})) {
      params.push({ name, in: location, required: location === 'path' || (json.required ?? []).includes(name), schema: property });
    }
  }
  if (route.request.idempotencyKey) {
    params.push({
      name: 'Idempotency-Key',
      in: 'header',
      required: route.request.idempotencyKey === 'required',
      schema: { type: 'string', minLength: 1, maxLength: MAX_IDEMPOTENCY_KEY_LENGTH },
    });
  }
  return params;
}

/** Every status a route can answer besides its success: from its request's shape, its scope, its table access and what it declares. */
export function errorStatuses(route: RouteDefinition): number[] {
  const statuses = new Set<number>(route.errors ?? []);
  const { body, query, path, idempotencyKey } = route.request;
  if (body || query || path || idempotencyKey) statuses.add(400);
  if (body) {
    statuses.add(413);
    statuses.add(415);
  }
  if (route.scope !== 'public') statuses.add(401);
  if (route.scope !== 'public' && route.scope !== 'user') statuses.add(403);
  // API Gateway's throttling (stage-wide and per route) answers 429 before the function runs.
  statuses.add(429);
  statuses.add(500);
  // Writes are transactions that may meet others on the same items: 503 TRY_AGAIN with Retry-After.
  if (route.tableAccess === 'readWrite') statuses.add(503);
  return [...statuses].sort();
}

const THROTTLED_DESCRIPTION = 'Throttled by API Gateway (stage or route limit); back off and retry. The body is API Gateway\'s own: {"message": "Too Many Requests"}';

/** Shared response objects, one per error status, that every operation refers to. */
function errorResponses(): Record<string, JsonSchema> {
  const responses: Record<string, JsonSchema> = {};
  for (const status of [400, 401, 403, 404, 409, 413, 415, 422, 429, 500, 503]) {
    responses[`Error${status}`] =
      status === 429
        ? { description: THROTTLED_DESCRIPTION, content: { 'application/json': { schema: { type: 'object', properties: { message: { type: 'string' } } } } } }
        : {
            description: errorStatusDescription(status),
            ...(status === 503 ? { headers: { 'Retry-After': { $ref: '#/components/headers/RetryAfter' } } } : {}),
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
          };
  }
  return responses;
}

/** One recorded exchange per route (`npm run openapi:examples`): what was sent and what came back. */
export const routeExamples: Readonly<Record<string, { readonly request?: unknown; readonly response?: unknown }>> = recordedExamples;

function operation(route: RouteDefinition): JsonSchema {
  const example = routeExamples[route.id];
  const content = route.response.schema
    ? { content: { 'application/json': { schema: toSchema(route.response.schema, 'output'), ...(example?.response === undefined ? {} : { example: example.response }) } } }
    : {};
  // A route with an Idempotency-Key says when an answer is the replay of an earlier request.
  const replayHeader = route.request.idempotencyKey ? { headers: { 'Idempotent-Replayed': { $ref: '#/components/headers/IdempotentReplayed' } } } : {};
  const responses: Record<string, JsonSchema> = { [route.response.status]: { description: route.response.description, ...replayHeader, ...content } };
  if (route.response.replayStatus) {
    responses[route.response.replayStatus] = { description: 'The resource created earlier under this Idempotency-Key (a replay)', ...replayHeader, ...content };
  }
  for (const status of errorStatuses(route)) responses[status] = { $ref: `#/components/responses/Error${status}` };
  return {
    operationId: route.id,
    summary: route.summary,
    'x-required-scope': route.scope,
    security: route.scope === 'public' ? [] : [{ bearer: route.scope === 'user' ? [] : [route.scope] }],
    parameters: parameters(route),
    ...(route.request.body
      ? { requestBody: { required: !route.request.bodyOptional, content: { 'application/json': { schema: toSchema(route.request.body, 'input'), ...(example?.request === undefined ? {} : { example: example.request }) } } } }
      : {}),
    responses,
  };
}

/** The OpenAPI 3.1 document of every route, generated from the route table and its zod schemas. */
export function buildOpenApiDocument(): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const route of allRoutes) {
    (paths[route.path] ??= {})[route.method.toLowerCase()] = operation(route);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Coupon platform API',
      version: '1.0.0',
      description: 'Templates, claims, wallets, order locks and campaigns. Money is integer minor units; times are ISO-8601 UTC.',
    },
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'Scopes: coupons/admin (back office), coupons/orders (order service); user routes act for the subject' },
      },
      schemas: { Error: toSchema(ErrorResponse, 'output') },
      responses: errorResponses(),
      headers: {
        RetryAfter: { description: 'Seconds to wait before retrying', schema: { type: 'integer', minimum: 1 } },
        IdempotentReplayed: { description: '"true" when this answer is the stored outcome of an earlier request with the same Idempotency-Key', schema: { type: 'string', enum: ['true'] } },
      },
    },
    paths,
  };
}

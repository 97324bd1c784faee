import middy from '@middy/core';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { z } from 'zod';
import { type ResponseBody, type RouteBody, type RouteDefinition, type RoutePath, type RouteQuery, type RouteRequest, type RouteResponse, routeKey } from './route';
import { InvalidInputError, PayloadTooLargeError, UnsupportedMediaTypeError, ValidationFailedError } from '../errors';
import { toHttpError } from './error-mapping';
import { authorize, type Identity } from './identity';
import { logger } from '../observability';

export const MAX_BODY_BYTES = 64 * 1024;
export const MAX_IDEMPOTENCY_KEY_LENGTH = 64;
/** application/json, or a JSON-based type such as application/merge-patch+json, with any parameters (charset). */
const JSON_MEDIA_TYPE = /^application\/(?:json|[\w.+-]+\+json)\s*(?:;.*)?$/i;

export type ApiEvent = APIGatewayProxyEventV2WithJWTAuthorizer;
export type ApiResult = APIGatewayProxyStructuredResultV2;

export interface ParsedRequest<R extends RouteRequest> {
  readonly body: RouteBody<R>;
  readonly query: RouteQuery<R>;
  readonly path: RoutePath<R>;
  /** Present on every route whose scope is not public. */
  readonly identity: Identity;
  readonly idempotencyKey: R['idempotencyKey'] extends 'required' ? string : string | undefined;
  /** The caller's address as API Gateway saw it (rate limits of failed attempts). */
  readonly sourceIp: string;
}

/** A use case's answer; its body is what the route's response schema describes. */
export interface Reply<B = unknown> {
  readonly status?: number;
  readonly body: B;
  readonly headers?: Record<string, string>;
}

function parseWith<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new ValidationFailedError(
    result.error.issues.flatMap((issue) => {
      const path = issue.path.map(String);
      // Name each unknown field on its own, so that a typo is reported where it is.
      if (issue.code === 'unrecognized_keys') return issue.keys.map((key) => ({ path: [...path, key].join('.'), message: 'unknown field' }));
      return [{ path: path.join('.'), message: issue.message }];
    }),
  );
}

function readJsonBody(event: ApiEvent, optional = false, maxBytes = MAX_BODY_BYTES): unknown {
  if (event.body === undefined || event.body === null || event.body === '') {
    if (optional) return {};
    throw new InvalidInputError('MISSING_BODY', 'This route needs a JSON body');
  }
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  if (Buffer.byteLength(text, 'utf8') > maxBytes) throw new PayloadTooLargeError(maxBytes);
  const contentType = event.headers?.['content-type'];
  if (!contentType || !JSON_MEDIA_TYPE.test(contentType)) throw new UnsupportedMediaTypeError(contentType);
  try {
    return JSON.parse(text);
  } catch {
    throw new InvalidInputError('MALFORMED_JSON', 'The body is not valid JSON');
  }
}

function readIdempotencyKey(event: ApiEvent, mode: RouteRequest['idempotencyKey']): string | undefined {
  if (!mode) return undefined;
  const key = event.headers?.['idempotency-key'];
  if (key === undefined || key === '') {
    if (mode === 'required') throw new InvalidInputError('MISSING_IDEMPOTENCY_KEY', 'This route needs an Idempotency-Key header');
    return undefined;
  }
  if (key.length > MAX_IDEMPOTENCY_KEY_LENGTH || !/^[\x21-\x7e]+$/.test(key)) {
    throw new InvalidInputError('INVALID_IDEMPOTENCY_KEY', `The Idempotency-Key must be 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} printable ASCII characters`);
  }
  return key;
}

export function parseRequest<R extends RouteRequest>(route: RouteDefinition<R, RouteResponse>, event: ApiEvent): ParsedRequest<R> {
  const identity = authorize(event, route.scope);
  const { request } = route;
  return {
    identity: identity as Identity,
    path: (request.path ? parseWith(request.path, event.pathParameters ?? {}) : undefined) as RoutePath<R>,
    query: (request.query ? parseWith(request.query, event.queryStringParameters ?? {}) : undefined) as RouteQuery<R>,
    body: (request.body ? parseWith(request.body, readJsonBody(event, request.bodyOptional, request.maxBodyBytes)) : undefined) as RouteBody<R>,
    idempotencyKey: readIdempotencyKey(event, request.idempotencyKey) as ParsedRequest<R>['idempotencyKey'],
    sourceIp: event.requestContext?.http?.sourceIp ?? 'unknown',
  };
}

const jsonHeaders = { 'content-type': 'application/json; charset=utf-8' };

export function jsonResponse(statusCode: number, body: unknown, headers: Record<string, string> = {}): ApiResult {
  return { statusCode, headers: { ...jsonHeaders, ...headers }, body: JSON.stringify(body) };
}

/**
 * The one error boundary of every HTTP function: domain errors become their 4xx; anything else is
 * logged with its stack and answered with a generic 500 that leaks nothing.
 */
const httpErrorMapping = (): middy.MiddlewareObj<ApiEvent, ApiResult> => ({
  onError: async (request) => {
    const mapped = toHttpError(request.error);
    if (mapped.statusCode >= 500) {
      logger.error('unhandled error', { error: request.error as Error, route: request.event?.routeKey, path: request.event?.rawPath });
    }
    request.response = jsonResponse(mapped.statusCode, mapped.body, mapped.headers);
  },
});

/**
 * Builds a Lambda handler for one route: authorize by the route's scope, parse and validate the body,
 * query and path with the route's schemas, call the use case, answer JSON.
 */
export function apiHandler<R extends RouteRequest, S extends RouteResponse>(
  route: RouteDefinition<R, S>,
  useCase: (request: ParsedRequest<R>) => Promise<Reply<ResponseBody<S>>> | Reply<ResponseBody<S>>,
) {
  return middy<ApiEvent, ApiResult, Error, Context>()
    .use(httpErrorMapping())
    .handler(async (event) => {
      const reply = await useCase(parseRequest(route, event));
      return jsonResponse(reply.status ?? route.response.status, reply.body, reply.headers);
    });
}

/**
 * One function serving several routes (their route tables give them the same `sharedFunction`): each
 * request goes to the handler of its route key, as API Gateway names it.
 */
export function routeDispatcher(handlers: ReadonlyArray<readonly [RouteDefinition, (event: ApiEvent, context: Context) => Promise<ApiResult>]>) {
  const byKey = new Map(handlers.map(([route, handler]) => [routeKey(route), handler]));
  return async (event: ApiEvent, context: Context): Promise<ApiResult> => {
    const handler = byKey.get(event.routeKey);
    if (!handler) return jsonResponse(404, { error: { code: 'ROUTE_NOT_FOUND', message: `No route ${event.routeKey} in this function` } });
    return handler(event, context);
  };
}

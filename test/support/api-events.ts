import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import { type RouteDefinition, routeKey } from '../../lib/http/route';
import type { ApiEvent, ApiResult } from '../../lib/http/api-handler';

export interface Caller {
  readonly sub: string;
  readonly scopes?: readonly string[];
}

export const admin: Caller = { sub: 'backoffice-test', scopes: ['coupons/admin'] };
export const user = (sub: string): Caller => ({ sub });

/** An API Gateway HTTP API (payload 2.0) event as the JWT authorizer would hand it to the function. */
export function apiEvent(
  route: RouteDefinition,
  options: {
    caller?: Caller;
    body?: unknown;
    rawBody?: string;
    pathParameters?: Record<string, string>;
    query?: Record<string, string>;
    headers?: Record<string, string>;
  } = {},
): ApiEvent {
  const rawPath = Object.entries(options.pathParameters ?? {}).reduce((p, [name, value]) => p.replace(`{${name}}`, value), route.path);
  const body = options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  return {
    version: '2.0',
    routeKey: routeKey(route),
    rawPath,
    rawQueryString: new URLSearchParams(options.query ?? {}).toString(),
    headers: { 'content-type': 'application/json', ...options.headers },
    ...(options.query ? { queryStringParameters: options.query } : {}),
    ...(options.pathParameters ? { pathParameters: options.pathParameters } : {}),
    ...(body === undefined ? {} : { body }),
    isBase64Encoded: false,
    requestContext: {
      accountId: 'test',
      apiId: 'test',
      domainName: 'test',
      domainPrefix: 'test',
      http: { method: route.method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'vitest' },
      requestId: randomUUID(),
      routeKey: routeKey(route),
      stage: '$default',
      time: new Date().toISOString(),
      timeEpoch: Date.now(),
      ...(options.caller
        ? {
            authorizer: {
              jwt: { claims: { sub: options.caller.sub, scope: (options.caller.scopes ?? []).join(' ') }, scopes: [...(options.caller.scopes ?? [])] },
              principalId: '',
              integrationLatency: 0,
            },
          }
        : {}),
    },
  } as ApiEvent;
}

export const lambdaContext = { awsRequestId: 'test', getRemainingTimeInMillis: () => 10_000 } as unknown as Context;

export interface JsonResult<T = any> {
  readonly statusCode: number;
  readonly body: T;
  readonly headers: Record<string, unknown>;
}

type Handler = (event: ApiEvent, context: Context) => Promise<ApiResult>;

/** Calls a handler the way Lambda would and parses its JSON answer. */
export async function invoke<T = any>(handler: Handler, event: ApiEvent, context: Context = lambdaContext): Promise<JsonResult<T>> {
  const result = await handler(event, context);
  return { statusCode: result.statusCode ?? 200, body: result.body ? JSON.parse(result.body) : undefined, headers: (result.headers ?? {}) as Record<string, unknown> };
}

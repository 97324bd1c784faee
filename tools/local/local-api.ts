import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Context } from 'aws-lambda';
import { allRoutes } from '../../lib/api/api';
import { corsHeaders, preflightHeaders } from '../../lib/http/cors';
import { type RouteDefinition, routeKey } from '../../lib/http/route';
import type { Container } from '../../lib/container';
import type { ApiEvent, ApiResult } from '../../lib/http/api-handler';
import { verifyDevToken } from './dev-auth';
import { buildEntry } from './functions';

type Handler = (event: ApiEvent, context: Context) => Promise<ApiResult>;

/** API Gateway HTTP APIs refuse payloads above 10 MB before any function runs; so do we. */
const GATEWAY_MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;

interface CompiledRoute {
  readonly route: RouteDefinition;
  readonly pattern: RegExp;
  readonly parameterNames: readonly string[];
}

function compile(route: RouteDefinition): CompiledRoute {
  const parameterNames: string[] = [];
  const source = route.path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{(\w+)\}/g, (_match, name: string) => {
    parameterNames.push(name);
    return '([^/]+)';
  });
  return { route, pattern: new RegExp(`^${source}$`), parameterNames };
}

/**
 * Serves the route table over HTTP the way API Gateway (HTTP API, payload 2.0) and its JWT authorizer
 * would: each request becomes the event the deployed function receives, handled by the very same
 * handler module. A valid bearer token fills `requestContext.authorizer.jwt`; a missing or invalid one
 * leaves it empty, and the handler answers 401/403 as the authorizer would.
 */
export function createLocalApi(options: {
  container: Container;
  routes?: readonly RouteDefinition[];
  corsOrigins?: readonly string[];
  /** What the front door serves besides the API (the console): true when it answered the request. */
  pages?: (request: IncomingMessage, response: ServerResponse) => boolean;
}): Server {
  const corsOrigins = options.corsOrigins ?? [];
  const compiled = (options.routes ?? allRoutes).map(compile);
  const handlers = new Map<string, Promise<Handler>>();
  const loadHandler = (route: RouteDefinition): Promise<Handler> => {
    let loaded = handlers.get(route.id);
    if (!loaded) {
      loaded = buildEntry<Handler>(route.entry, options.container);
      handlers.set(route.id, loaded);
    }
    return loaded;
  };

  return createServer((request, response) => {
    if (options.pages?.(request, response)) return;
    const cors = corsHeaders(corsOrigins, request.headers.origin);
    const reply = (result: ApiResult) => send(response, { ...result, headers: { ...result.headers, ...cors } });
    if (request.method === 'OPTIONS') {
      // API Gateway answers preflights itself when CORS is configured, before any route or authorizer.
      response.writeHead(204, preflightHeaders(corsOrigins, request.headers.origin));
      response.end();
      return;
    }
    handle(request, reply).catch((error: unknown) => {
      console.error('local api: unexpected failure', error);
      reply({ statusCode: 500, body: JSON.stringify({ error: { code: 'INTERNAL_ERROR', message: 'Something went wrong on our side' } }) });
    });
  });

  async function handle(request: IncomingMessage, send: (result: ApiResult) => void): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const method = (request.method ?? 'GET').toUpperCase();
    const match = findRoute(compiled, method, url.pathname);
    if (match === 'malformed') {
      send(errorResult(400, 'MALFORMED_PATH', 'The path has a malformed percent-encoding'));
      return;
    }
    if (!match) {
      send(errorResult(404, 'ROUTE_NOT_FOUND', `No route ${method} ${url.pathname}`));
      return;
    }
    const body = await readBody(request);
    if (body === undefined) {
      send(errorResult(413, 'PAYLOAD_TOO_LARGE', 'Request payload too large'));
      return;
    }
    const event = await toEvent(request, url, method, match.route, match.pathParameters, body);
    const handler = await loadHandler(match.route);
    send(await handler(event, lambdaContext(match.route)));
  }
}

function findRoute(compiled: readonly CompiledRoute[], method: string, pathname: string) {
  for (const candidate of compiled) {
    if (candidate.route.method !== method) continue;
    const found = candidate.pattern.exec(pathname);
    if (!found) continue;
    try {
      const pathParameters = Object.fromEntries(candidate.parameterNames.map((name, i) => [name, decodeURIComponent(found[i + 1] ?? '')]));
      return { route: candidate.route, pathParameters };
    } catch {
      // API Gateway refuses such a path before any function runs; so do we.
      return 'malformed' as const;
    }
  }
  return undefined;
}

async function readBody(request: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > GATEWAY_MAX_PAYLOAD_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function authorizerContext(authorization: string | undefined) {
  const token = /^Bearer\s+(.+)$/i.exec(authorization ?? '')?.[1];
  if (!token) return undefined;
  const claims = await verifyDevToken(token);
  if (!claims) return undefined;
  const scopes = typeof claims.scope === 'string' ? claims.scope.split(' ').filter(Boolean) : [];
  return { jwt: { claims: claims as Record<string, string>, scopes }, principalId: '', integrationLatency: 0 };
}

async function toEvent(
  request: IncomingMessage,
  url: URL,
  method: string,
  route: RouteDefinition,
  pathParameters: Record<string, string>,
  body: string,
): Promise<ApiEvent> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
  }
  const queryStringParameters: Record<string, string> = {};
  for (const [name, value] of url.searchParams) {
    queryStringParameters[name] = name in queryStringParameters ? `${queryStringParameters[name]},${value}` : value;
  }
  const now = Date.now();
  return {
    version: '2.0',
    routeKey: routeKey(route),
    rawPath: url.pathname,
    rawQueryString: url.search.replace(/^\?/, ''),
    headers,
    ...(url.searchParams.size > 0 ? { queryStringParameters } : {}),
    ...(Object.keys(pathParameters).length > 0 ? { pathParameters } : {}),
    ...(body === '' ? {} : { body }),
    isBase64Encoded: false,
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'localhost',
      http: { method, path: url.pathname, protocol: 'HTTP/1.1', sourceIp: request.socket.remoteAddress ?? '127.0.0.1', userAgent: headers['user-agent'] ?? '' },
      requestId: randomUUID(),
      routeKey: routeKey(route),
      stage: '$default',
      time: new Date(now).toISOString(),
      timeEpoch: now,
      authorizer: (await authorizerContext(headers.authorization)) as ApiEvent['requestContext']['authorizer'],
    },
  } as ApiEvent;
}

function lambdaContext(route: RouteDefinition): Context {
  const deadline = Date.now() + 29_000;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: `local-${route.id}`,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:local-${route.id}`,
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/local-${route.id}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

function errorResult(statusCode: number, code: string, message: string): ApiResult {
  return { statusCode, headers: { 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify({ error: { code, message } }) };
}

function send(response: ServerResponse, result: ApiResult): void {
  response.writeHead(result.statusCode ?? 200, result.headers as Record<string, string>);
  response.end(result.body ?? '');
}

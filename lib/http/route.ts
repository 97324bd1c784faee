import type { z } from 'zod';

/**
 * A route is declared once, in its capability's route table (`lib/<capability>/*-routes.ts`); the
 * tables are merged in `lib/api/api.ts`. The CDK app builds the API Gateway route, its authorizer scope
 * and its Lambda function from it; the local stack serves it; the OpenAPI document is generated from it;
 * the handler takes its schemas and scope from it, and its answer is type-checked against the
 * response schema.
 */
export type RouteScope = 'public' | 'user' | 'coupons/admin' | 'coupons/orders' | 'coupons/import';
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
/** What a route's function may do to the table; infra grants exactly this. */
export type TableAccess = 'none' | 'read' | 'readWrite';

export interface RouteRequest {
  readonly body?: z.ZodType;
  readonly query?: z.ZodType;
  readonly path?: z.ZodType;
  readonly idempotencyKey?: 'required' | 'optional';
  /** An empty body is read as `{}` (the schema's defaults then apply) instead of a 400. */
  readonly bodyOptional?: boolean;
  /** Largest body accepted; default 64 KiB. */
  readonly maxBodyBytes?: number;
}

export interface RouteResponse {
  readonly status: number;
  /** The status of a replayed answer when it differs (a create replayed creates nothing: 200). */
  readonly replayStatus?: number;
  readonly schema?: z.ZodType;
  readonly description: string;
}

export interface RouteSpec<R extends RouteRequest = RouteRequest, S extends RouteResponse = RouteResponse> {
  readonly method: HttpMethod;
  readonly path: string;
  /** Handler module, relative to the repository root; it exports `build` and `handler`. */
  readonly entry: string;
  readonly scope: RouteScope;
  readonly tableAccess: TableAccess;
  readonly summary: string;
  readonly request: R;
  readonly response: S;
  /** Domain errors this route can answer with, beyond the generic 400/401/403/500. */
  readonly errors?: readonly number[];
  /** Steady-state requests per second and burst for this route on API Gateway. */
  readonly throttle?: { readonly rate: number; readonly burst: number };
  /** What the route's function sends besides table writes: campaign chunks to the queue, events to the bus. Infra grants exactly this. */
  readonly sends?: readonly ('chunks' | 'events')[];
  /** The code resources the route's function uses: the secret codes are hashed with, the export bucket, the generation queue. Infra grants exactly these. */
  readonly uses?: readonly ('codeSecret' | 'codeExports' | 'codeQueue' | 'importQueue' | 'audienceUploads')[];
  /**
   * Routes naming the same shared function are served by one Lambda function (their common `entry`
   * dispatches by route key). Only for small back-office reads and links: the service stack is near
   * CloudFormation's 500 resources, and a function of its own costs five of them.
   */
  readonly sharedFunction?: string;
}

/** A route with its id: the key it has in its route table. */
export type RouteDefinition<R extends RouteRequest = RouteRequest, S extends RouteResponse = RouteResponse> = RouteSpec<R, S> & { readonly id: string };

/** The route's key as API Gateway names it (`GET /v1/coupons/{couponId}`): in events, stage route settings and dispatch. */
export const routeKey = (route: Pick<RouteSpec, 'method' | 'path'>): string => `${route.method} ${route.path}`;

/** A capability's route table; each route's id is its key. */
export function defineRoutes<const T extends Record<string, RouteSpec>>(specs: T): { readonly [K in keyof T]: T[K] & { readonly id: K & string } } {
  return Object.fromEntries(Object.entries(specs).map(([id, spec]) => [id, { ...spec, id }])) as never;
}

type Infer<T> = T extends z.ZodType ? z.output<T> : undefined;
export type RouteBody<R extends RouteRequest> = Infer<R['body']>;
export type RouteQuery<R extends RouteRequest> = Infer<R['query']>;
export type RoutePath<R extends RouteRequest> = Infer<R['path']>;
type DeepReadonly<T> = T extends readonly (infer U)[] ? readonly DeepReadonly<U>[] : T extends object ? { readonly [K in keyof T]: DeepReadonly<T[K]> } : T;
/** What a handler must answer for a route: the input shape of its response schema (JSON-serialised as is), read-only or not. */
export type ResponseBody<S extends RouteResponse> = S['schema'] extends z.ZodType ? DeepReadonly<z.input<S['schema']>> : unknown;

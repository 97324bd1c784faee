import type { z } from 'zod';

/**
 * A route is declared once, here-shaped, in `lib/api/routes.ts`. The CDK app builds the API Gateway
 * route, its authorizer scope and its Lambda function from it; the local dev server serves it; the
 * OpenAPI document is generated from it; the handler takes its schemas and scope from it.
 */
export type RouteScope = 'public' | 'user' | 'coupons/admin' | 'coupons/orders';
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

export interface RouteDefinition<R extends RouteRequest = RouteRequest> {
  readonly id: string;
  readonly method: HttpMethod;
  readonly path: string;
  /** Handler module, relative to the repository root; it exports `handler`. */
  readonly entry: string;
  readonly scope: RouteScope;
  readonly tableAccess: TableAccess;
  readonly summary: string;
  readonly request: R;
  readonly response: { readonly status: number; readonly schema?: z.ZodType; readonly description: string };
  /** Domain conflicts this route can answer with, beyond the generic 400/401/403/500. */
  readonly errors?: readonly number[];
  /** Steady-state requests per second and burst for this route on API Gateway. */
  readonly throttle?: { readonly rate: number; readonly burst: number };
}

export const defineRoute = <R extends RouteRequest>(route: RouteDefinition<R>): RouteDefinition<R> => route;

type Infer<T> = T extends z.ZodType ? z.output<T> : undefined;
export type RouteBody<R extends RouteRequest> = Infer<R['body']>;
export type RouteQuery<R extends RouteRequest> = Infer<R['query']>;
export type RoutePath<R extends RouteRequest> = Infer<R['path']>;

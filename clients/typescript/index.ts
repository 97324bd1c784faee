import createClient, { type Client } from 'openapi-fetch';
import type { paths } from './api-types';

export type { components, paths } from './api-types';

/**
 * A typed client of the coupon API (openapi-fetch over the types openapi-typescript generates from the
 * OpenAPI document): paths, parameters, bodies and answers are checked by the compiler. Shops, the order
 * service and the back office can use it as it is; the campaign CLI and the HTTP tests do.
 */
export type CouponApiClient = Client<paths>;

export function couponApiClient(baseUrl: string, token?: string): CouponApiClient {
  return createClient<paths>({ baseUrl, ...(token ? { headers: { authorization: `Bearer ${token}` } } : {}) });
}

/** The stable code of an error answer (`error.code`); API Gateway's own 429 carries none. */
export function errorCode(answer: unknown): string | undefined {
  const code = (answer as { error?: { code?: unknown } } | undefined)?.error?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * What browsers may send and read, for every route: the CDK app configures API Gateway's CORS with it
 * and the local stack answers the same. The allowed origins are a deploy parameter (`corsOrigins`), none
 * by default: only the back office and shop front ends a team names may call the API from a browser.
 */
export const corsPolicy = {
  allowMethods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
  allowHeaders: ['authorization', 'content-type', 'idempotency-key'],
  exposeHeaders: ['retry-after', 'idempotent-replayed'],
  maxAgeSeconds: 3_600,
} as const;

/** `*` or exact origins (scheme, host and port), as API Gateway takes them. */
export function parseCorsOrigins(text: string | undefined): string[] {
  const origins = (text ?? '').split(',').map((origin) => origin.trim()).filter(Boolean);
  for (const origin of origins) {
    if (origin !== '*' && !/^https?:\/\/[^/\s]+$/.test(origin)) throw new Error(`corsOrigins: "${origin}" is not an origin like https://shop.example.com`);
  }
  return origins;
}

/** The CORS headers of an answer to `origin` (none when it is not allowed). */
export function corsHeaders(allowedOrigins: readonly string[], origin: string | undefined): Record<string, string> {
  if (!origin || allowedOrigins.length === 0) return {};
  const allowed = allowedOrigins.includes('*') ? '*' : allowedOrigins.includes(origin) ? origin : undefined;
  if (!allowed) return {};
  return { 'access-control-allow-origin': allowed, 'access-control-expose-headers': corsPolicy.exposeHeaders.join(','), ...(allowed === '*' ? {} : { vary: 'origin' }) };
}

/** The answer to a preflight (OPTIONS) request. */
export function preflightHeaders(allowedOrigins: readonly string[], origin: string | undefined): Record<string, string> {
  const headers = corsHeaders(allowedOrigins, origin);
  if (!headers['access-control-allow-origin']) return {};
  return {
    ...headers,
    'access-control-allow-methods': corsPolicy.allowMethods.join(','),
    'access-control-allow-headers': corsPolicy.allowHeaders.join(','),
    'access-control-max-age': String(corsPolicy.maxAgeSeconds),
  };
}

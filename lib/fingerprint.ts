import { createHash } from 'node:crypto';

/**
 * A request's fingerprint for idempotency: SHA-256 (base64url) of its JSON with object keys sorted, so
 * the same request always gives the same fingerprint whatever order its fields came in. Each use case
 * decides what identifies its request (and sorts lists whose order does not matter) before calling it:
 * a claim (the template ids), an order lock (user, coupons, cart), a campaign (template and audience),
 * a template creation (the whole input).
 */
export const requestFingerprint = (request: unknown): string => createHash('sha256').update(canonicalJson(request)).digest('base64url');

/** JSON with object keys sorted. */
export const canonicalJson = (value: unknown): string =>
  JSON.stringify(value, (_key, inner: unknown) =>
    inner && typeof inner === 'object' && !Array.isArray(inner) ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : inner,
  );

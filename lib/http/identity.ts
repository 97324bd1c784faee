import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import { AuthenticationError, PermissionError } from '../errors';
import { userIdString } from '../ids';
import type { RouteScope } from './route';

export interface Identity {
  /** The token's subject: the user id for shop routes, the calling system for back-office routes. */
  readonly subject: string;
  readonly scopes: ReadonlySet<string>;
}

/**
 * Identity comes only from the authorizer's context (API Gateway's JWT authorizer on AWS, the dev
 * server's verifier locally), never from the request body or headers.
 */
export function identityFromEvent(event: APIGatewayProxyEventV2WithJWTAuthorizer): Identity | undefined {
  const jwt = event.requestContext?.authorizer?.jwt;
  const subject = jwt?.claims?.sub;
  if (typeof subject !== 'string' || subject === '') return undefined;
  // The subject becomes a key (user partitions, order owners): one rule for it, checked here, once.
  if (!SUBJECT.safeParse(subject).success) {
    throw new AuthenticationError('The token\'s subject must be 1 to 128 characters with no "#" or whitespace', 'SUBJECT_NOT_ACCEPTED');
  }
  return { subject, scopes: new Set(scopesOf(jwt)) };
}

const SUBJECT = userIdString();

function scopesOf(jwt: { scopes?: string[] | null; claims: Record<string, unknown> }): string[] {
  if (Array.isArray(jwt.scopes) && jwt.scopes.length > 0) return jwt.scopes;
  // API Gateway fills `scopes` only for routes with authorization scopes; the claims always carry them.
  const claim = jwt.claims.scope ?? jwt.claims.scp;
  if (typeof claim === 'string') return claim.split(' ').filter(Boolean);
  if (Array.isArray(claim)) return claim.map(String);
  return [];
}

/** Checks the caller may use a route of this scope; API Gateway checks the same, this is defence in depth. */
export function authorize(event: APIGatewayProxyEventV2WithJWTAuthorizer, scope: RouteScope): Identity | undefined {
  if (scope === 'public') return undefined;
  const identity = identityFromEvent(event);
  if (!identity) throw new AuthenticationError();
  if (scope !== 'user' && !identity.scopes.has(scope)) throw new PermissionError(scope);
  return identity;
}

import { SignJWT, jwtVerify, type JWTPayload } from 'jose';

/**
 * Local stand-in for API Gateway's JWT authorizer. Tokens are HS256-signed with a development secret;
 * on AWS the issuer and audience are deploy-time parameters and keys come from the issuer's JWKS.
 */
export const DEV_ISSUER = 'https://coupons.local/dev-issuer';
export const DEV_AUDIENCE = 'coupons-api';
const secret = () => new TextEncoder().encode('local-development-secret-never-use-in-production');

export async function signDevToken(options: { sub: string; scope?: string; expiresIn?: string }): Promise<string> {
  return new SignJWT({ ...(options.scope ? { scope: options.scope } : {}) })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(options.sub)
    .setIssuer(DEV_ISSUER)
    .setAudience(DEV_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(options.expiresIn ?? '12h')
    .sign(secret());
}

/** The verified claims, or undefined for a missing, forged, expired or foreign token. */
export async function verifyDevToken(token: string): Promise<JWTPayload | undefined> {
  try {
    const { payload } = await jwtVerify(token, secret(), { issuer: DEV_ISSUER, audience: DEV_AUDIENCE, algorithms: ['HS256'] });
    return payload;
  } catch {
    return undefined;
  }
}

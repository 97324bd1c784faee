import { UserManager, WebStorageStateStore } from 'oidc-client-ts';

/**
 * Who is signed in, and how. The console reads `config.json` beside its index.html: on AWS the CDK app
 * writes the API's URL and the identity provider's issuer and client id there (OpenID Connect
 * authorization code with PKCE, through oidc-client-ts); the local stack answers with a development
 * sign-in that asks it for a token. Scopes in the token decide what the console shows.
 */
export type ConsoleConfig = {
  /** The API's base URL; empty when it is the console's own origin. */
  readonly apiUrl: string;
  readonly signIn: { readonly type: 'development' } | { readonly type: 'oidc'; readonly issuer: string; readonly clientId: string; readonly scopes: readonly string[] };
};

export type Session = { readonly token: string; readonly subject: string; readonly scopes: readonly string[]; readonly expiresAt: number };

export const ADMIN_SCOPE = 'coupons/admin';
const DEV_SESSION_KEY = 'coupons-console.dev-session';

export async function loadConfig(): Promise<ConsoleConfig> {
  const answer = await fetch(new URL('config.json', document.baseURI), { cache: 'no-store' });
  if (!answer.ok) throw new Error(`config.json: ${answer.status}`);
  return (await answer.json()) as ConsoleConfig;
}

/** The claims the console reads from an access token (it trusts the API to verify it). */
export function sessionOf(token: string): Session {
  const payload = JSON.parse(atob((token.split('.')[1] ?? '').replace(/-/g, '+').replace(/_/g, '/'))) as { sub?: string; scope?: string; scp?: string | string[]; exp?: number };
  const scopes = Array.isArray(payload.scp) ? payload.scp : (payload.scope ?? payload.scp ?? '').split(' ').filter(Boolean);
  return { token, subject: payload.sub ?? '', scopes, expiresAt: (payload.exp ?? 0) * 1_000 };
}

const userManagers = new Map<string, UserManager>();
function userManager(config: Extract<ConsoleConfig['signIn'], { type: 'oidc' }>): UserManager {
  let manager = userManagers.get(config.clientId);
  if (!manager) {
    manager = new UserManager({
      authority: config.issuer,
      client_id: config.clientId,
      redirect_uri: new URL('./', document.baseURI).href,
      post_logout_redirect_uri: new URL('./', document.baseURI).href,
      response_type: 'code',
      scope: ['openid', ...config.scopes].join(' '),
      userStore: new WebStorageStateStore({ store: window.sessionStorage }),
    });
    userManagers.set(config.clientId, manager);
  }
  return manager;
}

/** The session in this tab, finishing an OIDC redirect if the URL carries one. */
export async function currentSession(config: ConsoleConfig): Promise<Session | undefined> {
  if (config.signIn.type === 'development') {
    const token = sessionStorage.getItem(DEV_SESSION_KEY);
    const session = token ? sessionOf(token) : undefined;
    return session && session.expiresAt > Date.now() ? session : undefined;
  }
  const manager = userManager(config.signIn);
  const url = new URL(window.location.href);
  if (url.searchParams.has('code') && url.searchParams.has('state')) {
    const user = await manager.signinRedirectCallback();
    window.history.replaceState(null, '', `${url.pathname}#/templates`);
    return sessionOf(user.access_token);
  }
  const user = await manager.getUser();
  return user && !user.expired ? sessionOf(user.access_token) : undefined;
}

/** OIDC: off to the identity provider (the page unloads). */
export async function signInWithProvider(config: ConsoleConfig): Promise<void> {
  if (config.signIn.type !== 'oidc') throw new Error('not an OIDC configuration');
  await userManager(config.signIn).signinRedirect();
}

/** Development: the local stack signs a token for whoever and whatever scopes are asked (it exists only there). */
export async function developmentSignIn(subject: string, scopes: readonly string[]): Promise<Session> {
  const answer = await fetch(new URL('dev-sign-in', document.baseURI), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ subject, scopes }),
  });
  const body = (await answer.json()) as { accessToken?: string; error?: { message: string } };
  if (!answer.ok || !body.accessToken) throw new Error(body.error?.message ?? `sign-in failed (${answer.status})`);
  sessionStorage.setItem(DEV_SESSION_KEY, body.accessToken);
  return sessionOf(body.accessToken);
}

export async function signOut(config: ConsoleConfig): Promise<void> {
  sessionStorage.removeItem(DEV_SESSION_KEY);
  if (config.signIn.type === 'oidc') await userManager(config.signIn).removeUser();
}

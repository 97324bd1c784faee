import { couponApiClient, type CouponApiClient, type components } from '../../clients/typescript/index';

/** The console calls only the public API, through the typed client (openapi-fetch over the generated types). */
export type Api = CouponApiClient;
export const apiClient = (apiUrl: string, token: string): Api => couponApiClient(apiUrl, token);

/** Sent on window when the API no longer takes the session's token. */
export const SIGNED_OUT_EVENT = 'coupons-console:signed-out';

export type FieldIssue = { readonly path: string; readonly message: string };

/** An error answer of the API, with its stable code, its message and, for 400 VALIDATION_FAILED, the field issues. */
export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly issues: readonly FieldIssue[] = [],
  ) {
    super(message);
  }

  /** The issues of one field (its dotted path) and of the fields below it. */
  issuesAt(path: string): string[] {
    return this.issues.filter((issue) => issue.path === path || issue.path.startsWith(`${path}.`)).map((issue) => issue.message);
  }
}

type Answer<T> = { data?: T; error?: unknown; response: Response };

/** The data of a successful answer, or an ApiProblem. */
export async function unwrap<T>(call: Promise<Answer<T>>): Promise<T> {
  const { data, error, response } = await call;
  if (response.ok) return data as T;
  const body = (error ?? {}) as Partial<components['schemas']['Error']>;
  const details = body.error?.details as { issues?: FieldIssue[] } | undefined;
  // An expired or revoked token: the shell goes back to the sign-in page.
  if (response.status === 401) window.dispatchEvent(new Event(SIGNED_OUT_EVENT));
  throw new ApiProblem(response.status, body.error?.code ?? `HTTP_${response.status}`, body.error?.message ?? response.statusText, details?.issues ?? []);
}

export const messageOf = (error: unknown): string => (error instanceof ApiProblem ? `${error.message} (${error.code})` : error instanceof Error ? error.message : String(error));

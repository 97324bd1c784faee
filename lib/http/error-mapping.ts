import {
  AuthenticationError,
  ConflictError,
  ContentionError,
  DomainError,
  IdempotencyKeyReusedError,
  InvalidInputError,
  NotFoundError,
  PayloadTooLargeError,
  PermissionError,
  RateLimitedError,
  UnsupportedMediaTypeError,
} from '../errors';

export interface ErrorBody {
  readonly error: { readonly code: string; readonly message: string; readonly details?: unknown };
}

export interface HttpErrorResponse {
  readonly statusCode: number;
  readonly headers?: Record<string, string>;
  readonly body: ErrorBody;
}

/** Each domain error class, the status it answers with, and what that status means (the OpenAPI document says the same). */
const statusByErrorClass: ReadonlyArray<readonly [abstract new (...args: never[]) => DomainError, number, string]> = [
  [InvalidInputError, 400, 'Bad input: malformed JSON, a wrong or unknown field, a malformed path, a bad cursor or header'],
  [AuthenticationError, 401, 'No bearer token, an invalid one, or one whose subject cannot be a user id (1 to 128 characters, no "#" or whitespace)'],
  [PermissionError, 403, 'The token lacks the scope this route needs'],
  [NotFoundError, 404, 'No such resource (or not yours)'],
  [ConflictError, 409, 'The request contradicts the current state; the code and details say which'],
  [PayloadTooLargeError, 413, 'The body is larger than this route accepts'],
  [UnsupportedMediaTypeError, 415, 'The body is not sent as application/json'],
  [IdempotencyKeyReusedError, 422, 'The Idempotency-Key was used before with a different body'],
  [RateLimitedError, 429, 'Too many failed attempts; retry after the Retry-After seconds'],
  [ContentionError, 503, 'Too much contention on the same items right now; retry after the Retry-After seconds'],
];

const INTERNAL_ERROR_DESCRIPTION = 'Internal error (nothing about it is exposed)';

/** What an error status means, for the API's description. */
export const errorStatusDescription = (status: number): string =>
  status === 500 ? INTERNAL_ERROR_DESCRIPTION : (statusByErrorClass.find(([, code]) => code === status)?.[2] ?? 'Error');

/**
 * The one mapping from errors to HTTP answers. Domain errors show their code and message; anything
 * else is an internal error whose details stay in the logs, never in the response.
 */
export function toHttpError(error: unknown): HttpErrorResponse {
  if (error instanceof DomainError) {
    const entry = statusByErrorClass.find(([errorClass]) => error instanceof errorClass);
    if (entry) {
      const [, statusCode] = entry;
      return {
        statusCode,
        ...(error instanceof ContentionError ? { headers: { 'retry-after': '1' } } : {}),
        ...(error instanceof RateLimitedError ? { headers: { 'retry-after': String(error.retryAfterSeconds) } } : {}),
        body: { error: { code: error.code, message: error.message, ...(error.details === undefined ? {} : { details: error.details }) } },
      };
    }
  }
  return { statusCode: 500, body: { error: { code: 'INTERNAL_ERROR', message: 'Something went wrong on our side' } } };
}

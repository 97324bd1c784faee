import {
  AuthenticationError,
  ConflictError,
  ContentionError,
  DomainError,
  IdempotencyKeyReusedError,
  InvalidInputError,
  NotFoundError,
  PermissionError,
} from '../errors';

export interface ErrorBody {
  readonly error: { readonly code: string; readonly message: string; readonly details?: unknown };
}

export interface HttpErrorResponse {
  readonly statusCode: number;
  readonly headers?: Record<string, string>;
  readonly body: ErrorBody;
}

const statusByErrorClass: ReadonlyArray<readonly [abstract new (...args: never[]) => DomainError, number]> = [
  [InvalidInputError, 400],
  [AuthenticationError, 401],
  [PermissionError, 403],
  [NotFoundError, 404],
  [ConflictError, 409],
  [IdempotencyKeyReusedError, 422],
  [ContentionError, 503],
];

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
        body: { error: { code: error.code, message: error.message, ...(error.details === undefined ? {} : { details: error.details }) } },
      };
    }
  }
  return { statusCode: 500, body: { error: { code: 'INTERNAL_ERROR', message: 'Something went wrong on our side' } } };
}

/**
 * Domain errors. Each carries a stable machine-readable `code` that clients may switch on, a human
 * message, and optional structured details. The domain says what went wrong; `lib/http/error-mapping.ts`
 * alone decides which HTTP status that is.
 */
export abstract class DomainError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details?: unknown,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

export interface FieldIssue {
  /** Dotted path of the offending field, e.g. `effect.amountOff`; empty for the body as a whole. */
  readonly path: string;
  readonly message: string;
}

/** The request is malformed or a field is invalid. */
export class InvalidInputError extends DomainError {
  constructor(code: string, message: string, details?: unknown) {
    super(code, message, details);
  }
}

export class ValidationFailedError extends InvalidInputError {
  constructor(readonly issues: readonly FieldIssue[]) {
    super('VALIDATION_FAILED', `The request has ${issues.length} invalid field(s): ${issues.map((i) => i.path || '(body)').join(', ')}`, { issues });
  }
}

export class AuthenticationError extends DomainError {
  constructor(message = 'A valid bearer token is required', code = 'UNAUTHENTICATED') {
    super(code, message);
  }
}

/** The body is larger than the route accepts. */
export class PayloadTooLargeError extends DomainError {
  constructor(maxBytes: number) {
    super('BODY_TOO_LARGE', `The body must be at most ${maxBytes} bytes`, { maxBytes });
  }
}

/** The body is not declared as JSON. */
export class UnsupportedMediaTypeError extends DomainError {
  constructor(contentType: string | undefined) {
    super('UNSUPPORTED_MEDIA_TYPE', `The body must be sent as application/json${contentType ? `, not ${contentType}` : ' (no Content-Type was sent)'}`, { contentType: contentType ?? null });
  }
}

export class PermissionError extends DomainError {
  constructor(scope: string) {
    super('FORBIDDEN', `This route needs the scope "${scope}"`, { requiredScope: scope });
  }
}

export class NotFoundError extends DomainError {
  constructor(entity: string, id: string) {
    super(`${entity.toUpperCase()}_NOT_FOUND`, `No ${entity.replaceAll('_', ' ')} with id "${id}"`, { id });
  }
}

/** The request is well-formed but contradicts the current state (status, stock, limits, locks). */
export class ConflictError extends DomainError {}

/** The same idempotency key was sent with a different request. */
export class IdempotencyKeyReusedError extends DomainError {
  constructor() {
    super('IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was already used with a different request body');
  }
}

/** Too many concurrent writers on the same items; the client may retry after a short pause. */
export class ContentionError extends DomainError {
  constructor(message = 'The request met too much contention; retry shortly') {
    super('TRY_AGAIN', message);
  }
}

/** Too many attempts of a kind (failed code redemptions); the client may try again after `retryAfterSeconds`. */
export class RateLimitedError extends DomainError {
  constructor(
    code: string,
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(code, message, { retryAfterSeconds });
  }
}

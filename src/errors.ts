// One error class per failure condition, each with a stable `code` and, where it
// reaches HTTP, the `status` a receiver answers with.

export class GatewayError extends Error {
  readonly code: string = "GATEWAY_ERROR";
  readonly status: number = 500;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A YAML spec failed to parse or validate; `location` is FILE:LINE:COL. */
export class SpecError extends GatewayError {
  override readonly code = "SPEC_INVALID";
  constructor(
    readonly location: string,
    readonly resource: string,
    readonly fieldPath: string,
    readonly detail: string,
  ) {
    // Empty parts are left out so the line stays `FILE:LINE:COL Kind/name path: detail`.
    super(`${[location, resource, fieldPath].filter((part) => part !== "").join(" ")}: ${detail}`);
  }
}

/** A spec problem that does not stop it loading (e.g. a field Argo ignores); `validate --strict` fails on it. */
export class SpecWarning extends SpecError {
  readonly warning = true;
}

export class NotSupportedError extends GatewayError {
  override readonly code = "NOT_SUPPORTED";
}

export class PayloadTooLargeError extends GatewayError {
  override readonly code = "PAYLOAD_TOO_LARGE";
  override readonly status = 413;
}

/** Too many bytes of unverified bodies are held at once: the sender should retry shortly. */
export class BusyError extends GatewayError {
  override readonly code = "BUSY";
  override readonly status = 503;
}

export class UnauthorizedError extends GatewayError {
  override readonly code = "UNAUTHORIZED";
  override readonly status = 401;
}

export class ForbiddenError extends GatewayError {
  override readonly code = "FORBIDDEN";
  override readonly status = 403;
}

export class BadRequestError extends GatewayError {
  override readonly code = "BAD_REQUEST";
  override readonly status = 400;
}

export class MethodNotAllowedError extends GatewayError {
  override readonly code = "METHOD_NOT_ALLOWED";
  override readonly status = 405;
}

export class BusUnavailableError extends GatewayError {
  override readonly code = "BUS_UNAVAILABLE";
  override readonly status = 503;
}

export class SecretNotFoundError extends GatewayError {
  override readonly code = "SECRET_NOT_FOUND";
}

/** A resource with that name already exists (HTTP 409 AlreadyExists). */
export class AlreadyExistsError extends GatewayError {
  override readonly code = "ALREADY_EXISTS";
  override readonly status = 409;
}

/** The object changed since it was read (HTTP 409 Conflict on a stale resourceVersion). */
export class ConflictError extends GatewayError {
  override readonly code = "CONFLICT";
  override readonly status = 409;
}

/** The API rejected the object as invalid (HTTP 422), e.g. a bad name or a schema violation. */
export class InvalidError extends GatewayError {
  override readonly code = "INVALID";
  override readonly status = 422;
}

/** A submission failed validation against its WorkflowTemplate; a retry cannot fix it. */
export class SubmissionInvalidError extends GatewayError {
  override readonly code = "SUBMISSION_INVALID";
  override readonly status = 422;
}

export class NotFoundError extends GatewayError {
  override readonly code = "NOT_FOUND";
  override readonly status = 404;
}

/**
 * The Kubernetes API failed in a way a retry may fix (5xx, 429, unreachable);
 * `apiStatus` is the HTTP status it answered, 0 when none.
 */
export class ApiUnavailableError extends GatewayError {
  override readonly code = "API_UNAVAILABLE";
  override readonly status = 503;
  constructor(
    message: string,
    readonly apiStatus: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** An expression, path or template failed to compile or evaluate. */
export class ExpressionError extends GatewayError {
  override readonly code = "EXPRESSION_ERROR";
}

/** A trigger failed in a way a retry cannot fix. */
export class TriggerError extends GatewayError {
  override readonly code = "TRIGGER_FAILED";
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

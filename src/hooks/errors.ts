// A git provider's API failure as one of the gateway's typed errors, so `isRetryable`
// decides for every provider alike: 400, 401, 403, 404, 409, 422 and other 4xx are
// final; 408, 429, 5xx and no answer are worth another attempt. Messages name the
// call and the provider's words, never the request (it may carry a hook secret).
import {
  ApiUnavailableError,
  BadRequestError,
  ConflictError,
  ForbiddenError,
  GatewayError,
  InvalidError,
  NotFoundError,
  UnauthorizedError,
} from "../errors.js";

/** A 4xx without a class of its own in errors.ts (405, 410, 415, ...): final, with the provider's status. */
export class ProviderRequestError extends GatewayError {
  override readonly code = "PROVIDER_REQUEST";
  override readonly status: number;
  constructor(message: string, status: number, options?: { cause?: unknown }) {
    super(message, options);
    this.status = status;
  }
}

/** 408, 429, 5xx or no answer (`apiStatus` 0): retryable, after `retryAfterMs` when the provider said so. */
export class ProviderUnavailableError extends ApiUnavailableError {
  constructor(
    message: string,
    apiStatus: number,
    readonly retryAfterMs?: number,
    options?: { cause?: unknown },
  ) {
    super(message, apiStatus, options);
  }
}

/** The provider rate-limited the caller; `retryAfterMs` is how long it asks to wait. */
export class RateLimitedError extends ProviderUnavailableError {
  override readonly retryAfterMs: number;
  constructor(message: string, retryAfterMs: number, apiStatus: number) {
    super(message, apiStatus, retryAfterMs);
    this.retryAfterMs = retryAfterMs;
  }
}

/** `Retry-After` (seconds or an HTTP date) in milliseconds. */
export function parseRetryAfter(value: string | null | undefined, nowMs: number = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

/** The typed error for a provider's HTTP answer `status`; `description` is the provider's own message; `provider` "" when `what` names it. */
export function providerHttpError(provider: string, what: string, status: number, description: string, retryAfterMs?: number): GatewayError {
  const message = `${provider ? `${provider}: ` : ""}${what}: ${status}${description ? ` ${description}` : ""}`;
  switch (status) {
    case 400:
      return new BadRequestError(message);
    case 401:
      return new UnauthorizedError(message);
    case 403:
      return new ForbiddenError(message);
    case 404:
    case 410:
      return new NotFoundError(message);
    case 409:
      return new ConflictError(message);
    case 422:
      return new InvalidError(message);
  }
  if (status === 408 || status === 429 || status >= 500) return new ProviderUnavailableError(message, status, retryAfterMs);
  return new ProviderRequestError(message, status);
}

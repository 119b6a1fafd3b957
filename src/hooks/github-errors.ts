// A GitHub API failure as one of the gateway's typed errors, so `isRetryable` decides:
// 5xx, 429 and rate limits are retryable; 401, 403 (other than a rate limit), 404 and
// 422 are final. Messages name the call and GitHub's message, never the request: an
// octokit RequestError carries the request body (a hook secret) and is not kept as cause.
import { GatewayError } from "../errors.js";
import { ProviderUnavailableError, RateLimitedError, providerHttpError } from "./errors.js";

export { ProviderUnavailableError, RateLimitedError };

interface OctokitFailure {
  status?: unknown;
  message?: unknown;
  response?: { headers?: Record<string, string | number | undefined>; data?: unknown };
}

/** GitHub asks for at least a minute's pause after a secondary rate limit without retry-after. */
const SECONDARY_DEFAULT_WAIT_MS = 60_000;

function githubMessage(f: OctokitFailure): string {
  const data = f.response?.data as { message?: unknown } | undefined;
  if (data && typeof data.message === "string") return data.message;
  return typeof f.message === "string" ? f.message.split(" - ")[0] : "request failed";
}

/** How long a rate-limit answer asks to wait, or undefined when it is not one. */
function rateLimitWait(status: number, headers: Record<string, string | number | undefined>, message: string, nowMs: number): number | undefined {
  const retryAfter = headers["retry-after"];
  if (retryAfter !== undefined && (status === 403 || status === 429)) {
    const s = Number(retryAfter);
    return Number.isFinite(s) ? Math.max(0, s * 1000) : SECONDARY_DEFAULT_WAIT_MS;
  }
  if ((status === 403 || status === 429) && String(headers["x-ratelimit-remaining"]) === "0") {
    const reset = Number(headers["x-ratelimit-reset"]);
    return Number.isFinite(reset) ? Math.max(0, reset * 1000 - nowMs) : SECONDARY_DEFAULT_WAIT_MS;
  }
  if (status === 429 || (status === 403 && /rate limit/i.test(message))) return SECONDARY_DEFAULT_WAIT_MS;
  return undefined;
}

/** `err` (an octokit RequestError or anything thrown on the way) as a typed gateway error; `what` names the call. */
export function githubError(err: unknown, what: string, nowMs: number = Date.now()): GatewayError {
  if (err instanceof GatewayError) return err;
  const f = (err ?? {}) as OctokitFailure;
  const status = typeof f.status === "number" ? f.status : 0;
  const headers = f.response?.headers ?? {};
  const message = githubMessage(f);
  // octokit reports a network failure (no answer) as a status 500 without a response.
  if (status === 0 || (status === 500 && f.response === undefined)) {
    return new ProviderUnavailableError(`GitHub ${what}: no answer (${message})`, 0);
  }
  const wait = rateLimitWait(status, headers, message, nowMs);
  if (wait !== undefined) return new RateLimitedError(`GitHub ${what}: ${status} ${message}`, wait, status);
  return providerHttpError("GitHub", what, status, message);
}

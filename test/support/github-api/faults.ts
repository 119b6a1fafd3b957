// Fault injection: server errors and GitHub's rate-limit answers for the next N calls
// of an operation (or of every operation).
import { FaultQueue as SharedFaultQueue } from "../api-double.js";
import { ApiError } from "./types.js";

export interface Fault {
  /** Only these operations (operationIds such as "repos/list-webhooks"); default every operation. */
  operationId?: string | readonly string[];
  /**
   * "error" (default): a server error, `status` 500/502/503/504 (default 502).
   * "primary-rate-limit": 403 with x-ratelimit-remaining: 0 and x-ratelimit-reset.
   * "secondary-rate-limit": 403 (or `status` 429) with retry-after.
   */
  kind?: "error" | "primary-rate-limit" | "secondary-rate-limit";
  status?: number;
  /** Secondary rate limit's retry-after (default 60). */
  retryAfterSeconds?: number;
  /** Primary rate limit's reset, seconds from now (default 60). */
  resetInSeconds?: number;
}

export const RATE_LIMIT = 5000;

/** GitHub's faults are keyed by operationId, not by method and path, and answer ApiErrors. */
export class FaultQueue {
  private readonly queue = new SharedFaultQueue<Fault, string>(matches);

  add(n: number, fault: Fault): void {
    if (fault.kind === "error" || fault.kind === undefined) {
      const s = fault.status ?? 502;
      if (s < 500 || s > 599) throw new Error(`a server error fault needs a 5xx status, not ${s}`);
    }
    this.queue.add(n, fault);
  }

  clear(): void {
    this.queue.clear();
  }

  /** The error the next call of `operationId` answers, if a fault is armed for it. */
  take(operationId: string, nowMs: number): ApiError | undefined {
    const fault = this.queue.take(operationId);
    return fault && faultAnswer(fault, nowMs);
  }
}

function matches(f: Fault, operationId: string): boolean {
  if (f.operationId === undefined) return true;
  return typeof f.operationId === "string" ? f.operationId === operationId : f.operationId.includes(operationId);
}

const SERVER_ERRORS: Record<number, string> = { 500: "Server Error", 502: "Server Error", 503: "Service Unavailable", 504: "We couldn't respond to your request in time. Sorry about that. Please try resubmitting your request and contact us if the problem persists." };

function faultAnswer(f: Fault, nowMs: number): ApiError {
  const kind = f.kind ?? "error";
  if (kind === "primary-rate-limit") {
    const reset = Math.floor(nowMs / 1000) + (f.resetInSeconds ?? 60);
    return new ApiError(
      403,
      {
        message: "API rate limit exceeded for user ID 1. If you reach out to GitHub Support for help, please include the request ID 0000:0000:0000:0000:0000.",
        documentation_url: "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-primary-rate-limits",
        status: "403",
      },
      { "x-ratelimit-limit": String(RATE_LIMIT), "x-ratelimit-remaining": "0", "x-ratelimit-used": String(RATE_LIMIT), "x-ratelimit-reset": String(reset), "x-ratelimit-resource": "core" },
      true,
    );
  }
  if (kind === "secondary-rate-limit") {
    const status = f.status ?? 403;
    if (status !== 403 && status !== 429) throw new Error(`a secondary rate limit answers 403 or 429, not ${status}`);
    return new ApiError(
      status,
      {
        message: "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID 0000:0000:0000:0000:0000.",
        documentation_url: "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits",
        status: String(status),
      },
      { "retry-after": String(f.retryAfterSeconds ?? 60) },
      true,
    );
  }
  const status = f.status ?? 502;
  return new ApiError(status, { message: SERVER_ERRORS[status] ?? "Server Error", documentation_url: "https://docs.github.com/rest", status: String(status) }, {}, true);
}

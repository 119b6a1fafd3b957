// One provider API call with the project's retry loop (src/retry.ts), waiting out a
// Retry-After the provider asked for when it is longer than the backoff.
import { withRetry, type BackoffPolicy, type RetryHooks } from "../retry.js";
import { ProviderUnavailableError } from "./errors.js";

/** A few quick retries of one call; the hook manager's schedule covers longer outages. */
export const DEFAULT_HOOK_RETRY: BackoffPolicy = { steps: 5, durationMs: 500, factor: 2, jitter: 0.1 };

export interface RetryingCallOptions {
  retry?: BackoffPolicy;
  clock?: RetryHooks["clock"];
  onRetry?: RetryHooks["onRetry"];
  /** The longest Retry-After honoured between attempts. Default 60 s. */
  maxRetryAfterMs?: number;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** `fn`, retried while `isRetryable` says so; `convert` turns a client's error into a typed one. */
export async function retryingCall<T>(
  what: string,
  fn: () => Promise<T>,
  options: RetryingCallOptions,
  convert: (what: string, err: unknown) => unknown = (_w, e) => e,
): Promise<T> {
  let extraMs = 0;
  const base = options.clock ?? { sleep };
  return withRetry(
    options.retry ?? DEFAULT_HOOK_RETRY,
    async () => {
      try {
        return await fn();
      } catch (err) {
        throw convert(what, err);
      }
    },
    {
      clock: { sleep: (ms) => base.sleep(ms + extraMs) },
      onRetry: (err, attempt, delayMs) => {
        const asked = err instanceof ProviderUnavailableError ? (err.retryAfterMs ?? 0) : 0;
        extraMs = Math.max(0, Math.min(asked, options.maxRetryAfterMs ?? 60_000) - delayMs);
        options.onRetry?.(err, attempt, delayMs + extraMs);
      },
    },
  );
}

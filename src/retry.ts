// What is worth retrying, and the one in-process retry loop. Used by the sensor
// runner (retryStrategy attempts, bus redeliveries) and the binding dispatcher
// (Argo's DefaultRetry in place, bus redeliveries).
import { ExpressionError, GatewayError, NotSupportedError, SpecError, TriggerError } from "./errors.js";

// How far down a cause chain is looked at (a guard against cycles).
const MAX_CAUSE_DEPTH = 8;

/**
 * Whether another attempt may succeed. The one rule for every retry and redelivery.
 *
 * Not retryable when the error, or any error in its `cause` chain, is:
 * - a RangeError, SyntaxError or URIError: a stack overflow, an invalid length or
 *   a bad literal comes back the same on every attempt;
 * - a SpecError, ExpressionError or NotSupportedError: the spec is wrong;
 * - a TriggerError: a trigger failure declared final;
 * - a GatewayError with a 4xx status other than 408 and 429: the request itself is
 *   wrong (bad, unauthorized, forbidden, not found, already exists, conflict, invalid).
 * Everything else is retryable: the Kubernetes API or the bus unavailable
 * (ApiUnavailableError: 429, 5xx, unreachable; BusUnavailableError), a failed HTTP
 * request, any other 5xx GatewayError, and errors the gateway did not type (a reset
 * socket). Unknown means retry; the caller bounds the attempts.
 *
 * Argo Events' sensor retries a failed trigger per retryStrategy whatever the cause;
 * Argo Workflows' event dispatcher retries (retry.DefaultRetry) what
 * errorsutil.IsTransientErr finds transient in the root cause (429, unavailable,
 * timeouts, network). This retries what either would, less what cannot change.
 * Looking down the chain keeps a wrapper (`new GatewayError("failed to create
 * workflow: …", { cause })`) as final as what it wraps, as Go's %w does.
 */
export function isRetryable(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < MAX_CAUSE_DEPTH; e = e.cause, depth++) {
    if (isFinal(e)) return false;
  }
  return true;
}

function isFinal(e: Error): boolean {
  if (e instanceof RangeError || e instanceof SyntaxError || e instanceof URIError) return true;
  if (e instanceof SpecError || e instanceof ExpressionError || e instanceof NotSupportedError || e instanceof TriggerError) return true;
  return e instanceof GatewayError && e.status >= 400 && e.status < 500 && e.status !== 408 && e.status !== 429;
}

/** How often and how far apart to try (a parsed Argo `Backoff`). */
export interface BackoffPolicy {
  /** Attempts in all (the first one included). */
  steps: number;
  durationMs: number;
  factor: number;
  /** Each wait is lengthened by up to `jitter` times itself, at random. */
  jitter: number;
}

/** k8s.io/client-go's retry.DefaultRetry, which Argo Workflows' event dispatcher uses: 5 tries, 10 ms apart, 10% jitter. */
export const DEFAULT_RETRY: BackoffPolicy = { steps: 5, durationMs: 10, factor: 1, jitter: 0.1 };

/** The wait before attempt `n + 1` (n >= 1): duration * factor^(n-1), plus jitter. */
export function backoffDelay(p: BackoffPolicy, n: number, random: () => number = Math.random): number {
  const base = p.durationMs * (p.factor === 0 ? 1 : p.factor ** (n - 1));
  return p.jitter > 0 ? base + random() * p.jitter * base : base;
}

export interface RetryHooks {
  /** Waits between attempts; setTimeout by default. */
  clock?: { sleep(ms: number): Promise<void> };
  /** False: give up at once. isRetryable by default. */
  retryable?(err: unknown): boolean;
  onRetry?(err: unknown, attempt: number, delayMs: number): void;
  random?: () => number;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `attempt` up to `p.steps` times while its error is retryable, waiting between tries; rethrows the last error. */
export async function withRetry<T>(p: BackoffPolicy, attempt: (n: number) => Promise<T>, hooks: RetryHooks = {}): Promise<T> {
  const retryable = hooks.retryable ?? isRetryable;
  for (let n = 1; ; n++) {
    try {
      return await attempt(n);
    } catch (err) {
      if (n >= p.steps || !retryable(err)) throw err;
      const delay = backoffDelay(p, n, hooks.random);
      hooks.onRetry?.(err, n, delay);
      await (hooks.clock ? hooks.clock.sleep(delay) : sleep(delay));
    }
  }
}

// Signal handling of `serve`: a graceful drain bounded by a grace period.
import type { Logger } from "../logger.js";
import { errorMessage } from "../errors.js";

/** Kubernetes' default terminationGracePeriodSeconds; keep --grace-period below the pod's. */
export const DEFAULT_GRACE_PERIOD_MS = 30_000;

export interface ShutdownOptions {
  logger: Logger;
  gracePeriodMs: number;
  /** At once on the first signal: stop accepting (receivers 503, readiness off). */
  drain(): void;
  /** Then: finish what is in flight and close everything. */
  close(): Promise<void>;
  /** What is still held, logged when the grace period runs out or a second signal forces the exit. */
  inFlight(): unknown;
  /** Default process.exit. */
  exit?: (code: number) => void;
  /** Where SIGTERM/SIGINT come from; default the process. */
  signals?: Pick<NodeJS.EventEmitter, "on">;
}

export interface Shutdown {
  /** What a signal does; exposed for tests. */
  begin(signal: string): void;
}

/**
 * First SIGTERM/SIGINT: drain, then close; exit 0 when done within the grace
 * period, else log what is still in flight and exit 1 (JetStream redelivers what
 * was not acknowledged to the other processes). A second signal exits at once.
 */
export function handleShutdownSignals(o: ShutdownOptions): Shutdown {
  const exit = o.exit ?? ((code: number) => process.exit(code));
  let started: number | undefined;
  let done = false;
  const finish = (code: number): void => {
    if (done) return;
    done = true;
    exit(code);
  };
  const begin = (signal: string): void => {
    if (started !== undefined) {
      o.logger.warn({ signal, inFlight: o.inFlight() }, "shutdown: second signal, exiting now");
      finish(1);
      return;
    }
    started = Date.now();
    const t0 = started;
    o.logger.info({ signal, gracePeriodMs: o.gracePeriodMs }, "shutdown: draining");
    const timer = setTimeout(() => {
      o.logger.error(
        { gracePeriodMs: o.gracePeriodMs, inFlight: o.inFlight() },
        "shutdown: grace period expired with work in flight; what was not acknowledged is redelivered to other processes",
      );
      finish(1);
    }, o.gracePeriodMs);
    try {
      o.drain();
    } catch (err) {
      o.logger.error({ err: errorMessage(err) }, "shutdown: drain failed");
    }
    o.close().then(
      () => {
        clearTimeout(timer);
        o.logger.info({ ms: Date.now() - t0 }, "shutdown: complete");
        finish(0);
      },
      (err: unknown) => {
        clearTimeout(timer);
        o.logger.error({ err: errorMessage(err), ms: Date.now() - t0 }, "shutdown: failed");
        finish(1);
      },
    );
  };
  const signals = o.signals ?? process;
  signals.on("SIGTERM", () => begin("SIGTERM"));
  signals.on("SIGINT", () => begin("SIGINT"));
  return { begin };
}

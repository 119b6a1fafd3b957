// `serve --workers N`: N gateway processes on one machine, sharing its ports.
import cluster from "node:cluster";
import type { Logger } from "../logger.js";
import { parseRole, splitRole, type GatewayRole } from "./role.js";

/** Set in each worker's environment by the primary: "<index>/<count>", index from 1. */
export const WORKER_ENV = "TRIGGER_GATEWAY_WORKER";
/** Set by the primary of `--split-roles`: the worker's role. */
export const WORKER_ROLE_ENV = "TRIGGER_GATEWAY_ROLE";

const RESTART_DELAY_MS = 1000;

export interface WorkerSlot {
  /** 1-based. */
  index: number;
  count: number;
  /** Given by `--split-roles`; otherwise the worker runs what `--role` says. */
  role?: GatewayRole;
}

/** This process's slot, when a primary forked it; undefined in a single-process serve. */
export function workerSlot(env: NodeJS.ProcessEnv): WorkerSlot | undefined {
  if (!cluster.isWorker) return undefined;
  const m = /^(\d+)\/(\d+)$/.exec(env[WORKER_ENV] ?? "");
  if (!m) return undefined;
  const role = env[WORKER_ROLE_ENV];
  return { index: Number(m[1]), count: Number(m[2]), ...(role ? { role: parseRole(role) } : {}) };
}

/** `--workers` as given: a whole number from 1 to 64. */
export function parseWorkers(value: string | undefined): number {
  if (value === undefined) return 1;
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > 64) {
    throw new Error(`--workers ${value}: expected a whole number from 1 to 64`);
  }
  return Number(value);
}

/**
 * Worker k serves the admin port + k - 1: each process has its own metrics and
 * event-flow page, and a scrape is never answered by a random one of them.
 * Port 0 (any free port) stays 0.
 */
export function workerAdminPort(base: number, slot: WorkerSlot | undefined): number {
  return slot && base !== 0 ? base + slot.index - 1 : base;
}

/**
 * The primary of `serve --workers N`: forks N copies of this command, which share
 * the webhook and events ports (node:cluster hands each new connection to the next
 * worker). A worker that dies is forked again, unless it died before it was ever
 * ready: a start that fails (bad flags, no JetStream bus) would only fail again, so
 * the primary stops the others and exits with its code. SIGTERM/SIGINT go to every worker
 * (each drains as a single serve does) and the primary exits once they all have.
 * The workers share one durable JetStream consumer per trigger, exactly as
 * replicas on several machines do. `splitRoles`: each worker runs one half of the
 * gateway (see splitRole), so no event loop does both HTTP and triggers.
 */
export function superviseWorkers(count: number, logger: Logger, splitRoles = false): void {
  let stopping = false;
  let exitCode = 0;
  const draining = new Set<number>();
  const fork = (index: number): void => {
    const worker = cluster.fork({ [WORKER_ENV]: `${index}/${count}`, ...(splitRoles ? { [WORKER_ROLE_ENV]: splitRole(index, count) } : {}) });
    let ready = false;
    worker.on("message", (m: unknown) => {
      if (m === DRAINING_MESSAGE) draining.add(worker.id);
      if (m === READY_MESSAGE) ready = true;
    });
    worker.on("exit", (code, signal) => {
      if (!stopping && !ready) {
        logger.error({ worker: index, code, signal }, "worker failed to start; stopping");
        exitCode = code || 1;
        stop("SIGTERM");
      }
      if (stopping) {
        if (code !== 0 && exitCode === 0) exitCode = 1;
        if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(exitCode);
        return;
      }
      logger.error({ worker: index, code, signal }, `worker exited; starting it again in ${RESTART_DELAY_MS} ms`);
      setTimeout(() => fork(index), RESTART_DELAY_MS).unref();
    });
  };
  for (let i = 1; i <= count; i++) fork(i);
  logger.info(
    splitRoles ? { workers: count, receivers: Math.floor(count / 2), sensors: count - Math.floor(count / 2) } : { workers: count },
    "workers started",
  );
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) {
      // A second signal: the workers' own handlers exit at once on theirs.
      for (const w of Object.values(cluster.workers ?? {})) w?.process.kill(signal);
      return;
    }
    stopping = true;
    logger.info({ signal }, "shutdown: stopping the workers");
    if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(exitCode);
    // Ctrl-C reaches the workers too (one process group): only those that did not
    // start draining get the signal from us, or they would take it as a second one.
    setTimeout(() => {
      for (const w of Object.values(cluster.workers ?? {})) if (w && !draining.has(w.id)) w.process.kill(signal);
    }, 200).unref();
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

// What a worker tells the primary: it serves; its drain began.
const READY_MESSAGE = "trigger-gateway:ready";
const DRAINING_MESSAGE = "trigger-gateway:draining";

/** In a worker: tell the primary that this one serves (a later exit is a crash, restarted). */
export function reportReady(): void {
  if (cluster.isWorker) process.send?.(READY_MESSAGE);
}

/** In a worker: tell the primary that this one is draining already. */
export function reportDraining(): void {
  if (cluster.isWorker) process.send?.(DRAINING_MESSAGE);
}

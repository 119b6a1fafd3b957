// Parsers of flag values: each returns the value the command uses, or throws a
// UsageError that names the flag and the value ("--grace-period abc: ..."). Only
// light modules here: `--help`, `--version` and usage errors load nothing else.
import { isIP } from "node:net";
import { errorMessage } from "../errors.js";
import { parseGoDuration } from "../expr/duration.js";
// Leaf modules of gateway/, imported directly: the index would load the whole runtime for `--help`.
import { parseWorkers } from "../gateway/workers.js";
import { parseRole, type GatewayRole } from "../gateway/role.js";
import type { Provider } from "../commands/send.js";
import { SOURCE_TYPE_NAMES, isSourceType } from "../api/extension-points.js";
import { UsageError } from "./exit-codes.js";

/** Runs a parser that throws its own "--flag value: ..." message, as a UsageError. */
function usage<T>(parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    throw new UsageError(errorMessage(err));
  }
}

/** A repeatable flag (`--config a --config b`): every value, in order. */
export function repeatable(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** A Go duration (`30s`, `1m30s`), in milliseconds. */
export const duration =
  (flag: string) =>
  (value: string): number => {
    try {
      return parseGoDuration(value);
    } catch (err) {
      throw new UsageError(`${flag} ${value}: ${errorMessage(err)}`);
    }
  };

/**
 * The longest duration flag: Node's timers hold at most 2^31-1 ms (a little over
 * 596h) and fire at once past it, so a longer --grace-period would end the drain at once.
 */
export const MAX_DURATION_MS = 596 * 3_600_000;

/**
 * A duration flag none of whose values can be 0 or negative (--publish-deadline 0 would be
 * one 50 ms try, --ack-wait 0 spins the consumer's keep-alive timer, --grace-period 0 gives
 * up the drain at once), from 1ms, the gateway's resolution, to MAX_DURATION_MS.
 */
export const positiveDuration =
  (flag: string, example: string) =>
  (value: string): number => {
    const ms = duration(flag)(value);
    if (!(ms >= 1 && ms <= MAX_DURATION_MS)) throw new UsageError(`${flag} ${value}: expected a duration from 1ms to 596h, e.g. ${example}`);
    return ms;
  };

export const gracePeriod = positiveDuration("--grace-period", "30s");

const MAX_PORT = 65535;

/** A port to listen on, 0 = any free port. */
export const port =
  (flag: string) =>
  (value: string): number => {
    if (!/^\d+$/.test(value) || Number(value) > MAX_PORT) throw new UsageError(`${flag} ${value}: expected a port number (0 = any free port)`);
    return Number(value);
  };

/**
 * `CONFIGURED=ACTUAL`, repeatable; kept as given for serveCommand's parsePortMap. CONFIGURED
 * is a port a spec can name (1-65535), ACTUAL one to listen on (0 = any free port).
 */
export function portMapping(value: string, previous: string[] | undefined): string[] {
  const m = /^(\d+)=(\d+)$/.exec(value);
  if (!m) throw new UsageError(`--port ${value}: expected CONFIGURED=ACTUAL, e.g. 12000=0`);
  const [configured, actual] = [Number(m[1]), Number(m[2])];
  if (configured < 1 || configured > MAX_PORT) throw new UsageError(`--port ${value}: ${m[1]} is not a port a spec can name (1-65535)`);
  if (actual > MAX_PORT) throw new UsageError(`--port ${value}: ${m[2]} is not a port number (0-65535, 0 = any free port)`);
  return repeatable(value, previous);
}

/** `--workers N --admin-port P`: worker k serves P + k - 1 (workerAdminPort), and each must be a port. */
export function checkWorkerAdminPorts(workers: number, adminPort: number | undefined): void {
  if (workers < 2 || adminPort === undefined || adminPort === 0) return;
  const last = adminPort + workers - 1;
  if (last > MAX_PORT) {
    throw new UsageError(`--admin-port ${adminPort} with --workers ${workers}: worker ${workers} would serve ${last}; give ${MAX_PORT - workers + 1} or lower, or 0`);
  }
}

/** A DNS name: labels of letters, digits, '-' (and '_', as container runtimes' service names have), an optional final dot. */
const HOST_NAME = /^(?=.{1,253}\.?$)[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*\.?$/;

/**
 * `--host`: an IPv4 or IPv6 address, or a host name (resolved when serve listens). What can
 * only be meant as an address (digits and dots, or a ':') must be a well-formed one.
 */
export function host(value: string): string {
  if (isIP(value) !== 0) return value;
  if (/^[\d.]+$/.test(value)) throw new UsageError(`--host ${value}: not an IPv4 address (four numbers from 0 to 255, e.g. 127.0.0.1)`);
  if (value.includes(":") || value.startsWith("[")) throw new UsageError(`--host ${value}: not an IPv6 address (given without brackets, e.g. ::1)`);
  if (!HOST_NAME.test(value)) throw new UsageError(`--host ${value}: expected an IP address or a host name, e.g. 127.0.0.1, ::1 or localhost`);
  return value;
}

export function triggerConcurrency(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new UsageError(`--trigger-concurrency ${value}: expected a whole number of 1 or more`);
  return Number(value);
}

export function bindingMode(value: string): "durable" | "sync" {
  if (value !== "durable" && value !== "sync") throw new UsageError(`--binding-mode ${value}: expected durable or sync`);
  return value;
}

export const workers = (value: string): number => usage(() => parseWorkers(value));

export const role = (value: string): GatewayRole => usage(() => parseRole(value));

/** pino's levels, and `silent`. */
const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "fatal", "silent"];

export function logLevel(value: string): string {
  if (!LOG_LEVELS.includes(value)) throw new UsageError(`--log-level ${value}: expected one of ${LOG_LEVELS.join(", ")}`);
  return value;
}

export function serviceAccount(value: string): string {
  if (!/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/.test(value)) {
    throw new UsageError(`--default-service-account ${value}: expected a service account name (lower-case letters, digits, '-', '.')`);
  }
  return value;
}

export function provider(value: string): Provider {
  if (!isSourceType(value)) throw new UsageError(`--provider ${value}: expected ${SOURCE_TYPE_NAMES.join(", ")}`);
  return value;
}

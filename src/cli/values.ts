// Parsers of flag values: each returns the value the command uses, or throws a
// UsageError that names the flag and the value ("--grace-period abc: ..."). Only
// light modules here: `--help`, `--version` and usage errors load nothing else.
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

export function gracePeriod(value: string): number {
  const ms = duration("--grace-period")(value);
  if (!(ms > 0)) throw new UsageError(`--grace-period ${value}: expected a positive duration, e.g. 30s`);
  return ms;
}

/** A port to listen on, 0 = any free port. */
export const port =
  (flag: string) =>
  (value: string): number => {
    if (!/^\d+$/.test(value) || Number(value) > 65535) throw new UsageError(`${flag} ${value}: expected a port number (0 = any free port)`);
    return Number(value);
  };

/** `CONFIGURED=ACTUAL`, repeatable; kept as given for serveCommand's parsePortMap, whose rule this is. */
export function portMapping(value: string, previous: string[] | undefined): string[] {
  if (!/^(\d+)=(\d+)$/.test(value)) throw new UsageError(`--port ${value}: expected CONFIGURED=ACTUAL, e.g. 12000=0`);
  return repeatable(value, previous);
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

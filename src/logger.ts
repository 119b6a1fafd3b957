import { createRequire } from "node:module";
import { pino, type Logger } from "pino";
import { stdoutDestination } from "./log-destination.js";

export type { Logger };

// Secrets never reach a log line: fields with these names are censored. Explicit
// paths only: pino's `*.x` wildcards tripled the cost of every log call, a few
// per event at full load; the real guard is that no code logs a credential.
const REDACT = [
  "secret",
  "token",
  "password",
  "authorization",
  "auth.token",
  "auth.password",
  "auth.pass",
  "tls.key",
  'headers["authorization"]',
  'headers["x-gitlab-token"]',
  'headers["x-hub-signature"]',
  'headers["x-hub-signature-256"]',
];

export interface LoggerOptions {
  level?: string;
  destination?: NodeJS.WritableStream;
  /** "auto" (default): human-readable on a terminal, JSON lines otherwise (pipes, containers, files). */
  format?: "json" | "pretty" | "auto";
}

type PrettyFactory = (o: { colorize?: boolean; sync?: boolean; destination?: number }) => pino.DestinationStream;

// pino-pretty is optional at run time: without it (a production install) logs stay JSON.
function prettyStream(): pino.DestinationStream | undefined {
  try {
    const pretty = createRequire(import.meta.url)("pino-pretty") as PrettyFactory;
    return pretty({ colorize: true, sync: true, destination: 1 });
  } catch {
    return undefined;
  }
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const opts = { level: options.level ?? "info", redact: { paths: REDACT, censor: "[redacted]" } };
  if (options.destination) return pino(opts, options.destination as pino.DestinationStream);
  const format = options.format ?? "auto";
  const pretty = format === "pretty" || (format === "auto" && process.stdout.isTTY === true) ? prettyStream() : undefined;
  // Not pino's default destination: its flush at exit spins forever on a stdout whose reader is gone (log-destination.ts).
  return pino(opts, pretty ?? stdoutDestination());
}

/**
 * A stdout or stderr whose reader went away fails its writes (EPIPE): for a process that
 * runs until it is stopped (serve), that must neither crash it nor stop its shutdown.
 * Its lines are lost; the JSON logs stop on their own (log-destination.ts).
 */
export function surviveClosedStdio(): void {
  for (const stream of [process.stdout, process.stderr]) {
    if (!stream.listeners("error").includes(ignore)) stream.on("error", ignore);
  }
}

function ignore(): void {}

/** A logger that drops everything, for tests and library callers that pass none. */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}

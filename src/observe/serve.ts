import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Logger } from "../logger.js";
import { packageRoot } from "../paths.js";
import { GatewayError, errorMessage } from "../errors.js";
import { Observer } from "./observer.js";
import { readinessFlag } from "./readiness.js";
import { startAdminServer, type AdminServer } from "./admin-server.js";

export interface Observability {
  observer: Observer;
  admin: AdminServer;
  /** Marks the specs applied (and with them the bus connected and, under --kube, the watches synced). */
  ready(): void;
  close(): Promise<void>;
}

function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(join(packageRoot(), "package.json"), "utf8")) as { version?: string }).version ?? "unknown";
  } catch {
    return "unknown";
  }
}

/** Listen errors of the address rather than the port: a name that does not resolve, an address not on this machine. */
const HOST_ERRORS = new Set(["ENOTFOUND", "EAI_AGAIN", "EAI_FAIL", "EAI_NODATA", "EAI_NONAME", "EADDRNOTAVAIL"]);

/** Parses `--admin-port`: a port number, 0 for any free port. */
export function parseAdminPort(value: string): number {
  const port = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!(port >= 0 && port <= 65535)) throw new GatewayError(`--admin-port ${value}: expected a port number (0 = any free port)`);
  return port;
}

/**
 * For `serve`: the observer and its admin server, started before the specs load
 * so /healthz answers during startup while /readyz says 503 until `ready()`.
 */
export async function startObservability(o: { port: number; host?: string; allowedHosts?: readonly string[]; logger: Logger }): Promise<Observability> {
  const observer = new Observer({ logger: o.logger, version: packageVersion() });
  const specs = readinessFlag(false);
  specs.set(false, "specs not applied yet");
  observer.addReadinessCheck("specs", specs.check);
  let admin: AdminServer;
  try {
    admin = await startAdminServer({ observer, port: o.port, host: o.host, allowedHosts: o.allowedHosts, logger: o.logger });
  } catch (err) {
    // The first port serve listens on: a --host that does not resolve, or is no address of this machine, fails here.
    if (o.host !== undefined && HOST_ERRORS.has((err as NodeJS.ErrnoException).code ?? "")) {
      throw new GatewayError(`--host ${o.host}: ${errorMessage(err)} (expected an address or a name of this machine)`, { cause: err });
    }
    throw new GatewayError(`--admin-port ${o.port}: ${errorMessage(err)} (0 picks a free port)`, { cause: err });
  }
  o.logger.info({ url: admin.url }, "admin listening");
  return { observer, admin, ready: () => specs.set(true), close: () => admin.close() };
}

import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Logger } from "../logger.js";
import { errorMessage } from "../errors.js";
import { packageRoot } from "../paths.js";
import type { Observer } from "./observer.js";

export const DEFAULT_ADMIN_PORT = 7777;
const DEFAULT_EVENTS_LIMIT = 100;

export interface AdminServerOptions {
  observer: Observer;
  /** 0 = any free port. */
  port?: number;
  host?: string;
  logger?: Logger;
  /** Folder of the page's static files; default `src/observe/page` under the package root (works from dist too). */
  pageDir?: string;
  /**
   * Host names (besides `localhost` and IP addresses) the event-flow page and `/api/*`
   * answer to, e.g. the Service's DNS name. Anything else gets 421: a page on another
   * site that rebinds its own name to this address cannot read payload values.
   */
  allowedHosts?: readonly string[];
}

export interface AdminServer {
  readonly port: number;
  /** Base URL, e.g. http://127.0.0.1:7777 */
  readonly url: string;
  close(): Promise<void>;
}

// The page's files: a fixed list, so no request path ever reaches the file system.
const PAGE_FILES: Record<string, { file: string; type: string }> = {
  "/": { file: "index.html", type: "text/html; charset=utf-8" },
  "/index.html": { file: "index.html", type: "text/html; charset=utf-8" },
  "/app.js": { file: "app.js", type: "text/javascript; charset=utf-8" },
  "/style.css": { file: "style.css", type: "text/css; charset=utf-8" },
};

// The page renders text from payloads (filter reasons quote values): no inline script, no foreign origin.
const SECURITY_HEADERS: Record<string, string> = {
  "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'",
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
  "Cache-Control": "no-store",
};

function reply(res: ServerResponse, status: number, type: string, body: string | Buffer, extra: Record<string, string> = {}) {
  res.writeHead(status, { ...SECURITY_HEADERS, "Content-Type": type, ...extra });
  res.end(res.req.method === "HEAD" ? undefined : body);
}

const text = (res: ServerResponse, status: number, body: string, extra?: Record<string, string>) =>
  reply(res, status, "text/plain; charset=utf-8", body.endsWith("\n") ? body : body + "\n", extra);

const json = (res: ServerResponse, status: number, value: unknown) =>
  reply(res, status, "application/json; charset=utf-8", JSON.stringify(value));

function parseLimit(raw: string | null, max: number): number | undefined {
  if (raw === null || raw === "") return Math.min(DEFAULT_EVENTS_LIMIT, max);
  if (!/^\d+$/.test(raw)) return undefined;
  const n = Number(raw);
  return n >= 1 ? Math.min(n, max) : undefined;
}

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/** The host name of a Host header, lower case, without port; IPv6 literals keep their brackets. */
function hostName(host: string): string {
  const h = host.trim().toLowerCase();
  if (h.startsWith("[")) return h.slice(0, h.indexOf("]") + 1);
  const colon = h.lastIndexOf(":");
  return colon >= 0 ? h.slice(0, colon) : h;
}

/** localhost, an IP literal, or a name the operator allowed: names a rebinding page cannot own. */
export function hostAllowed(host: string | undefined, allowed: readonly string[] = []): boolean {
  if (!host) return false;
  const name = hostName(host).replace(/\.$/, "");
  if (name === "localhost" || name.endsWith(".localhost") || IPV4.test(name) || /^\[[0-9a-f:.]+\]$/.test(name)) return true;
  return allowed.some((a) => a.toLowerCase().replace(/\.$/, "") === name);
}

// Probes and scrapes carry whatever Host their configuration gives; they reveal no payload.
const ANY_HOST = new Set(["/metrics", "/healthz", "/readyz"]);

async function route(o: AdminServerOptions, pageDir: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? "/", "http://admin");
  if (req.method !== "GET" && req.method !== "HEAD") {
    return text(res, 405, "method not allowed", { Allow: "GET, HEAD" });
  }
  if (!ANY_HOST.has(url.pathname) && !hostAllowed(req.headers.host, o.allowedHosts)) {
    o.logger?.warn({ path: url.pathname }, "admin request for a Host this gateway does not answer to");
    return text(res, 421, "misdirected request: this Host is not one the admin port answers to (see --admin-allowed-hosts)");
  }
  const { observer } = o;
  switch (url.pathname) {
    case "/metrics": {
      const { contentType, body } = await observer.metrics.exposition();
      return reply(res, 200, contentType, body);
    }
    case "/healthz":
      return text(res, 200, "ok");
    case "/readyz": {
      // The format of the Kubernetes API server's verbose readyz: one [+]/[-] line per check.
      const { ready, checks } = await observer.readiness.evaluate();
      const lines = checks.map((c) => (c.ok ? `[+]${c.name} ok` : `[-]${c.name} failed${c.message ? `: ${c.message}` : ""}`));
      const failing = checks.filter((c) => !c.ok).map((c) => c.name);
      lines.push(ready ? "ready" : `not ready: ${failing.join(", ")}`);
      return text(res, ready ? 200 : 503, lines.join("\n"));
    }
    case "/api/flow":
      return json(res, 200, observer.recorder.flow());
    case "/api/events": {
      const limit = parseLimit(url.searchParams.get("limit"), observer.recorder.capacity);
      if (limit === undefined) return json(res, 400, { error: "limit must be a positive integer" });
      return json(res, 200, { events: observer.recorder.events(limit) });
    }
  }
  if (url.pathname.startsWith("/api/events/")) {
    let id: string;
    // `/api/events/<id>/event`: the event itself, to replay it with `test-sensor --event`.
    const whole = url.pathname.endsWith("/event");
    try {
      id = decodeURIComponent(url.pathname.slice("/api/events/".length, whole ? -"/event".length : undefined));
    } catch {
      return json(res, 400, { error: "malformed event id" });
    }
    if (whole) {
      const event = observer.recorder.event(id);
      return event ? json(res, 200, event) : json(res, 404, { error: `the payload of event ${id} is not (or no longer) kept` });
    }
    const explained = observer.recorder.explain(id);
    return explained ? json(res, 200, explained) : json(res, 404, { error: `event ${id} is not (or no longer) recorded` });
  }
  const page = PAGE_FILES[url.pathname];
  if (!page) return text(res, 404, "not found");
  let body: Buffer;
  try {
    body = await readFile(join(pageDir, page.file));
  } catch {
    // An install that left out src/observe/page: the APIs above still work.
    return text(res, 500, `event-flow page not installed: ${page.file} missing in ${pageDir}; /api/flow and /api/events still answer`);
  }
  return reply(res, 200, page.type, body);
}

/** The operator's port: /metrics, /healthz, /readyz, the event-flow API and page. */
export async function startAdminServer(o: AdminServerOptions): Promise<AdminServer> {
  const pageDir = o.pageDir ?? join(packageRoot(), "src", "observe", "page");
  const server: Server = createServer((req, res) => {
    route(o, pageDir, req, res).catch((err: unknown) => {
      o.logger?.error({ err: errorMessage(err), path: req.url }, "admin request failed");
      if (!res.headersSent) text(res, 500, "internal error");
      else res.destroy();
    });
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.once("error", reject);
    server.listen(o.port ?? DEFAULT_ADMIN_PORT, o.host, () => {
      server.off("error", reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
  server.on("error", (err) => o.logger?.error({ err: errorMessage(err) }, "admin server error"));
  const host = !o.host || o.host === "0.0.0.0" || o.host === "::" ? "127.0.0.1" : o.host.includes(":") ? `[${o.host}]` : o.host;
  return {
    port,
    url: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

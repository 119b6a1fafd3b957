import { type IncomingMessage, type RequestListener, type Server, type ServerResponse } from "node:http";
import type { EventSource } from "../api/index.js";
import type { EventBus } from "../eventbus/index.js";
import type { Logger } from "../logger.js";
import type { SecretStore } from "../config/index.js";
import { BusyError, PayloadTooLargeError, SpecError, errorMessage } from "../errors.js";
import { discardRest, BodyBudget, goHeaders, HttpDrain, webhookServer, closeServer, listen, urlHost } from "../http/index.js";
import type { OutcomeListener, Receiver, SourceType, WebhookResponse } from "./receiver.js";
import { buildReceivers } from "./sources.js";

export interface StartReceiversOptions {
  eventSources: EventSource[];
  bus: EventBus;
  /** Read on every request, so a rotated secret applies without a restart. */
  secrets: SecretStore;
  logger: Logger;
  /** Interface to listen on (default: all). */
  host?: string;
  /** Configured port -> port to listen on (0 = any free port); default the configured one. */
  portOverride?: (port: string) => number;
  onOutcome?: OutcomeListener;
  /** Unverified body bytes held at once across the ports (default DEFAULT_BODY_BUDGET_BYTES). */
  bodyBudget?: BodyBudget;
}

export interface ReceiverEndpoint {
  eventSource: string;
  eventName: string;
  type: SourceType;
  /** Full URL of the endpoint as actually listened on. */
  url: string;
}

export interface ReceiverServer {
  /** One entry per HTTP server: the configured port and the base URL actually listened on. */
  addresses(): { port: string; url: string }[];
  endpoints(): ReceiverEndpoint[];
  readonly receivers: readonly Receiver[];
  /**
   * Serve exactly these EventSources from now on: changed ones get new receivers,
   * unchanged ones keep theirs. An EventSource that fails keeps its previous
   * receivers (if it had any) and is reported.
   */
  replace(eventSources: EventSource[]): Promise<ReceiverFailure[]>;
  /**
   * Graceful shutdown: from now on every port answers 503 with Retry-After and
   * Connection: close; requests in flight go on and get their answer.
   */
  drain(): void;
  /** Requests being served now, over all ports. */
  inFlight(): number;
  /** Resolves once no request is in flight; the ports stay open (refusing, once drained). */
  settled(): Promise<void>;
  /** Drains, waits for the requests in flight (however long their publish takes), then closes the ports. */
  close(): Promise<void>;
}

interface Listener {
  port: string;
  server: Server;
  baseUrl: string;
}

/** path -> receivers on it; several only for distinct methods. */
type Routes = Map<string, Receiver[]>;

function routeTable(receivers: Receiver[]): Map<string, Routes> {
  const byPort = new Map<string, Routes>();
  for (const r of receivers) {
    let routes = byPort.get(r.port);
    if (!routes) byPort.set(r.port, (routes = new Map()));
    const list = routes.get(r.endpoint) ?? [];
    const clash = list.find((o) => o.method === r.method);
    if (clash) {
      throw new SpecError(
        `EventSource ${r.namespace}/${r.eventSourceName}`,
        `spec.${r.type}.${r.eventName}`,
        "endpoint",
        `${r.method} :${r.port}${r.endpoint} is already served by ${clash.eventSourceName}/${clash.eventName}`,
      );
    }
    list.push(r);
    routes.set(r.endpoint, list);
  }
  return byPort;
}

function send(res: ServerResponse, out: WebhookResponse): void {
  res.writeHead(out.status, { ...out.headers, "Content-Type": "text/plain; charset=utf-8", "Content-Length": Buffer.byteLength(out.body) });
  res.end(out.body);
}

/** The path and query of a request target; an absolute-form target keeps only its path. */
function target(url: string): { path: string; query: string } {
  let rest = url;
  if (!rest.startsWith("/")) {
    try {
      const u = new URL(rest);
      rest = `${u.pathname}${u.search}`;
    } catch {
      return { path: rest, query: "" };
    }
  }
  const q = rest.indexOf("?");
  return q >= 0 ? { path: rest.slice(0, q), query: rest.slice(q + 1) } : { path: rest, query: "" };
}

function decodedPath(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

/**
 * The request listener of one port. A plain route table, not a framework: this is
 * the hot path of every delivery, and exact-path lookup is all it needs.
 */
function app(currentRoutes: () => Routes | undefined, log: Logger, budget: BodyBudget): RequestListener {
  const serve = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const method = req.method ?? "GET";
    const { path, query } = target(req.url ?? "/");
    // Exact match, as the original's mux: /push never serves /push/x. Go's server
    // matches the decoded path (URL.Path), so /x%20y reaches an endpoint "/x y".
    const routes = currentRoutes();
    const list = routes?.get(path) ?? (path.includes("%") ? routes?.get(decodedPath(path)) : undefined);
    if (!list) {
      // Any method, as the original's health route; an endpoint named /health wins above.
      if (path === "/health") send(res, { status: 200, body: "OK" });
      else send(res, { status: 404, body: "not found" });
      return;
    }
    const receiver = list.find((r) => r.method === method) ?? (list[0] as Receiver);
    const headers = goHeaders(req);
    const refused = await receiver.precheck({ method, path, query, headers });
    if (refused) {
      refused.headers = { ...refused.headers, Connection: "close" };
      discardRest(req);
      send(res, refused);
      return;
    }
    let rawBody: Buffer;
    try {
      rawBody = await budget.read(req, res, receiver.maxPayloadSize);
    } catch (err) {
      const out = receiver.reject(err);
      if (err instanceof PayloadTooLargeError || err instanceof BusyError) {
        out.headers = { ...out.headers, Connection: "close" };
        discardRest(req);
      }
      send(res, out);
      return;
    }
    send(res, await receiver.handle({ method, path, query, headers, rawBody }));
  };
  return (req, res) => {
    serve(req, res).catch((err: unknown) => {
      log.error({ err: errorMessage(err) }, "unhandled receiver error");
      if (!res.headersSent) send(res, { status: 500, body: "internal error" });
      else res.destroy();
    });
  };
}

/** An EventSource the server could not (re)configure; its previous receivers, if any, stay. */
export interface ReceiverFailure {
  eventSource: EventSource;
  error: Error;
}

interface Served {
  json: string;
  receivers: Receiver[];
}

function sourceKey(es: EventSource): string {
  return `${es.metadata.namespace ?? "default"}/${es.metadata.name ?? ""}`;
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

/**
 * The receivers of every EventSource and one HTTP server per port. `replace`
 * swaps the route table in place: unchanged EventSources keep their receivers,
 * requests in flight finish on the receiver they started with, and a port is
 * opened or closed only when the first route arrives or the last one leaves.
 */
class ReceiverSet {
  private readonly listeners = new Map<string, Listener>();
  private served = new Map<string, Served>();
  private table = new Map<string, Routes>();
  private readonly log: Logger;
  private readonly budget: BodyBudget;
  private readonly http = new HttpDrain((res) => {
    res.statusCode = 503;
    res.setHeader("Content-Type", "text/plain; charset=utf-8");
    res.end("shutting down: send it again, another replica will take it");
  });

  constructor(private readonly options: StartReceiversOptions) {
    this.log = options.logger.child({ component: "eventsource" });
    this.budget = options.bodyBudget ?? new BodyBudget();
  }

  get receivers(): Receiver[] {
    return [...this.served.values()].flatMap((s) => s.receivers);
  }

  private build(es: EventSource): Receiver[] {
    const { bus, secrets, onOutcome } = this.options;
    return buildReceivers([es], { bus, secrets, logger: this.log, onOutcome });
  }

  async replace(eventSources: EventSource[]): Promise<ReceiverFailure[]> {
    const failures: ReceiverFailure[] = [];
    const next = new Map<string, Served>();
    const placed: Receiver[] = [];
    const owner = new Map<Receiver, EventSource>();
    // Adds the receivers to the routes unless one clashes with a route already placed.
    const place = (key: string, es: EventSource, served: Served): Error | undefined => {
      try {
        routeTable([...placed, ...served.receivers]);
      } catch (err) {
        return asError(err);
      }
      placed.push(...served.receivers);
      next.set(key, served);
      for (const r of served.receivers) owner.set(r, es);
      return undefined;
    };
    // Unchanged EventSources take their routes first: a changed one cannot take them over.
    const unchanged = (es: EventSource) => this.served.get(sourceKey(es))?.json === JSON.stringify(es.spec);
    const ordered = [...eventSources.filter(unchanged), ...eventSources.filter((es) => !unchanged(es))];
    for (const es of ordered) {
      const key = sourceKey(es);
      const old = this.served.get(key);
      const json = JSON.stringify(es.spec);
      if (old?.json === json) {
        const clash = place(key, es, old);
        if (clash) failures.push({ eventSource: es, error: clash });
        continue;
      }
      let fresh: Served;
      try {
        fresh = { json, receivers: this.build(es) };
      } catch (err) {
        failures.push({ eventSource: es, error: asError(err) });
        if (old) place(key, es, old);
        continue;
      }
      const clash = place(key, es, fresh);
      if (clash) {
        failures.push({ eventSource: es, error: clash });
        if (old) place(key, es, old);
      }
    }
    const table = routeTable(placed);
    // Ports already open serve the new routes from here on; new ports open below.
    this.served = next;
    this.table = table;
    for (const [port, routes] of table) {
      if (this.listeners.has(port)) continue;
      try {
        await this.listen(port);
      } catch (err) {
        const lost = new Set([...routes.values()].flat().map((r) => owner.get(r)).filter((e): e is EventSource => !!e));
        for (const es of lost) failures.push({ eventSource: es, error: asError(err) });
        table.delete(port);
      }
    }
    const unused = [...this.listeners.values()].filter((l) => !table.has(l.port));
    for (const l of unused) this.listeners.delete(l.port);
    await Promise.all(unused.map((l) => closeServer(l.server)));
    return failures;
  }

  private async listen(port: string): Promise<void> {
    // Ports opened during a drain (a late spec change) refuse too.
    const server = webhookServer(this.http.wrap(app(() => this.table.get(port), this.log, this.budget)));
    const actual = await listen(server, this.options.portOverride?.(port) ?? Number(port), this.options.host);
    server.on("error", (err) => this.log.error({ port, err: errorMessage(err) }, "receiver server error"));
    this.listeners.set(port, { port, server, baseUrl: `http://${urlHost(this.options.host)}:${actual}` });
  }

  addresses(): { port: string; url: string }[] {
    return [...this.listeners.values()].map((l) => ({ port: l.port, url: l.baseUrl }));
  }

  endpoints(): ReceiverEndpoint[] {
    return this.receivers
      .filter((r) => this.listeners.has(r.port) && this.table.get(r.port)?.get(r.endpoint)?.includes(r))
      .map((r) => ({
        eventSource: r.eventSourceName,
        eventName: r.eventName,
        type: r.type,
        url: `${this.listeners.get(r.port)?.baseUrl}${r.endpoint}`,
      }));
  }

  drain(): void {
    this.http.drain();
  }

  inFlight(): number {
    return this.http.requests;
  }

  settled(): Promise<void> {
    return this.http.settled();
  }

  async close(): Promise<void> {
    this.http.drain();
    await this.http.settled();
    const all = [...this.listeners.values()];
    this.listeners.clear();
    await Promise.all(all.map((l) => closeServer(l.server)));
  }
}

/** Builds every github / gitlab / webhook receiver and one HTTP server per distinct port. */
export async function startReceivers(options: StartReceiversOptions): Promise<ReceiverServer> {
  const set = new ReceiverSet(options);
  const failures = await set.replace(options.eventSources);
  if (failures.length > 0) {
    await set.close();
    throw failures[0].error;
  }
  return set;
}

// The events endpoint on its own HTTP server (--events-port, default 2746 as
// the Argo Server), served whether or not any EventSource is loaded.
import type { Server, ServerResponse } from "node:http";
import express, { type NextFunction, type Request, type Response } from "express";
import { BusyError, PayloadTooLargeError, errorMessage } from "../errors.js";
import { discardRest, BodyBudget, goHeaders, HttpDrain, webhookServer, closeServer, listen, urlHost } from "../http/index.js";
import { hasWebhookCredentials } from "./webhook-clients.js";
import { createEventHandler, errorResponse, MAX_EVENT_BODY, type BindingEndpointDeps, type EventResponse } from "./endpoint.js";

export const DEFAULT_EVENTS_PORT = 2746;

export interface BindingServerOptions extends BindingEndpointDeps {
  /** 0 = any free port. */
  port: number;
  host?: string;
  /** Unverified body bytes held at once (default: a budget of its own, DEFAULT_BODY_BUDGET_BYTES). */
  bodyBudget?: BodyBudget;
  /** Told the status of every answer (refusals before the body too), for metrics. */
  onResponse?: (status: number) => void;
}

export interface BindingServer {
  /** `http://host:port` actually listened on. */
  readonly url: string;
  /** Graceful shutdown: new requests get 503 with Retry-After; those in flight go on. */
  drain(): void;
  /** Requests being served now. */
  inFlight(): number;
  /** Resolves once no request is in flight; the port stays open (refusing, once drained). */
  settled(): Promise<void>;
  /** Drains, waits for the requests in flight, then closes the port. */
  close(): Promise<void>;
}

function send(res: Response, out: EventResponse): void {
  res.status(out.status);
  for (const [k, v] of Object.entries(out.headers ?? {})) res.setHeader(k, v);
  res.type("application/json").send(JSON.stringify(out.body));
}

export async function startBindingServer(options: BindingServerOptions): Promise<BindingServer> {
  const log = options.logger.child({ component: "binding-endpoint" });
  const handle = createEventHandler(options);
  const budget = options.bodyBudget ?? new BodyBudget();
  const app = express();
  app.disable("x-powered-by");
  app.set("etag", false);
  app.get("/health", (_req, res) => {
    res.type("text/plain").send("OK");
  });
  app.use(async (req: Request, res: Response, next: NextFunction) => {
    if (!req.path.startsWith("/api/v1/events/")) return next();
    // Answered without reading (the rest of) the body, which the client may still be sending.
    const refuse = (out: EventResponse): void => {
      res.setHeader("Connection", "close");
      discardRest(req);
      send(res, out);
    };
    const headers = goHeaders(req);
    // Path, method, a bearer token, or no credential at all: refused before a byte of the body is held.
    const refused =
      (await handle.precheck({ method: req.method, path: req.path, headersDistinct: req.headersDistinct, headers })) ??
      (req.headers.authorization === undefined && !hasWebhookCredentials(headers) ? errorResponse(401, "no bearer token and no webhook signature") : undefined);
    if (refused) {
      log.warn({ path: req.path, status: refused.status }, "event request refused before its body");
      return refuse(refused);
    }
    let rawBody: Buffer;
    try {
      rawBody = await budget.read(req, res, MAX_EVENT_BODY);
    } catch (err) {
      if (err instanceof BusyError) {
        refuse(errorResponse(503, err.message, { "Retry-After": "1" }));
      } else if (err instanceof PayloadTooLargeError) {
        refuse(errorResponse(413, "request body exceeds maximum size of 2MB"));
      } else {
        send(res, errorResponse(400, errorMessage(err)));
      }
      return;
    }
    send(res, await handle({ method: req.method, path: req.path, headersDistinct: req.headersDistinct, headers, rawBody }));
  });
  app.use((_req: Request, res: Response) => send(res, errorResponse(404, "not found")));
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    log.error({ err: errorMessage(err) }, "unhandled events endpoint error");
    if (!res.headersSent) send(res, errorResponse(500, "internal error"));
  });

  const drain = new HttpDrain((res) => {
    const out = errorResponse(503, "shutting down: send it again, another replica will take it");
    res.statusCode = out.status;
    res.setHeader("Content-Type", "application/json");
    res.end(JSON.stringify(out.body));
  });
  const server: Server = webhookServer(drain.wrap(app));
  const onResponse = options.onResponse;
  if (onResponse) server.on("request", (_req, res: ServerResponse) => res.once("close", () => onResponse(res.statusCode)));
  const port = await listen(server, options.port, options.host);
  server.on("error", (err) => log.error({ err: errorMessage(err) }, "events server error"));
  return {
    url: `http://${urlHost(options.host)}:${port}`,
    drain: () => drain.drain(),
    inFlight: () => drain.requests,
    settled: () => drain.settled(),
    close: async () => {
      drain.drain();
      await drain.settled();
      await closeServer(server);
    },
  };
}

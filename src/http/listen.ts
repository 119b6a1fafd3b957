import { createServer, type RequestListener, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** The host part of a URL for what we listen on: loopback for the wildcard addresses. */
export function urlHost(host: string | undefined): string {
  if (!host || host === "0.0.0.0" || host === "::") return "127.0.0.1";
  return host.includes(":") ? `[${host}]` : host;
}

/** Whole-request and header deadlines for webhook ports: providers send small bodies in seconds. */
export const WEBHOOK_HEADERS_TIMEOUT_MS = 10_000;
export const WEBHOOK_REQUEST_TIMEOUT_MS = 30_000;
/** Connections a webhook port holds at once; past it new ones are closed at once. */
export const WEBHOOK_MAX_CONNECTIONS = 1024;

/**
 * Bounds what a slow or idle client can hold: Node's defaults (60 s for headers, 300 s
 * for a request, no connection cap) let slow senders keep sockets for minutes.
 */
export function webhookServer(listener: RequestListener): Server {
  const server = createServer(
    {
      headersTimeout: WEBHOOK_HEADERS_TIMEOUT_MS,
      requestTimeout: WEBHOOK_REQUEST_TIMEOUT_MS,
      // The deadlines are checked this often (Node's default, 30 s, let them slip that long).
      connectionsCheckingInterval: 1_000,
    },
    listener,
  );
  server.maxConnections = WEBHOOK_MAX_CONNECTIONS;
  return server;
}

/** Listens and resolves to the actual port (port 0 = a free one). */
export function listen(server: Server, port: number, host: string | undefined): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** Closes idle keep-alive connections now and any stragglers after 5 s. */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    const force = setTimeout(() => server.closeAllConnections(), 5000);
    force.unref();
    server.close(() => {
      clearTimeout(force);
      resolve();
    });
    server.closeIdleConnections();
  });
}

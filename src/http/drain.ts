import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import { discardRest } from "./body.js";

/** Seconds a refused sender is told to wait; another replica should take it by then. */
export const DRAIN_RETRY_AFTER_SECONDS = 5;

/** How a draining server answers: the status is always 503. */
export type DrainRefusal = (res: ServerResponse) => void;

/**
 * Graceful drain of HTTP servers: counts the requests in flight and, once
 * draining, answers every new request 503 with `Retry-After` and
 * `Connection: close` while the ones in flight finish normally (and close their
 * connection too, so keep-alive clients reconnect elsewhere).
 */
export class HttpDrain {
  private draining = false;
  private readonly inFlight = new Set<ServerResponse>();
  private readonly waiters = new Set<() => void>();

  constructor(private readonly refuse: DrainRefusal) {}

  /** The server's request listener, counted and refused while draining. */
  wrap(listener: RequestListener): RequestListener {
    return (req: IncomingMessage, res: ServerResponse) => {
      if (this.draining) {
        // Read what the client still sends, so it can read the answer before the close.
        discardRest(req);
        res.setHeader("Retry-After", String(DRAIN_RETRY_AFTER_SECONDS));
        res.setHeader("Connection", "close");
        this.refuse(res);
        return;
      }
      this.inFlight.add(res);
      res.once("close", () => {
        this.inFlight.delete(res);
        if (this.inFlight.size === 0) for (const w of [...this.waiters]) w();
      });
      listener(req, res);
    };
  }

  get isDraining(): boolean {
    return this.draining;
  }

  /** Requests being served now. */
  get requests(): number {
    return this.inFlight.size;
  }

  /** From now on refuse new requests; those in flight go on and close their connection after answering. */
  drain(): void {
    if (this.draining) return;
    this.draining = true;
    for (const res of this.inFlight) if (!res.headersSent) res.setHeader("Connection", "close");
  }

  /** Resolves once no request is in flight. */
  settled(): Promise<void> {
    if (this.inFlight.size === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const w = (): void => {
        this.waiters.delete(w);
        resolve();
      };
      this.waiters.add(w);
    });
  }
}

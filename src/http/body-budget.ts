import type { IncomingMessage, ServerResponse } from "node:http";
import { readBody } from "./body.js";

/** Bytes of request bodies a process holds before they are verified, across all its ports. */
export const DEFAULT_BODY_BUDGET_BYTES = 64 * 1024 * 1024;

/**
 * A cap on unverified body bytes held at once: without one, many connections each
 * sending just under the size limit held hundreds of MB before any signature was
 * checked. Past it a request gets 503 with Retry-After, which providers retry.
 */
export class BodyBudget {
  private held = 0;

  constructor(readonly maxBytes = DEFAULT_BODY_BUDGET_BYTES) {}

  get inUse(): number {
    return this.held;
  }

  take(n: number): boolean {
    if (this.held + n > this.maxBytes) return false;
    this.held += n;
    return true;
  }

  give(n: number): void {
    this.held = Math.max(0, this.held - n);
  }

  /** Reads a body counted against the budget until the response is done. */
  async read(req: IncomingMessage, res: ServerResponse, limit: number): Promise<Buffer> {
    let held = 0;
    res.once("close", () => this.give(held));
    return readBody(req, limit, (n) => {
      if (!this.take(n)) return false;
      held += n;
      return true;
    });
  }
}

// The requests a Bitbucket Server instance makes when an event happens: one POST per
// active webhook subscribed to the event, with the headers of Bitbucket's "Event
// payload" page. Bitbucket Server does not retry a failed delivery.
import { createHmac, randomUUID } from "node:crypto";
import type { StoredHook } from "./store.js";

export interface DeliveryOutcome {
  hookId: number;
  url: string;
  /** X-Request-Id of this request. */
  requestId: string;
  headers: Record<string, string>;
  /** The answer's status; 0 when the connection failed. */
  status: number;
  responseBody: string;
  error?: string;
}

export const USER_AGENT = "Atlassian HttpClient 4.0.1 / Bitbucket-8.19.1 (8019001) / Default";

/** `sha256=` + the hex HMAC-SHA256 of the body with the webhook's secret. */
export function signature(secret: string, body: string | Buffer): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

export async function deliverEvent(hooks: StoredHook[], event: string, payload: unknown, requestId?: string): Promise<DeliveryOutcome[]> {
  const body = typeof payload === "string" ? payload : JSON.stringify(payload);
  const targets = hooks.filter((h) => h.active && h.events.includes(event));
  return Promise.all(
    targets.map(async (hook) => {
      const id = requestId ?? randomUUID();
      const headers: Record<string, string> = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        "X-Event-Key": event,
        "X-Request-Id": id,
      };
      const secret = hook.configuration.secret;
      if (secret) headers["X-Hub-Signature"] = signature(secret, body);
      try {
        const res = await fetch(hook.url, { method: "POST", headers, body, signal: AbortSignal.timeout(10_000) });
        return { hookId: hook.id, url: hook.url, requestId: id, headers, status: res.status, responseBody: await res.text() };
      } catch (err) {
        return { hookId: hook.id, url: hook.url, requestId: id, headers, status: 0, responseBody: "", error: err instanceof Error ? err.message : String(err) };
      }
    }),
  );
}

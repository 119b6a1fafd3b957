// The deliveries the double makes, as GitHub's Hookshot does: a POST to the hook's
// config.url with X-GitHub-Event, X-GitHub-Delivery (a GUID, the same on every
// redelivery), X-GitHub-Hook-ID, the installation-target headers, X-Hub-Signature
// (HMAC-SHA1) and X-Hub-Signature-256 (HMAC-SHA256) of the body with the hook secret,
// and a JSON body or a form body `payload=<json>` per config.content_type.
import { createHmac, randomUUID } from "node:crypto";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import type { GithubStore, StoredDelivery, StoredHook } from "./store.js";

export const HOOKSHOT_USER_AGENT = "GitHub-Hookshot/7f3b2c1";

export interface DeliveryContext {
  store: GithubStore;
  now: () => number;
  timeoutMs: number;
}

export interface DeliverOptions {
  event: string;
  payload: Record<string, unknown>;
  /** Reused by a redelivery; a new GUID otherwise. */
  guid?: string;
  redelivery?: boolean;
}

interface HttpOutcome {
  statusCode: number;
  status: string;
  headers: Record<string, string> | null;
  body: string | null;
}

/** Signs and sends one delivery to the hook's URL and records it (whatever the outcome). */
export async function deliver(ctx: DeliveryContext, hook: StoredHook, opts: DeliverOptions): Promise<StoredDelivery> {
  const guid = opts.guid ?? randomUUID();
  const json = JSON.stringify(opts.payload);
  const form = hook.config.content_type === "form";
  const body = form ? `payload=${encodeURIComponent(json)}` : json;
  const repo = hook.scope === "repository" ? ctx.store.repository(hook.owner) : undefined;
  const org = hook.scope === "organization" ? ctx.store.organization(hook.owner) : undefined;
  const headers: Record<string, string> = {
    Accept: "*/*",
    "Content-Type": form ? "application/x-www-form-urlencoded" : "application/json",
    "User-Agent": HOOKSHOT_USER_AGENT,
    "X-GitHub-Delivery": guid,
    "X-GitHub-Event": opts.event,
    "X-GitHub-Hook-ID": String(hook.id),
    "X-GitHub-Hook-Installation-Target-ID": String(repo?.id ?? org?.id ?? 0),
    "X-GitHub-Hook-Installation-Target-Type": hook.scope,
  };
  if (hook.config.secret) {
    headers["X-Hub-Signature"] = `sha1=${createHmac("sha1", hook.config.secret).update(body).digest("hex")}`;
    headers["X-Hub-Signature-256"] = `sha256=${createHmac("sha256", hook.config.secret).update(body).digest("hex")}`;
  }
  const started = ctx.now();
  const outcome = await post(hook.config.url, headers, body, hook.config.insecure_ssl === "1", ctx.timeoutMs);
  const delivery: StoredDelivery = {
    id: ctx.store.newDeliveryId(),
    hookId: hook.id,
    guid,
    deliveredAt: new Date(started).toISOString().replace(/\.\d{3}Z$/, "Z"),
    redelivery: opts.redelivery ?? false,
    duration: Math.max(0, ctx.now() - started) / 1000,
    status: outcome.status,
    statusCode: outcome.statusCode,
    event: opts.event,
    action: typeof opts.payload.action === "string" ? opts.payload.action : null,
    repositoryId: repo?.id ?? null,
    installationId: null,
    url: hook.config.url,
    request: { headers, payload: opts.payload },
    response: { headers: outcome.headers, payload: outcome.body },
  };
  ctx.store.deliveries.push(delivery);
  hook.lastResponse = outcome.statusCode === 0 ? { code: null, status: "misconfigured", message: outcome.status } : { code: outcome.statusCode, status: outcome.statusCode < 300 ? "active" : "misconfigured", message: outcome.status };
  return delivery;
}

function post(url: string, headers: Record<string, string>, body: string, insecure: boolean, timeoutMs: number): Promise<HttpOutcome> {
  return new Promise((resolve) => {
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      resolve({ statusCode: 0, status: "Invalid URL", headers: null, body: null });
      return;
    }
    const send = target.protocol === "https:" ? httpsRequest : httpRequest;
    const req = send(target, { method: "POST", headers: { ...headers, "Content-Length": String(Buffer.byteLength(body)) }, rejectUnauthorized: !insecure }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const code = res.statusCode ?? 0;
        const respHeaders: Record<string, string> = {};
        for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) respHeaders[k] = Array.isArray(v) ? v.join(", ") : v;
        resolve({ statusCode: code, status: code >= 200 && code < 300 ? "OK" : `Invalid HTTP Response: ${code}`, headers: respHeaders, body: Buffer.concat(chunks).toString("utf8") });
      });
      res.on("error", () => resolve({ statusCode: 0, status: "failed to connect to host", headers: null, body: null }));
    });
    req.setTimeout(timeoutMs, () => {
      req.destroy();
      resolve({ statusCode: 0, status: "timed out", headers: null, body: null });
    });
    req.on("error", () => resolve({ statusCode: 0, status: "failed to connect to host", headers: null, body: null }));
    req.end(body);
  });
}

/** The `ping` GitHub sends when a hook is created (its payload carries the hook). */
export function pingPayload(hookRepresentation: Record<string, unknown>, hook: StoredHook, store: GithubStore, apiUrl: string): Record<string, unknown> {
  const payload: Record<string, unknown> = { zen: "Keep it logically awesome.", hook_id: hook.id, hook: hookRepresentation };
  if (hook.scope === "repository") {
    const repo = store.repository(hook.owner);
    if (repo) payload.repository = { id: repo.id, name: repo.name, full_name: repo.fullName, url: `${apiUrl}/repos/${repo.fullName}` };
  } else {
    const org = store.organization(hook.owner);
    if (org) payload.organization = { id: org.id, login: org.login, url: `${apiUrl}/orgs/${org.login}` };
  }
  payload.sender = { login: "octocat", id: 1, type: "User" };
  return payload;
}

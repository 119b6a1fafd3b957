// HTTP handling: verbs, bodies, media types, and Status answers for failures.
import type { IncomingMessage, ServerResponse } from "node:http";
import { authorizeResource, requestUser, type RequestUser } from "./access.js";
import { AuthConfig, isReviewResource, subjectAccessReview, tokenReview } from "./auth.js";
import { APPLY_PATCH, JSON_PATCH, MERGE_PATCH, STRATEGIC_MERGE_PATCH, jsonPatch, mergePatch } from "./patch.js";
import { apiVersionOf, type ResourceRegistry } from "./resources.js";
import type { RbacAuthorizer } from "./rbac.js";
import { parseRoute } from "./routes.js";
import { selectorFromQuery } from "./selectors.js";
import { KubeApiError, badRequest, internal, methodNotAllowed, unsupportedMediaType, type KubeStatus } from "./status.js";
import type { ObjectStore } from "./store.js";
import { isRecord, type ResourceType } from "./types.js";
import { WatchHub, parseWatchQuery } from "./watch.js";

const MAX_BODY = 3 * 1024 * 1024; // the real server's default request size limit

export interface RequestRecord {
  method: string;
  path: string;
  query: Record<string, string>;
  contentType?: string;
  /** The bearer token the client sent, if any. */
  token?: string;
  /** With RBAC on: the user the request acted as (after impersonation). */
  user?: string;
}

/** A failure the next matching request(s) get instead of being served (retry/backoff tests). */
export interface InjectedFailure {
  method?: string;
  /** Exact pathname or a pattern tested against it. */
  path?: string | RegExp;
  code: number;
  reason?: string;
  message?: string;
  /** How many requests fail (default 1). */
  times?: number;
  retryAfterSeconds?: number;
}

const DEFAULT_REASONS: Record<number, string> = {
  429: "TooManyRequests",
  500: "InternalError",
  503: "ServiceUnavailable",
  504: "Timeout",
};

export interface RouterDeps {
  registry: ResourceRegistry;
  store: ObjectStore;
  watches: WatchHub;
  auth: AuthConfig;
  requests: RequestRecord[];
  failures: InjectedFailure[];
  /** Set: every request is authenticated, impersonation checked and RBAC enforced. */
  rbac?: RbacAuthorizer;
}

function mediaType(header: string | undefined): string {
  return (header ?? "").split(";")[0].trim().toLowerCase();
}

function notImplemented(message: string): KubeApiError {
  return new KubeApiError({ kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason: "NotImplemented", code: 501 });
}

function sendJson(res: ServerResponse, code: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text), ...headers });
  res.end(text);
}

function sendStatus(res: ServerResponse, status: KubeStatus, headers: Record<string, string> = {}): void {
  sendJson(res, status.code, status, headers);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const b = chunk as Buffer;
    size += b.length;
    if (size > MAX_BODY) {
      throw new KubeApiError({
        kind: "Status",
        apiVersion: "v1",
        metadata: {},
        status: "Failure",
        message: "the request is too large",
        reason: "RequestEntityTooLarge",
        code: 413,
      });
    }
    chunks.push(b);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw badRequest(`couldn't get version/kind; json parse error: ${err instanceof Error ? err.message : String(err)}`);
  }
}

async function jsonBody(req: IncomingMessage): Promise<unknown> {
  const ct = mediaType(req.headers["content-type"]);
  if (ct !== "" && ct !== "application/json" && ct !== "*/*") throw unsupportedMediaType(["application/json"]);
  return parseJson(await readBody(req));
}

function takeFailure(deps: RouterDeps, method: string, path: string): InjectedFailure | undefined {
  const i = deps.failures.findIndex(
    (f) =>
      (f.method === undefined || f.method.toUpperCase() === method) &&
      (f.path === undefined || (typeof f.path === "string" ? f.path === path : f.path.test(path))),
  );
  if (i < 0) return undefined;
  const f = deps.failures[i];
  const left = (f.times ?? 1) - 1;
  if (left <= 0) deps.failures.splice(i, 1);
  else deps.failures[i] = { ...f, times: left };
  return f;
}

function listBody(rt: ResourceType, r: ReturnType<ObjectStore["list"]>): Record<string, unknown> {
  const metadata: Record<string, unknown> = { resourceVersion: r.resourceVersion };
  if (r.continue) metadata.continue = r.continue;
  if (r.remainingItemCount !== undefined) metadata.remainingItemCount = r.remainingItemCount;
  // Typed (core) lists carry apiVersion/kind on the list only; CR lists keep them on every item.
  const items = rt.custom
    ? r.items
    : r.items.map((o) => {
        const { apiVersion: _a, kind: _k, ...rest } = o;
        return rest;
      });
  return { apiVersion: apiVersionOf(rt), kind: `${rt.kind}List`, metadata, items };
}

export function createHandler(deps: RouterDeps): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    handle(deps, req, res).catch((err: unknown) => {
      const status = err instanceof KubeApiError ? err.status : internal(err instanceof Error ? err.message : String(err)).status;
      if (res.headersSent) res.end();
      else sendStatus(res, status);
    });
  };
}

async function handle(deps: RouterDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const method = (req.method ?? "GET").toUpperCase();
  const url = new URL(req.url ?? "/", "http://localhost");
  const auth = req.headers.authorization;
  const rec: RequestRecord = { method, path: url.pathname, query: Object.fromEntries(url.searchParams) };
  if (req.headers["content-type"]) rec.contentType = req.headers["content-type"];
  if (auth?.startsWith("Bearer ")) rec.token = auth.slice(7);
  deps.requests.push(rec);

  const injected = takeFailure(deps, method, url.pathname);
  if (injected) {
    const reason = injected.reason ?? DEFAULT_REASONS[injected.code] ?? "InternalError";
    const status: KubeStatus = {
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: injected.message ?? `injected failure (${reason})`,
      reason,
      code: injected.code,
    };
    const headers: Record<string, string> = {};
    if (injected.retryAfterSeconds !== undefined) {
      status.details = { retryAfterSeconds: injected.retryAfterSeconds };
      headers["Retry-After"] = String(injected.retryAfterSeconds);
    }
    await readBody(req);
    sendStatus(res, status, headers);
    return;
  }

  let user: RequestUser | undefined;
  if (deps.rbac) {
    user = requestUser(deps.auth, deps.rbac, req);
    rec.user = user.username;
  }
  const route = parseRoute(url.pathname, deps.registry);
  // Discovery is open to every authenticated user (the system:discovery binding).
  if (route.type === "discovery") {
    if (method !== "GET") throw methodNotAllowed();
    sendJson(res, 200, route.body);
    return;
  }
  const { rt, namespace, name, subresource } = route;
  const q = url.searchParams;
  if (deps.rbac && user) authorizeResource(deps.rbac, user, method, route, q.get("watch") === "true" || q.get("watch") === "1");
  const { store } = deps;

  if (isReviewResource(rt)) {
    if (method !== "POST" || name !== undefined) throw methodNotAllowed(rt);
    const body = await jsonBody(req);
    if (!isRecord(body)) throw badRequest("the body of the request must be a JSON object");
    sendJson(res, 201, rt.kind === "TokenReview" ? tokenReview(deps.auth, body) : subjectAccessReview(deps.auth, body));
    return;
  }

  const crossNamespace = rt.namespaced && namespace === undefined;
  if (name === undefined) {
    if (method === "GET") {
      const match = selectorFromQuery(q.get("labelSelector"), q.get("fieldSelector"));
      if (q.get("watch") === "true" || q.get("watch") === "1") {
        deps.watches.serve(res, { rt, namespace, match, ...parseWatchQuery(q) });
        return;
      }
      const limit = q.get("limit");
      const result = store.list(rt, namespace, match, limit ? Number(limit) : undefined, q.get("continue") ?? undefined);
      sendJson(res, 200, listBody(rt, result));
      return;
    }
    if (method === "POST" && !crossNamespace) {
      sendJson(res, 201, store.create(rt, namespace, await jsonBody(req)));
      return;
    }
    throw methodNotAllowed(rt);
  }

  switch (method) {
    case "GET":
      sendJson(res, 200, store.get(rt, namespace, name));
      return;
    case "PUT":
      sendJson(res, 200, store.update(rt, namespace, name, await jsonBody(req), subresource));
      return;
    case "PATCH": {
      const ct = mediaType(req.headers["content-type"]);
      // Strategic merge needs Go struct tags, which custom resources do not have: 415 like the real server.
      const accepted = rt.custom ? [JSON_PATCH, MERGE_PATCH, APPLY_PATCH] : [JSON_PATCH, MERGE_PATCH, STRATEGIC_MERGE_PATCH, APPLY_PATCH];
      if (!accepted.includes(ct)) throw unsupportedMediaType(accepted);
      if (ct === APPLY_PATCH) throw notImplemented("server-side apply (application/apply-patch+yaml) is not implemented by this test server");
      const patch = parseJson(await readBody(req));
      const current = store.get(rt, namespace, name);
      const patched = ct === JSON_PATCH ? jsonPatch(current, patch) : mergePatch(current, patch);
      sendJson(res, 200, store.applyPatched(rt, namespace, name, patched, subresource));
      return;
    }
    case "DELETE": {
      if (subresource) throw methodNotAllowed(rt);
      const text = await readBody(req);
      const opts = text.trim() === "" ? {} : parseJson(text);
      const pre = isRecord(opts) && isRecord(opts.preconditions) ? opts.preconditions : undefined;
      const preconditions = pre
        ? {
            uid: typeof pre.uid === "string" ? pre.uid : undefined,
            resourceVersion: typeof pre.resourceVersion === "string" ? pre.resourceVersion : undefined,
          }
        : undefined;
      sendJson(res, 200, store.delete(rt, namespace, name, preconditions));
      return;
    }
    default:
      throw methodNotAllowed(rt);
  }
}

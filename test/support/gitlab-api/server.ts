// A GitLab REST API test double (node:http, 127.0.0.1, port 0): project and group
// webhooks, their events and resend, auth, pagination, GitLab's error bodies,
// fault injection, and the deliveries a GitLab instance makes.
import { readFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { join } from "node:path";
import { packageRoot } from "../../../src/paths.js";
import { answering, FaultQueue, HttpError, listenLocal, matchRequest, mediaType, parseJson, readBody, recordRequest, writeAnswer, type Answer, type RecordedRequest, type RequestLine, type Violation } from "../api-double.js";
import { hookResponse, parseHookParams, urlProblem, type HookScope, type StoredHook } from "./attributes.js";
import { deliverEvent, GITLAB_EVENTS, hookEventResponse, resendEvent, statusFilter, testHook, type DeliveryContext, type DeliveryOutcome } from "./delivery.js";
import { GitlabStore, type GroupSpec, type HookEvent, type ProjectSpec } from "./store.js";

/** What a token may manage: everything, or the listed projects / groups (ids or paths). */
export type TokenAccess = "all" | { projects?: Array<string | number>; groups?: Array<string | number> };

export interface GitlabApiOptions {
  /** Default: project 1 "cmp/al-cloud". */
  projects?: ProjectSpec[];
  /** Default: group 10 "cmp". */
  groups?: GroupSpec[];
  /** Default: { "glpat-test-token": "all" }. Sent as PRIVATE-TOKEN or Authorization: Bearer. */
  tokens?: Record<string, TokenAccess>;
  /** The clock for auto-disabling, resend rate limits and events. Default Date.now. */
  now?: () => number;
  /** User-Agent GitLab/<version>. Default "17.11.0". */
  version?: string;
  /** GitLab.com's webhook timeout is 10 s. */
  deliveryTimeoutMs?: number;
}

// A violation is a request GitLab would refuse or silently misread.
export type { RecordedRequest, Violation };

export interface Fault {
  /** 5xx or 429. Default 503. */
  status?: number;
  /** Retry-After in seconds (429 always carries it, default 60). */
  retryAfterSeconds?: number;
  /** Only requests this matches use up the fault. Default: every API request. */
  match?: (req: RequestLine) => boolean;
}

export interface GitlabApi {
  /** http://127.0.0.1:PORT, the `host` for @gitbeaker/rest. */
  readonly url: string;
  /** url + "/api/v4". */
  readonly apiUrl: string;
  /** Every stored hook with its token (which the API never returns), by id. */
  readonly hooks: StoredHook[];
  readonly requests: RecordedRequest[];
  readonly violations: Violation[];
  /** Every execution of a hook (deliveries, resends, tests). */
  readonly events: HookEvent[];
  /** Delivers an event of a project as GitLab does, to its hooks and its groups' hooks. */
  deliver(opts: { projectId: string | number; event: string; payload: unknown }): Promise<DeliveryOutcome[]>;
  /** The next `n` matching API requests answer `fault.status`. */
  failNext(n: number, fault?: Fault): void;
  close(): Promise<void>;
}

const notFound = (what: string): HttpError => new HttpError(404, { message: `404 ${what} Not Found` });
const TEST_TRIGGER_FIXTURES: Record<string, string> = {
  push_events: "push.json",
  tag_push_events: "tag-push.json",
  issues_events: "issue.json",
  confidential_issues_events: "issue.json",
  note_events: "note-issue.json",
  merge_requests_events: "merge-request.json",
  job_events: "job.json",
  pipeline_events: "pipeline.json",
  wiki_page_events: "wiki-page.json",
  releases_events: "release.json",
  emoji_events: "emoji.json",
  resource_access_token_events: "access-token-project.json",
};
const RESEND_LIMIT_PER_MINUTE = 5;

export async function startGitlabApi(options: GitlabApiOptions = {}): Promise<GitlabApi> {
  const store = new GitlabStore(options.projects ?? [{ id: 1, path: "cmp/al-cloud" }], options.groups ?? [{ id: 10, path: "cmp" }]);
  const tokens = options.tokens ?? { "glpat-test-token": "all" };
  const now = options.now ?? Date.now;
  const requests: RecordedRequest[] = [];
  const violations: Violation[] = [];
  const faults = new FaultQueue<Fault>(matchRequest);
  const resendTimes = new Map<string, number[]>();
  let baseUrl = "";
  const ctx = (): DeliveryContext => ({ store, now, instanceUrl: baseUrl, version: options.version ?? "17.11.0", timeoutMs: options.deliveryTimeoutMs ?? 10_000 });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { url: raw, record } = recordRequest(requests, req);
    const { method } = record;
    const answer = await answering(async () => {
      const text = await readBody(req);
      record.body = parseBody(req, text, (m) => violations.push({ method, path: raw.pathname, message: m }));
      injectFault(method, raw.pathname);
      const who = authenticate(req);
      return route(method, raw, who, record.body as Record<string, unknown>);
    });
    record.status = answer.status;
    writeAnswer(res, answer, "application/json");
  }

  function injectFault(method: string, path: string): void {
    const fault = faults.take({ method, path });
    if (!fault) return;
    const status = fault.status ?? 503;
    if (status === 429) {
      // Rack::Attack's throttled response, as GitLab configures it.
      const retryAfter = fault.retryAfterSeconds ?? 60;
      const reset = Math.ceil(now() / 1000) + retryAfter;
      throw new HttpError(429, "Retry later\n", {
        "RateLimit-Name": "throttle_authenticated_api",
        "RateLimit-Limit": "2000",
        "RateLimit-Observed": "2001",
        "RateLimit-Remaining": "0",
        "RateLimit-Reset": String(reset),
        "RateLimit-ResetTime": new Date(reset * 1000).toUTCString(),
        "Retry-After": String(retryAfter),
      });
    }
    const extra: Record<string, string> = fault.retryAfterSeconds !== undefined ? { "Retry-After": String(fault.retryAfterSeconds) } : {};
    throw new HttpError(status, { message: `${status} ${status === 503 ? "Service Unavailable" : "Internal Server Error"}` }, extra);
  }

  function authenticate(req: IncomingMessage): { token: string; access: TokenAccess } {
    const privateToken = req.headers["private-token"];
    const bearer = /^Bearer (.+)$/i.exec(req.headers.authorization ?? "")?.[1];
    const token = typeof privateToken === "string" ? privateToken : bearer;
    const access = token !== undefined ? tokens[token] : undefined;
    if (token === undefined || access === undefined) throw new HttpError(401, { message: "401 Unauthorized" });
    return { token, access };
  }

  function owner(scope: HookScope, idOrPath: string, who: { access: TokenAccess }): number {
    const found = scope === "project" ? store.findProject(idOrPath) : store.findGroup(idOrPath);
    if (!found) throw notFound(scope === "project" ? "Project" : "Group");
    const allowed = who.access === "all" || (who.access[scope === "project" ? "projects" : "groups"] ?? []).some((p) => String(p).toLowerCase() === String(found.id) || String(p).toLowerCase() === found.path.toLowerCase());
    if (!allowed) throw new HttpError(403, { message: "403 Forbidden" });
    return found.id;
  }

  function violation(method: string, path: string, message: string): void {
    violations.push({ method, path, message });
  }

  async function route(method: string, raw: URL, who: { token: string; access: TokenAccess }, body: Record<string, unknown>): Promise<Answer> {
    const segments = raw.pathname.split("/").slice(1);
    const path = raw.pathname;
    const m = segments.length >= 5 && segments[0] === "api" && segments[1] === "v4" && (segments[2] === "projects" || segments[2] === "groups") && segments[4] === "hooks";
    if (!m) {
      violation(method, path, "no such endpoint in the webhooks API");
      throw new HttpError(404, { error: "404 Not Found" });
    }
    const scope: HookScope = segments[2] === "projects" ? "project" : "group";
    const ownerId = owner(scope, decodeURIComponent(segments[3]), who);
    const rest = segments.slice(5);
    const hookOf = (idText: string): StoredHook => {
      if (!/^\d+$/.test(idText)) {
        violation(method, path, "hook_id is invalid");
        throw new HttpError(400, { error: "hook_id is invalid" });
      }
      const hook = store.hooks.get(Number(idText));
      if (!hook || hook.scope !== scope || hook.ownerId !== ownerId) throw notFound("Hook");
      return hook;
    };
    const notAllowed = (): never => {
      violation(method, path, `method ${method} not allowed`);
      throw new HttpError(405, { error: "405 Not Allowed" });
    };

    if (rest.length === 0) {
      if (method === "GET") return paginate(raw, store.hooksOf(scope, ownerId).map((h) => hookResponse(h, now())));
      if (method === "POST") return { status: 201, body: hookResponse(applyParams(method, path, scope, store.createHook(scope, ownerId, now()), body, true), now()) };
      return notAllowed();
    }
    const hook = hookOf(rest[0]);
    if (rest.length === 1) {
      if (method === "GET") return { status: 200, body: hookResponse(hook, now()) };
      if (method === "PUT") return { status: 200, body: hookResponse(applyParams(method, path, scope, hook, body, false), now()) };
      if (method === "DELETE") {
        store.hooks.delete(hook.id);
        return { status: 204 };
      }
      return notAllowed();
    }
    if (rest[1] === "events" && rest.length === 2) {
      if (method !== "GET") return notAllowed();
      const filter = statusFilter(raw.searchParams.get("status"));
      if (filter === "invalid") {
        violation(method, path, "status is invalid");
        throw new HttpError(400, { error: "status does not have a valid value" });
      }
      // The past 7 days, newest first.
      const weekAgo = now() - 7 * 24 * 60 * 60_000;
      const list = store.events.filter((e) => e.hookId === hook.id && e.createdAt >= weekAgo && filter(e)).reverse();
      return paginate(raw, list.map(hookEventResponse));
    }
    if (rest[1] === "events" && rest.length === 4 && rest[3] === "resend") {
      if (method !== "POST") return notAllowed();
      if (!/^\d+$/.test(rest[2])) {
        violation(method, path, "hook_event_id is invalid");
        throw new HttpError(400, { error: "hook_event_id is invalid" });
      }
      const logged = store.events.find((e) => e.id === Number(rest[2]) && e.hookId === hook.id);
      if (!logged) throw notFound("Web hook log");
      const key = `${hook.id}:${who.token}`;
      const recent = (resendTimes.get(key) ?? []).filter((t) => t > now() - 60_000);
      if (recent.length >= RESEND_LIMIT_PER_MINUTE) {
        throw new HttpError(429, { message: "This endpoint has been requested too many times. Try again later." }, { "Retry-After": "60" });
      }
      resendTimes.set(key, [...recent, now()]);
      const outcome = await resendEvent(ctx(), hook, logged);
      return { status: 201, body: { response_status: outcome.statusCode === 0 ? "internal error" : outcome.statusCode } };
    }
    if (rest[1] === "test" && rest.length === 3) {
      if (method !== "POST") return notAllowed();
      const fixture = TEST_TRIGGER_FIXTURES[rest[2]];
      if (!fixture) {
        violation(method, path, "trigger does not have a valid value");
        throw new HttpError(400, { error: "trigger does not have a valid value" });
      }
      const event = Object.entries(GITLAB_EVENTS).find(([, v]) => v.flag === rest[2])?.[0] ?? "Push Hook";
      const payload: unknown = JSON.parse(readFileSync(join(packageRoot(), "fixtures/gitlab", fixture), "utf8"));
      await testHook(ctx(), hook, event, payload);
      return { status: 201, body: { message: "201 Created" } };
    }
    violation(method, path, "no such endpoint in the webhooks API");
    throw new HttpError(404, { error: "404 Not Found" });
  }

  function applyParams(method: string, path: string, scope: HookScope, hook: StoredHook, body: Record<string, unknown>, creating: boolean): StoredHook {
    const parsed = parseHookParams(scope, body ?? {});
    for (const u of parsed.unknown) violation(method, path, `unknown parameter ${u} (GitLab ignores it)`);
    const fail = (status: number, answer: unknown, message: string): never => {
      if (creating) store.hooks.delete(hook.id);
      violation(method, path, message);
      throw new HttpError(status, answer);
    };
    if (parsed.errors.length > 0) fail(400, { error: parsed.errors.join(", ") }, parsed.errors.join(", "));
    const problem = urlProblem(String(parsed.set.url));
    if (problem) fail(400, { message: { url: [problem] } }, `url ${problem}`);
    const { flags, ...attrs } = parsed.set;
    // Changing the URL resets the token unless a new one is given (documented on edit).
    if (!creating && attrs.url !== hook.url && attrs.token === undefined) hook.token = "";
    Object.assign(hook, attrs);
    Object.assign(hook.flags, flags);
    return hook;
  }

  function paginate(raw: URL, items: unknown[]): { status: number; body: unknown; headers: Record<string, string> } {
    const perPage = Math.min(Math.max(Number(raw.searchParams.get("per_page") ?? 20) || 20, 1), 100);
    const page = Math.max(Number(raw.searchParams.get("page") ?? 1) || 1, 1);
    const totalPages = Math.max(Math.ceil(items.length / perPage), 1);
    const link = (p: number): string => {
      const u = new URL(raw.pathname + raw.search, baseUrl);
      u.searchParams.set("page", String(p));
      u.searchParams.set("per_page", String(perPage));
      return u.toString();
    };
    const rels = [...(page < totalPages ? [`<${link(page + 1)}>; rel="next"`] : []), ...(page > 1 ? [`<${link(page - 1)}>; rel="prev"`] : []), `<${link(1)}>; rel="first"`, `<${link(totalPages)}>; rel="last"`];
    return {
      status: 200,
      body: items.slice((page - 1) * perPage, page * perPage),
      headers: {
        "X-Page": String(page),
        "X-Per-Page": String(perPage),
        "X-Total": String(items.length),
        "X-Total-Pages": String(totalPages),
        "X-Next-Page": page < totalPages ? String(page + 1) : "",
        "X-Prev-Page": page > 1 ? String(page - 1) : "",
        Link: rels.join(", "),
      },
    };
  }

  const server = await listenLocal((req, res) => {
    void handle(req, res);
  });
  baseUrl = server.url;

  return {
    url: baseUrl,
    apiUrl: `${baseUrl}/api/v4`,
    get hooks() {
      return [...store.hooks.values()].sort((a, b) => a.id - b.id);
    },
    requests,
    violations,
    events: store.events,
    deliver: ({ projectId, event, payload }) => deliverEvent(ctx(), projectId, event, payload),
    failNext(n, fault = {}) {
      faults.add(n, fault);
    },
    close: () => server.close(),
  };
}

/** JSON or form bodies, with the query merged in (Grape reads params from both). */
function parseBody(req: IncomingMessage, text: string, violation: (m: string) => void): Record<string, unknown> {
  const query = Object.fromEntries(new URL(req.url ?? "/", "http://x").searchParams);
  if (text === "") return req.method === "GET" || req.method === "DELETE" ? {} : query;
  const type = mediaType(req);
  if (type === "application/x-www-form-urlencoded") return { ...query, ...Object.fromEntries(new URLSearchParams(text)) };
  if (type !== "application/json") violation(`body with content-type ${JSON.stringify(type)}`);
  const parsed = parseJson(text, () => {
    violation("malformed JSON body");
    return new HttpError(400, { message: "400 Bad request - Malformed JSON" });
  });
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new HttpError(400, { error: "The provided content-type is not supported." });
  return { ...query, ...(parsed as Record<string, unknown>) };
}

// A Bitbucket Cloud REST API 2.0 test double (node:http, 127.0.0.1, port 0): a
// repository's webhook subscriptions (/2.0/repositories/{workspace}/{repo_slug}/hooks),
// basic (username + app password) and Bearer auth, Bitbucket's paginated lists and
// error objects, fault injection, and deliveries as Bitbucket makes them.
import { createHmac, randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { answering, FaultQueue, HttpError, listenLocal, mediaType, parseJson, readBody, recordRequest, writeAnswer, type Answer, type RecordedRequest, type Violation } from "../api-double.js";

/** Repository event keys (GET /2.0/hook_events/repository). */
export const REPOSITORY_EVENTS = [
  "repo:push",
  "repo:fork",
  "repo:updated",
  "repo:commit_comment_created",
  "repo:commit_status_created",
  "repo:commit_status_updated",
  "repo:imported",
  "repo:deleted",
  "repo:transfer",
  "issue:created",
  "issue:updated",
  "issue:comment_created",
  "pullrequest:created",
  "pullrequest:updated",
  "pullrequest:approved",
  "pullrequest:unapproved",
  "pullrequest:fulfilled",
  "pullrequest:rejected",
  "pullrequest:comment_created",
  "pullrequest:comment_updated",
  "pullrequest:comment_deleted",
  "pullrequest:comment_resolved",
  "pullrequest:comment_reopened",
  "pullrequest:changes_request_created",
  "pullrequest:changes_request_removed",
];

/** Who may call: everything, or admin on the listed "workspace/repo_slug" repositories. */
export type Access = "all" | { repositories: string[] };

export interface BitbucketApiOptions {
  /** "workspace/repo_slug" full names. Default ["team/service"]. */
  repositories?: string[];
  /** Basic auth: username -> { password (an app password), access }. Default { "ci-bot": { password: "app-password", access: "all" } }. */
  users?: Record<string, { password: string; access: Access }>;
  /** Bearer (OAuth / access) tokens. Default { "oauth-token": "all" }. */
  tokens?: Record<string, Access>;
}

export interface StoredSubscription {
  uuid: string;
  repository: string;
  url: string;
  description: string;
  active: boolean;
  events: string[];
  /** Write-only: never returned, only `secret_set`. */
  secret: string | null;
  created_at: string;
}

export type { RecordedRequest, Violation };

export interface Fault {
  /** 5xx or 429. Default 500. */
  status?: number;
  retryAfterSeconds?: number;
}

export interface BitbucketApi {
  /** http://127.0.0.1:PORT/2.0, the base for API calls. */
  readonly url: string;
  readonly hooks: StoredSubscription[];
  readonly requests: RecordedRequest[];
  readonly violations: Violation[];
  /** Sends an event of a repository to its active hooks subscribed to `eventKey`; the statuses they answered (0: none). */
  deliver(opts: { repository: string; eventKey: string; payload: unknown }): Promise<number[]>;
  failNext(n: number, fault?: Fault): void;
  close(): Promise<void>;
}

const bbError = (status: number, message: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}): HttpError =>
  new HttpError(status, { type: "error", error: { message, ...extra } }, headers);

export async function startBitbucketApi(options: BitbucketApiOptions = {}): Promise<BitbucketApi> {
  const repositories = options.repositories ?? ["team/service"];
  const users = options.users ?? { "ci-bot": { password: "app-password", access: "all" } };
  const tokens = options.tokens ?? { "oauth-token": "all" };
  const hooks = new Map<string, StoredSubscription>();
  const requests: RecordedRequest[] = [];
  const violations: Violation[] = [];
  // Bitbucket Cloud's faults have no filter: the next requests, whatever they are.
  const faults = new FaultQueue<Fault>(() => true);
  let base = "";

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { url: raw, record } = recordRequest(requests, req);
    const { method } = record;
    const violation = (message: string): void => void violations.push({ method, path: raw.pathname, message });
    const answer = await answering(async () => {
      const text = await readBody(req);
      if (text !== "") {
        if (mediaType(req) !== "application/json") violation("body without content-type application/json");
        record.body = parseJson(text, () => {
          violation("malformed JSON body");
          return bbError(400, "Bad request", { detail: "Malformed JSON" });
        });
      }
      const fault = faults.take({ method, path: raw.pathname });
      if (fault) {
        const s = fault.status ?? 500;
        const retry: Record<string, string> = fault.retryAfterSeconds !== undefined ? { "Retry-After": String(fault.retryAfterSeconds) } : {};
        throw bbError(s, s === 429 ? "Rate limit for this resource has been exceeded" : "Something went wrong", {}, retry);
      }
      const access = authenticate(req);
      return route(method, raw, access, record.body, violation);
    });
    record.status = answer.status;
    writeAnswer(res, answer, "application/json");
  }

  function authenticate(req: IncomingMessage): Access {
    const header = req.headers.authorization ?? "";
    const basic = /^Basic (.+)$/i.exec(header)?.[1];
    if (basic) {
      const decoded = Buffer.from(basic, "base64").toString("utf8");
      const at = decoded.indexOf(":");
      const user = users[decoded.slice(0, at)];
      if (at > 0 && user && user.password === decoded.slice(at + 1)) return user.access;
    }
    const bearer = /^Bearer (.+)$/i.exec(header)?.[1];
    if (bearer && tokens[bearer] !== undefined) return tokens[bearer];
    throw bbError(401, "Unauthorized");
  }

  function route(method: string, raw: URL, access: Access, body: unknown, violation: (m: string) => void): Answer {
    const s = raw.pathname.split("/").slice(1).map((p) => decodeURIComponent(p));
    if (!(s[0] === "2.0" && s[1] === "repositories" && s.length >= 5 && s[4] === "hooks")) {
      violation("no such endpoint in the webhooks API");
      throw bbError(404, "Resource not found");
    }
    const fullName = `${s[2]}/${s[3]}`;
    const repo = repositories.find((r) => r.toLowerCase() === fullName.toLowerCase());
    if (!repo) throw bbError(404, `Repository ${fullName} not found`);
    if (access !== "all" && !access.repositories.some((r) => r.toLowerCase() === repo.toLowerCase())) {
      throw bbError(403, "You must be an administrator of this repository to manage its webhooks.");
    }
    const notAllowed = (): never => {
      violation(`method ${method} not allowed`);
      throw bbError(405, `Method ${method} not allowed`);
    };
    if (s.length === 5) {
      const mine = [...hooks.values()].filter((h) => h.repository === repo);
      if (method === "GET") return { status: 200, body: page(raw, mine.map((h) => view(h))) };
      if (method !== "POST") return notAllowed();
      const fields = validate(body, true, violation);
      const hook: StoredSubscription = {
        uuid: `{${randomUUID()}}`,
        repository: repo,
        url: fields.url!,
        description: fields.description ?? "",
        active: fields.active ?? true,
        events: fields.events!,
        secret: fields.secret ?? null,
        created_at: new Date().toISOString(),
      };
      hooks.set(hook.uuid, hook);
      return { status: 201, body: view(hook) };
    }
    if (s.length !== 6) {
      violation("no such endpoint in the webhooks API");
      throw bbError(404, "Resource not found");
    }
    const hook = hooks.get(s[5]);
    if (!hook || hook.repository !== repo) throw bbError(404, "Resource not found");
    if (method === "GET") return { status: 200, body: view(hook) };
    if (method === "DELETE") {
      hooks.delete(hook.uuid);
      return { status: 204 };
    }
    if (method !== "PUT") return notAllowed();
    const fields = validate(body, false, violation);
    // description, url, secret, active and events can be changed; an omitted secret stays, null removes it.
    if (fields.url !== undefined) hook.url = fields.url;
    if (fields.description !== undefined) hook.description = fields.description;
    if (fields.active !== undefined) hook.active = fields.active;
    if (fields.events !== undefined) hook.events = fields.events;
    if (fields.secret !== undefined) hook.secret = fields.secret;
    return { status: 200, body: view(hook) };
  }

  function validate(body: unknown, creating: boolean, violation: (m: string) => void): Partial<Omit<StoredSubscription, "uuid" | "repository" | "created_at">> {
    const fields: Record<string, string[]> = {};
    const bad = (k: string, m: string): void => void (fields[k] = [...(fields[k] ?? []), m]);
    const b = (typeof body === "object" && body !== null && !Array.isArray(body) ? body : {}) as Record<string, unknown>;
    const known = ["url", "description", "active", "events", "secret"];
    for (const k of Object.keys(b)) if (!known.includes(k)) violation(`unknown field ${k} (Bitbucket ignores it)`);
    if (b.url === undefined) {
      if (creating) bad("url", "This field is required.");
    } else if (typeof b.url !== "string" || !/^https?:\/\/[^\s]+$/.test(b.url)) bad("url", "Enter a valid URL.");
    if (b.description !== undefined && typeof b.description !== "string") bad("description", "Not a valid string.");
    if (b.active !== undefined && typeof b.active !== "boolean") bad("active", "Must be a valid boolean.");
    if (b.secret !== undefined && b.secret !== null && typeof b.secret !== "string") bad("secret", "Not a valid string.");
    if (b.events === undefined) {
      if (creating) bad("events", "This field is required.");
    } else if (!Array.isArray(b.events) || b.events.length === 0 || !b.events.every((e) => typeof e === "string")) {
      bad("events", "A non-empty list of event keys is required.");
    } else {
      const unknown = b.events.filter((e) => !REPOSITORY_EVENTS.includes(e as string));
      if (unknown.length > 0) bad("events", `Invalid event(s): ${unknown.join(", ")}`);
    }
    if (Object.keys(fields).length > 0) {
      violation(`invalid fields: ${JSON.stringify(fields)}`);
      throw bbError(400, "Bad request", { fields });
    }
    return b as Partial<StoredSubscription>;
  }

  function view(h: StoredSubscription): Record<string, unknown> {
    const [workspace, slug] = h.repository.split("/");
    return {
      type: "webhook_subscription",
      uuid: h.uuid,
      url: h.url,
      description: h.description,
      subject_type: "repository",
      subject: { type: "repository", full_name: h.repository, name: slug, links: { html: { href: `https://bitbucket.org/${workspace}/${slug}` } } },
      active: h.active,
      created_at: h.created_at,
      events: [...h.events],
      secret_set: h.secret !== null && h.secret !== "",
      links: { self: { href: `${base}/repositories/${h.repository}/hooks/${h.uuid}` } },
    };
  }

  /** Bitbucket's paginated list: {size, page, pagelen, next?, previous?, values}; pagelen default 10, at most 100. */
  function page(raw: URL, items: unknown[]): Record<string, unknown> {
    const pagelen = Math.min(Math.max(Number(raw.searchParams.get("pagelen") ?? 10) || 10, 1), 100);
    const n = Math.max(Number(raw.searchParams.get("page") ?? 1) || 1, 1);
    const link = (p: number): string => {
      const u = new URL(raw.pathname + raw.search, base);
      u.searchParams.set("page", String(p));
      return u.toString();
    };
    return {
      size: items.length,
      page: n,
      pagelen,
      ...(n * pagelen < items.length ? { next: link(n + 1) } : {}),
      ...(n > 1 ? { previous: link(n - 1) } : {}),
      values: items.slice((n - 1) * pagelen, n * pagelen),
    };
  }

  async function deliver({ repository, eventKey, payload }: { repository: string; eventKey: string; payload: unknown }): Promise<number[]> {
    const targets = [...hooks.values()].filter((h) => h.repository.toLowerCase() === repository.toLowerCase() && h.active && h.events.includes(eventKey));
    return Promise.all(
      targets.map(async (h) => {
        const body = JSON.stringify(payload);
        const headers: Record<string, string> = {
          "Content-Type": "application/json",
          "User-Agent": "Bitbucket-Webhooks/2.0",
          "X-Event-Key": eventKey,
          "X-Hook-UUID": h.uuid.replace(/[{}]/g, ""),
          "X-Request-UUID": randomUUID(),
          "X-Attempt-Number": "1",
        };
        if (h.secret) headers["X-Hub-Signature"] = `sha256=${createHmac("sha256", h.secret).update(body).digest("hex")}`;
        try {
          const r = await fetch(h.url, { method: "POST", headers, body, signal: AbortSignal.timeout(10_000) });
          await r.arrayBuffer();
          return r.status;
        } catch {
          return 0;
        }
      }),
    );
  }

  const server = await listenLocal((req, res) => {
    void handle(req, res);
  });
  base = `${server.url}/2.0`;
  return {
    url: base,
    get hooks() {
      return [...hooks.values()];
    },
    requests,
    violations,
    deliver,
    failNext(n, fault = {}) {
      faults.add(n, fault);
    },
    close: () => server.close(),
  };
}

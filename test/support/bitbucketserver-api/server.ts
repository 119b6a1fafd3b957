// A Bitbucket Server / Data Center REST API 1.0 test double (node:http, 127.0.0.1,
// port 0): a project's repositories, repository webhooks, pull requests (of a
// commit, and of a repository), bearer-token auth, paged answers, Bitbucket's
// `{"errors":[...]}` bodies, fault injection, and the deliveries the server makes.
import type { IncomingMessage, ServerResponse } from "node:http";
import { answering, FaultQueue, HttpError, listenLocal, matchRequest, mediaType, parseJson, readBody, recordRequest, writeAnswer, type Answer, type RecordedRequest, type RequestLine, type Violation } from "../api-double.js";
import { deliverEvent, type DeliveryOutcome } from "./delivery.js";
import {
  BITBUCKET_SERVER_EVENTS,
  BitbucketServerStore,
  hookJson,
  pullRequestJson,
  repositoryJson,
  type ProjectSpec,
  type PullRequestSpec,
  type Repository,
  type StoredHook,
} from "./store.js";

/** "admin": may manage webhooks (REPO_ADMIN); "read": may only read repositories and pull requests. */
export type TokenAccess = "admin" | "read";

export interface BitbucketServerApiOptions {
  /** Default: project "PROJ" with repositories "repo-a" and "repo-b". */
  projects?: ProjectSpec[];
  pullRequests?: PullRequestSpec[];
  /** Default { "bbs-test-token": "admin" }; sent as `Authorization: Bearer <token>`. */
  tokens?: Record<string, TokenAccess>;
  /** The largest page the server hands out, whatever `limit` asks (Bitbucket caps it too). Default 1000. */
  maxPageLimit?: number;
  now?: () => number;
}

// A violation is a request Bitbucket Server would refuse or misread.
export type { RecordedRequest, Violation };

export interface Fault {
  /** Default 500. */
  status?: number;
  /** Only requests this matches use up the fault. Default: every API request. */
  match?: (req: RequestLine) => boolean;
}

export interface BitbucketServerApi {
  /** http://127.0.0.1:PORT, the instance. */
  readonly url: string;
  /** url + "/rest": what an EventSource's `bitbucketserverBaseURL` names (Argo appends api/1.0/...). */
  readonly baseUrl: string;
  readonly store: BitbucketServerStore;
  /** Every webhook, by id order. */
  readonly hooks: StoredHook[];
  readonly requests: RecordedRequest[];
  readonly violations: Violation[];
  /** A push, a pull request event...: POSTs `payload` to the repository's active hooks subscribed to `event`. */
  deliver(opts: { project: string; repo: string; event: string; payload: unknown; requestId?: string }): Promise<DeliveryOutcome[]>;
  /** The next `n` matching API requests answer `fault.status` (500 by default). */
  failNext(n: number, fault?: Fault): void;
  close(): Promise<void>;
}

/** Bitbucket's error body: `{"errors":[{"context","message","exceptionName"}]}`. */
export function errorBody(message: string, exceptionName: string | null = null, context: string | null = null): unknown {
  return { errors: [{ context, message, exceptionName }] };
}

const API = "/rest/api/1.0/";
const EX = "com.atlassian.bitbucket.";
const forbidden = (): HttpError => new HttpError(403, errorBody("You are not permitted to access this resource", `${EX}AuthorisationException`));
const invalid = (context: string, message: string): HttpError => new HttpError(400, errorBody(message, `${EX}validation.ArgumentValidationException`, context));

export async function startBitbucketServerApi(options: BitbucketServerApiOptions = {}): Promise<BitbucketServerApi> {
  const store = new BitbucketServerStore(options.projects ?? [{ key: "PROJ", repos: ["repo-a", "repo-b"] }], options.pullRequests ?? []);
  const tokens = options.tokens ?? { "bbs-test-token": "admin" };
  const maxPageLimit = options.maxPageLimit ?? 1000;
  const now = options.now ?? Date.now;
  const requests: RecordedRequest[] = [];
  const violations: Violation[] = [];
  const faults = new FaultQueue<Fault>(matchRequest);
  let url = "";

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { url: raw, record } = recordRequest(requests, req);
    const { method } = record;
    const violation = (message: string): void => {
      violations.push({ method, path: raw.pathname, message });
    };
    const answer = await answering(async () => {
      const text = await readBody(req);
      record.body = parseBody(method, req, text, violation);
      injectFault(method, raw.pathname);
      const access = authenticate(req);
      return route(method, raw, access, record.body, violation);
    });
    record.status = answer.status;
    writeAnswer(res, answer, "application/json;charset=UTF-8");
  }

  function injectFault(method: string, path: string): void {
    const f = faults.take({ method, path });
    if (!f) return;
    const status = f.status ?? 500;
    throw new HttpError(status, errorBody(status === 429 ? "Rate limit exceeded" : "An internal error occurred (injected fault)", null));
  }

  function authenticate(req: IncomingMessage): TokenAccess {
    const auth = req.headers.authorization;
    if (auth === undefined) {
      throw new HttpError(401, errorBody("Authentication failed. Please check your credentials and try again.", `${EX}auth.IncorrectPasswordAuthenticationException`));
    }
    const token = /^Bearer (.+)$/.exec(auth)?.[1];
    const access = token === undefined ? undefined : tokens[token];
    if (access === undefined) {
      throw new HttpError(401, errorBody("Authentication failed. Please check your credentials and try again.", `${EX}auth.IncorrectPasswordAuthenticationException`));
    }
    return access;
  }

  function route(method: string, raw: URL, access: TokenAccess, body: unknown, violation: (m: string) => void): Answer {
    const path = raw.pathname;
    if (!path.startsWith(API)) throw new HttpError(404, errorBody(`No resource at ${path}`));
    const parts = path.slice(API.length).split("/").map(decodeURIComponent);
    const [projects, key, repos, slug, kind, id, sub] = parts;
    if (projects !== "projects" || key === undefined || repos !== "repos") throw new HttpError(404, errorBody(`No resource at ${path}`));
    if (parts.length === 3) {
      if (method !== "GET") throw methodNotAllowed(method);
      const project = store.findProject(key);
      if (!project) throw new HttpError(404, errorBody(`Project ${key} does not exist.`, `${EX}project.NoSuchProjectException`));
      return page(raw, store.repositoriesOf(project).map((r) => repositoryJson(url, r)), violation);
    }
    const repo = slug === undefined ? undefined : store.findRepository(key, slug);
    if (!repo) {
      if (!store.findProject(key)) throw new HttpError(404, errorBody(`Project ${key} does not exist.`, `${EX}project.NoSuchProjectException`));
      throw new HttpError(404, errorBody(`Repository ${key}/${slug ?? ""} does not exist.`, `${EX}repository.NoSuchRepositoryException`));
    }
    if (kind === "webhooks" && parts.length <= 7) {
      if (access !== "admin") throw forbidden();
      return id === undefined ? webhooks(method, raw, repo, body, violation) : webhook(method, repo, id, body, violation);
    }
    if (kind === "commits" && id !== undefined && sub === "pull-requests" && parts.length === 7) {
      if (method !== "GET") throw methodNotAllowed(method);
      return page(raw, store.pullRequestsOf(repo).filter((p) => p.commits.includes(id)).map((p) => pullRequestJson(url, p)), violation);
    }
    if (kind === "pull-requests" && parts.length === 5) {
      if (method !== "GET") throw methodNotAllowed(method);
      return pullRequests(raw, repo, violation);
    }
    throw new HttpError(404, errorBody(`No resource at ${path}`));
  }

  function webhooks(method: string, raw: URL, repo: Repository, body: unknown, violation: (m: string) => void): Answer {
    if (method === "GET") {
      const event = raw.searchParams.get("event");
      const hooks = store.hooksOf(repo).filter((h) => event === null || h.events.includes(event));
      return page(raw, hooks.map(hookJson), violation);
    }
    if (method !== "POST") throw methodNotAllowed(method);
    const fields = hookFields(body, undefined, violation);
    return { status: 201, body: hookJson(store.addHook(repo, fields, now())) };
  }

  function webhook(method: string, repo: Repository, id: string, body: unknown, violation: (m: string) => void): Answer {
    const hook = /^\d+$/.test(id) ? store.hooks.get(Number(id)) : undefined;
    if (!hook || hook.project !== repo.project.key || hook.repo !== repo.slug) {
      throw new HttpError(404, errorBody(`Webhook ${id} does not exist.`, `${EX}webhook.NoSuchWebhookException`));
    }
    switch (method) {
      case "GET":
        return { status: 200, body: hookJson(hook) };
      case "PUT":
        Object.assign(hook, hookFields(body, hook, violation), { updatedDate: now() });
        return { status: 200, body: hookJson(hook) };
      case "DELETE":
        store.hooks.delete(hook.id);
        return { status: 204 };
      default:
        throw methodNotAllowed(method);
    }
  }

  function pullRequests(raw: URL, repo: Repository, violation: (m: string) => void): Answer {
    const state = (raw.searchParams.get("state") ?? "OPEN").toUpperCase();
    if (!["OPEN", "MERGED", "DECLINED", "ALL"].includes(state)) throw invalid("state", `${state} is not a valid pull request state`);
    const direction = (raw.searchParams.get("direction") ?? "INCOMING").toUpperCase();
    if (!["INCOMING", "OUTGOING"].includes(direction)) throw invalid("direction", `${direction} is not a valid direction`);
    const at = raw.searchParams.get("at");
    const full = at === null ? null : at.startsWith("refs/") ? at : `refs/heads/${at}`;
    const prs = store
      .pullRequestsOf(repo)
      .filter((p) => state === "ALL" || p.state === state)
      .filter((p) => full === null || (direction === "INCOMING" ? p.toRef : p.fromRef) === full);
    return page(raw, prs.map((p) => pullRequestJson(url, p)), violation);
  }

  /** Validates a POST / PUT body (PUT: absent fields keep `current`'s), as Bitbucket Server refuses it. */
  function hookFields(body: unknown, current: StoredHook | undefined, violation: (m: string) => void): Omit<StoredHook, "id" | "project" | "repo" | "createdDate" | "updatedDate"> {
    const refuse = (context: string, message: string): never => {
      violation(`${context}: ${message}`);
      throw invalid(context, message);
    };
    if (typeof body !== "object" || body === null || Array.isArray(body)) return refuse("body", "A webhook must be given as a JSON object");
    const b = body as Record<string, unknown>;
    const name = b.name ?? current?.name;
    if (typeof name !== "string" || name.trim() === "") refuse("name", "A webhook name is required");
    const hookUrl = b.url ?? current?.url;
    if (typeof hookUrl !== "string" || hookUrl === "") refuse("url", "A webhook URL is required");
    else if (!/^https?:\/\/[^/]+/i.test(hookUrl) || !URL.canParse(hookUrl)) refuse("url", `${hookUrl} is not a valid URL`);
    const events = b.events ?? current?.events;
    if (!Array.isArray(events) || events.length === 0) refuse("events", "At least one event is required");
    for (const e of events as unknown[]) {
      if (typeof e !== "string" || !BITBUCKET_SERVER_EVENTS.includes(e)) refuse("events", `${JSON.stringify(e)} is not a valid event`);
    }
    const active = b.active ?? current?.active ?? true;
    if (typeof active !== "boolean") refuse("active", "active must be a boolean");
    const ssl = b.sslVerificationRequired ?? current?.sslVerificationRequired ?? true;
    if (typeof ssl !== "boolean") refuse("sslVerificationRequired", "sslVerificationRequired must be a boolean");
    let configuration = current?.configuration ?? {};
    if (b.configuration !== undefined) {
      const c = b.configuration;
      if (typeof c !== "object" || c === null || Array.isArray(c) || Object.values(c).some((v) => typeof v !== "string")) {
        refuse("configuration", "configuration must map names to strings");
      }
      configuration = { ...(c as Record<string, string>) };
      if (configuration.secret === "") {
        // Bitbucket Server fails on an empty secret (Argo Events drops `configuration` to avoid it).
        violation("configuration: an empty secret makes Bitbucket Server answer 500");
        throw new HttpError(500, errorBody("An error occurred while processing the request. Check the server logs for more information."));
      }
    }
    return { name: name as string, url: hookUrl as string, events: [...(events as string[])], active: active as boolean, configuration, sslVerificationRequired: ssl as boolean };
  }

  /** A Bitbucket page: `{size, limit, isLastPage, values, start[, nextPageStart]}` from `start` and `limit` (default 25). */
  function page(raw: URL, items: unknown[], violation: (m: string) => void): Answer {
    const int = (name: string, fallback: number): number => {
      const v = raw.searchParams.get(name);
      if (v === null) return fallback;
      if (!/^\d+$/.test(v)) {
        violation(`${name}=${v} is not a non-negative integer`);
        throw invalid(name, `${name} must be a non-negative integer`);
      }
      return Number(v);
    };
    const start = int("start", 0);
    const limit = Math.max(1, Math.min(int("limit", 25), maxPageLimit));
    const values = items.slice(start, start + limit);
    const isLastPage = start + values.length >= items.length;
    return { status: 200, body: { size: values.length, limit, isLastPage, values, start, ...(isLastPage ? {} : { nextPageStart: start + values.length }) } };
  }

  const server = await listenLocal((req, res) => {
    void handle(req, res);
  });
  url = server.url;

  return {
    get url() {
      return url;
    },
    get baseUrl() {
      return `${url}/rest`;
    },
    store,
    get hooks() {
      return [...store.hooks.values()].sort((a, b) => a.id - b.id);
    },
    requests,
    violations,
    deliver: (o) => {
      const repo = store.findRepository(o.project, o.repo);
      if (!repo) throw new Error(`no repository ${o.project}/${o.repo}`);
      return deliverEvent(store.hooksOf(repo), o.event, o.payload, o.requestId);
    },
    failNext: (n, fault = {}) => {
      faults.add(n, fault);
    },
    // As before, closing twice is harmless.
    close: () => server.close().catch(() => undefined),
  };
}

function methodNotAllowed(method: string): HttpError {
  return new HttpError(405, errorBody(`Method ${method} is not supported by this resource`));
}

/** A write's body must be JSON sent as application/json (Bitbucket answers 415 otherwise). */
function parseBody(method: string, req: IncomingMessage, text: string, violation: (m: string) => void): unknown {
  if (method !== "POST" && method !== "PUT") {
    if (text !== "") violation(`a ${method} request carries a body`);
    return undefined;
  }
  const type = mediaType(req).toLowerCase();
  if (type !== "application/json") {
    violation(`Content-Type ${type || "(none)"} instead of application/json`);
    throw new HttpError(415, errorBody("Unsupported Media Type"));
  }
  return parseJson(text, () => {
    violation("the body is not JSON");
    return new HttpError(400, errorBody("Invalid JSON in the request body"));
  });
}

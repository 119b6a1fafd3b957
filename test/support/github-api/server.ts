// The GitHub REST API test double: a node:http server on 127.0.0.1, port 0. Every
// request is matched to an operation of GitHub's OpenAPI description and checked
// against it (parameters, body); every answer is checked against the documented
// response. What fails a check is recorded as a violation: a request GitHub would
// refuse (the client is wrong) or an answer GitHub would not give (the double is wrong).
import type { IncomingMessage, ServerResponse } from "node:http";
import { listenLocal, parseJson, readBody, recordRequest, writeAnswer, type RecordedRequest as BaseRecordedRequest, type Violation as BaseViolation } from "../api-double.js";
import { APP_HANDLERS, APP_OPERATIONS } from "./apps.js";
import { deliver, type DeliverOptions } from "./delivery.js";
import { DELIVERY_HANDLERS } from "./deliveries-api.js";
import { FaultQueue, RATE_LIMIT, type Fault } from "./faults.js";
import { HOOK_HANDLERS } from "./hooks.js";
import { JwtRejected, verifyAppJwt } from "./jwt.js";
import { basicErrorSchema, coerceParam, matchRoute, responseSchema, validateSchema, validationErrorSchema, type Operation } from "./openapi.js";
import { GithubStore, type AppSpec, type RepositorySpec, type StoredDelivery, type StoredHook } from "./store.js";
import { ApiError, type Answer, type Handler, type Identity } from "./types.js";

export interface GithubApiOptions {
  /** Default ["octo-org/hello-world"]. */
  repositories?: Array<string | RepositorySpec>;
  /** Default ["octo-org"]. */
  organizations?: string[];
  /** Personal access tokens with access to everything. Default ["ghp_test_token"]. */
  tokens?: string[];
  /** GitHub Apps (their public keys) and their installations. */
  apps?: AppSpec[];
  /** Installation token lifetime (GitHub: 1 hour). */
  tokenLifetimeMs?: number;
  /** The double's clock (tokens, JWTs, delivery times). Default Date.now. */
  now?: () => number;
  /** How long a delivery waits for the receiver (GitHub: 10 s). */
  deliveryTimeoutMs?: number;
}

export interface RecordedRequest extends BaseRecordedRequest {
  /** The documented operation, when the request matched one. */
  operationId?: string;
}

export interface Violation extends BaseViolation {
  operationId?: string;
  /** "request": GitHub would refuse or misread it; "response": the double answered what GitHub does not document. */
  kind: "request" | "response";
}

export interface GithubApi {
  /** http://127.0.0.1:PORT: the `baseUrl` for @octokit/rest. */
  readonly url: string;
  readonly state: GithubStore;
  readonly requests: RecordedRequest[];
  readonly violations: Violation[];
  /** Throws, listing them, when any violation was recorded. */
  assertNoViolations(): void;
  /** Delivers an event to a hook as GitHub does and records it. */
  deliver(opts: { hook: number | StoredHook; event: string; payload: Record<string, unknown> }): Promise<StoredDelivery>;
  /** Resolves when the deliveries started in the background (pings, redeliveries) are done. */
  idle(): Promise<void>;
  /** The next `n` calls matching `fault` (Infinity: all) answer it. */
  failNext(n: number, fault?: Fault): void;
  clearFaults(): void;
  /** Every live installation token stops working now (GitHub answers 401 Bad credentials). */
  expireTokens(): void;
  close(): Promise<void>;
}

const HANDLERS: Record<string, Handler> = { ...HOOK_HANDLERS, ...DELIVERY_HANDLERS, ...APP_HANDLERS };
const DOCS = "https://docs.github.com/rest";
const unauthorized = (message = "Bad credentials"): ApiError => new ApiError(401, { message, documentation_url: DOCS, status: "401" }, {}, true);

export async function startGithubApi(options: GithubApiOptions = {}): Promise<GithubApi> {
  const repos = (options.repositories ?? ["octo-org/hello-world"]).map((r) => (typeof r === "string" ? { fullName: r } : r));
  const store = new GithubStore(repos, options.organizations ?? ["octo-org"], options.apps ?? []);
  const tokens = new Set(options.tokens ?? ["ghp_test_token"]);
  const now = options.now ?? Date.now;
  const requests: RecordedRequest[] = [];
  const violations: Violation[] = [];
  const faults = new FaultQueue();
  const pending = new Set<Promise<unknown>>();
  let used = 0;
  let apiUrl = "";
  const deliveryCtx = { store, now, timeoutMs: options.deliveryTimeoutMs ?? 10_000 };

  const deliverLater = (hook: StoredHook, opts: DeliverOptions): void => {
    const p = deliver(deliveryCtx, hook, opts).finally(() => pending.delete(p));
    pending.add(p);
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = (req.method ?? "GET").toUpperCase();
    const text = await readBody(req);
    const { url, record }: { url: URL; record: RecordedRequest } = recordRequest(requests, req, method);
    record.body = text === "" ? undefined : text;
    const violate = (kind: Violation["kind"], message: string, op?: Operation): void => {
      violations.push({ method, path: url.pathname, operationId: op?.operationId, kind, message });
    };
    const { match, pathKnown } = matchRoute(method, url.pathname);
    let answer: Answer & { generic?: boolean };
    if (!match) {
      violate("request", pathKnown ? `${method} is not documented for ${url.pathname}` : `no documented operation has the path ${url.pathname}`);
      answer = { status: 404, body: { message: "Not Found", documentation_url: DOCS, status: "404" }, generic: true };
    } else {
      record.operationId = match.operation.operationId;
      try {
        answer = await process(req, url, text, match.operation, match.params, record, (k, m) => violate(k, m, match.operation));
      } catch (err) {
        if (!(err instanceof ApiError)) throw err;
        answer = { status: err.status, body: err.body, headers: err.headers, generic: err.generic };
      }
      checkResponse(match.operation, answer, (m) => violate("response", m, match.operation));
    }
    record.status = answer.status;
    used++;
    const headers: Record<string, string> = {
      "x-github-api-version-selected": "2022-11-28",
      "x-github-request-id": `0000:${requests.length}`,
      "x-ratelimit-limit": String(RATE_LIMIT),
      "x-ratelimit-remaining": String(Math.max(0, RATE_LIMIT - used)),
      "x-ratelimit-used": String(used),
      "x-ratelimit-reset": String(Math.floor(now() / 1000) + 3600),
      "x-ratelimit-resource": "core",
      ...answer.headers,
    };
    writeAnswer(res, { status: answer.status, body: answer.body, headers }, "application/json; charset=utf-8");
  }

  async function process(
    req: IncomingMessage,
    url: URL,
    text: string,
    op: Operation,
    rawParams: Record<string, string>,
    record: RecordedRequest,
    violate: (kind: Violation["kind"], message: string) => void,
  ): Promise<Answer> {
    const handler = HANDLERS[op.operationId];
    if (!handler) {
      violate("request", `${op.operationId} is documented but the double does not implement it`);
      throw new ApiError(404, { message: "Not Found", documentation_url: DOCS, status: "404" }, {}, true);
    }
    const fault = faults.take(op.operationId, now());
    if (fault) throw fault;
    if (!req.headers["user-agent"]) {
      violate("request", "no User-Agent header (GitHub refuses such requests)");
      throw new ApiError(403, { message: "Request forbidden by administrative rules. Please make sure your request has a User-Agent header (https://docs.github.com/en/rest/overview/resources-in-the-rest-api#user-agent-required).", documentation_url: DOCS, status: "403" }, {}, true);
    }
    const who = authenticate(req, op);

    // Parameters, parsed as GitHub reads them and validated against their schemas.
    const params: Record<string, unknown> = {};
    const query: Record<string, unknown> = {};
    const problems: string[] = [];
    for (const p of op.parameters) {
      if (p.in === "path") {
        const value = coerceParam(p.schema, rawParams[p.name]);
        const errs = validateSchema(op, `path.${p.name}`, p.schema ?? {}, value);
        if (errs.length > 0) {
          violate("request", `path parameter ${p.name}: ${errs.join("; ")}`);
          throw new ApiError(404, { message: "Not Found", documentation_url: DOCS, status: "404" }, {}, true);
        }
        params[p.name] = value;
      } else if (p.in === "query") {
        const raw = url.searchParams.get(p.name);
        if (raw === null) {
          if (p.required) problems.push(`query parameter ${p.name} is required`);
          continue;
        }
        const value = coerceParam(p.schema, raw);
        problems.push(...validateSchema(op, `query.${p.name}`, p.schema ?? {}, value));
        query[p.name] = value;
      }
    }
    for (const name of url.searchParams.keys()) {
      if (!op.parameters.some((p) => p.in === "query" && p.name === name)) violate("request", `query parameter ${name} is not documented for ${op.operationId} (GitHub ignores it)`);
    }

    // The body: JSON, validated against the documented request body.
    let body: Record<string, unknown> | undefined;
    const jsonSchema = op.requestBody?.content["application/json"]?.schema;
    if (text !== "") {
      if (!op.requestBody) {
        violate("request", `${op.operationId} takes no body`);
      } else {
        record.body = parseJson(text, () => {
          violate("request", "the body is not JSON");
          return new ApiError(400, { message: "Problems parsing JSON", documentation_url: op.documentationUrl, status: "400" }, {}, true);
        });
        const ctype = String(req.headers["content-type"] ?? "");
        if (!/json/i.test(ctype)) problems.push(`content-type ${ctype || "(none)"} is not JSON`);
        if (jsonSchema) problems.push(...validateSchema(op, "body", jsonSchema, record.body));
        body = record.body as Record<string, unknown>;
      }
    } else if (op.requestBody?.required) {
      problems.push("the request body is required");
    }
    if (problems.length > 0) {
      violate("request", problems.join("; "));
      throw new ApiError(422, { message: `Invalid request.\n\n${problems.join("\n")}`, documentation_url: op.documentationUrl, status: "422" }, {}, true);
    }
    return handler({ store, operation: op, params, query, body: body ?? undefined, who, now, apiUrl, tokenLifetimeMs: options.tokenLifetimeMs ?? 3600_000, deliverLater });
  }

  function authenticate(req: IncomingMessage, op: Operation): Identity {
    const header = req.headers.authorization;
    if (!header) throw unauthorized("Requires authentication");
    const m = /^(?:token|bearer)\s+(\S+)$/i.exec(header);
    if (!m) throw unauthorized();
    const credential = m[1];
    const looksLikeJwt = credential.split(".").length === 3;
    if (APP_OPERATIONS.has(op.operationId)) {
      if (!looksLikeJwt) throw unauthorized("A JSON web token could not be decoded");
      try {
        return { kind: "app", appId: verifyAppJwt(credential, store.apps, Math.floor(now() / 1000)) };
      } catch (err) {
        if (err instanceof JwtRejected) throw unauthorized(err.message);
        throw err;
      }
    }
    if (tokens.has(credential)) return { kind: "token", token: credential };
    const issued = store.tokens.get(credential);
    if (issued && !issued.revoked && issued.expiresAt > now()) return { kind: "installation", token: issued };
    throw unauthorized();
  }

  function checkResponse(op: Operation, answer: Answer & { generic?: boolean }, violate: (message: string) => void): void {
    const { documented, schema } = responseSchema(op, answer.status);
    if (!documented) {
      if (!answer.generic) {
        violate(`status ${answer.status} is not documented for ${op.operationId}`);
        return;
      }
      const generic = answer.status === 422 ? validationErrorSchema() : basicErrorSchema();
      const errs = validateSchema(op, `generic ${answer.status}`, generic, answer.body);
      if (errs.length > 0) violate(`the ${answer.status} body does not match GitHub's error shape: ${errs.join("; ")}`);
      return;
    }
    if (schema === undefined) {
      if (answer.body !== undefined) violate(`status ${answer.status} of ${op.operationId} is documented without a body`);
      return;
    }
    const errs = validateSchema(op, `response ${answer.status}`, schema, answer.body);
    if (errs.length > 0) violate(`the ${answer.status} body does not match the description: ${errs.join("; ")}`);
  }

  const server = await listenLocal((req, res) => {
    handle(req, res).catch((err: unknown) => {
      violations.push({ method: req.method ?? "", path: req.url ?? "", kind: "response", message: `the double crashed: ${String(err)}` });
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  apiUrl = server.url;

  const idle = async (): Promise<void> => {
    while (pending.size > 0) await Promise.allSettled([...pending]);
  };

  return {
    url: apiUrl,
    state: store,
    requests,
    violations,
    assertNoViolations(): void {
      if (violations.length > 0) throw new Error(`the GitHub API double recorded ${violations.length} violation(s):\n${violations.map((v) => `- [${v.kind}] ${v.method} ${v.path}${v.operationId ? ` (${v.operationId})` : ""}: ${v.message}`).join("\n")}`);
    },
    async deliver({ hook, event, payload }): Promise<StoredDelivery> {
      const h = typeof hook === "number" ? store.hooks.get(hook) : hook;
      if (!h) throw new Error(`no hook ${String(hook)}`);
      return deliver(deliveryCtx, h, { event, payload });
    },
    idle,
    failNext(n: number, fault: Fault = {}): void {
      faults.add(n, fault);
    },
    clearFaults(): void {
      faults.clear();
    },
    expireTokens(): void {
      const t = now();
      for (const token of store.tokens.values()) if (token.expiresAt > t) token.expiresAt = t;
    },
    async close(): Promise<void> {
      await idle();
      // Closing twice is harmless here (tests close in afterEach whatever happened).
      await server.close().catch(() => undefined);
    },
  };
}

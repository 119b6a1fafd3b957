// Webhook execution as GitLab does it: which hooks an event reaches, the request
// headers, the hook event log, and auto-disabling after repeated failures.
import { randomUUID } from "node:crypto";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import {
  alertStatus,
  INITIAL_BACKOFF_MS,
  MAX_BACKOFF_MS,
  PERMANENT_FAILURES,
  TEMPORARY_FAILURES,
  type StoredHook,
} from "./attributes.js";
import type { GitlabStore, HookEvent } from "./store.js";

/** X-Gitlab-Event -> the hook flag that subscribes to it and the trigger name GitLab logs. */
export const GITLAB_EVENTS: Record<string, { flag: string; trigger: string }> = {
  "Push Hook": { flag: "push_events", trigger: "push_hooks" },
  "Tag Push Hook": { flag: "tag_push_events", trigger: "tag_push_hooks" },
  "Issue Hook": { flag: "issues_events", trigger: "issue_hooks" },
  "Confidential Issue Hook": { flag: "confidential_issues_events", trigger: "confidential_issue_hooks" },
  "Note Hook": { flag: "note_events", trigger: "note_hooks" },
  "Confidential Note Hook": { flag: "confidential_note_events", trigger: "confidential_note_hooks" },
  "Merge Request Hook": { flag: "merge_requests_events", trigger: "merge_request_hooks" },
  "Wiki Page Hook": { flag: "wiki_page_events", trigger: "wiki_page_hooks" },
  "Pipeline Hook": { flag: "pipeline_events", trigger: "pipeline_hooks" },
  "Job Hook": { flag: "job_events", trigger: "job_hooks" },
  "Deployment Hook": { flag: "deployment_events", trigger: "deployment_hooks" },
  "Feature Flag Hook": { flag: "feature_flag_events", trigger: "feature_flag_hooks" },
  "Release Hook": { flag: "releases_events", trigger: "release_hooks" },
  "Emoji Hook": { flag: "emoji_events", trigger: "emoji_hooks" },
  "Resource Access Token Hook": { flag: "resource_access_token_events", trigger: "resource_access_token_hooks" },
  "Vulnerability Hook": { flag: "vulnerability_events", trigger: "vulnerability_hooks" },
  "Member Hook": { flag: "member_events", trigger: "member_hooks" },
  "Subgroup Hook": { flag: "subgroup_events", trigger: "subgroup_hooks" },
  "Project Hook": { flag: "project_events", trigger: "project_hooks" },
};

export interface DeliveryContext {
  store: GitlabStore;
  now(): number;
  /** X-Gitlab-Instance. */
  instanceUrl: string;
  /** The version in User-Agent "GitLab/<version>". */
  version: string;
  timeoutMs: number;
}

export interface DeliveryOutcome {
  hookId: number;
  eventId: number;
  /** 0 when the connection failed or timed out. */
  statusCode: number;
}

interface Execution {
  hook: StoredHook;
  trigger: string;
  event: string;
  payload: unknown;
  eventUuid: string;
  idempotencyKey: string;
}

/** Sends `payload` to every hook of the project (and of its ancestor groups) subscribed to `event` and executable now. */
export async function deliverEvent(
  ctx: DeliveryContext,
  projectIdOrPath: string | number,
  event: string,
  payload: unknown,
): Promise<DeliveryOutcome[]> {
  const mapping = GITLAB_EVENTS[event];
  if (!mapping) throw new Error(`gitlab-api double: no hook flag for X-Gitlab-Event ${JSON.stringify(event)}`);
  const project = ctx.store.findProject(String(projectIdOrPath));
  if (!project) throw new Error(`gitlab-api double: no project ${String(projectIdOrPath)}`);
  const hooks = [
    ...ctx.store.hooksOf("project", project.id),
    ...ctx.store.ancestorGroups(project).flatMap((g) => ctx.store.hooksOf("group", g.id)),
  ].filter((h) => h.flags[mapping.flag] === true && alertStatus(h, ctx.now()) === "executable" && branchMatches(h, event, payload));
  // One X-Gitlab-Event-UUID per event, shared by every hook it reaches; one Idempotency-Key per hook delivery.
  const eventUuid = randomUUID();
  return Promise.all(
    hooks.map((hook) => execute(ctx, { hook, trigger: mapping.trigger, event, payload, eventUuid, idempotencyKey: randomUUID() })),
  );
}

/** Resends a logged event: same body, same Idempotency-Key, a new X-Gitlab-Event-UUID; logged as a new event. */
export async function resendEvent(ctx: DeliveryContext, hook: StoredHook, logged: HookEvent): Promise<DeliveryOutcome> {
  return execute(ctx, {
    hook,
    trigger: logged.trigger,
    event: logged.requestHeaders["X-Gitlab-Event"] ?? "",
    payload: logged.requestData,
    eventUuid: randomUUID(),
    idempotencyKey: logged.requestHeaders["Idempotency-Key"] ?? randomUUID(),
  });
}

/** Executes one hook now, whatever its flags and disabled state (GitLab's "Test" button; a 2xx re-enables it). */
export async function testHook(ctx: DeliveryContext, hook: StoredHook, event: string, payload: unknown): Promise<DeliveryOutcome> {
  const mapping = GITLAB_EVENTS[event];
  if (!mapping) throw new Error(`gitlab-api double: no hook flag for X-Gitlab-Event ${JSON.stringify(event)}`);
  return execute(ctx, { hook, trigger: mapping.trigger, event, payload, eventUuid: randomUUID(), idempotencyKey: randomUUID() });
}

async function execute(ctx: DeliveryContext, x: Execution): Promise<DeliveryOutcome> {
  const headers: Record<string, string> = {
    "Content-Type": "application/json",
    "User-Agent": `GitLab/${ctx.version}`,
    "Idempotency-Key": x.idempotencyKey,
    "X-Gitlab-Event": x.event,
    // Per request, not per hook (the docs' example shows two events of one hook with different values).
    "X-Gitlab-Webhook-UUID": randomUUID(),
    "X-Gitlab-Instance": ctx.instanceUrl,
    "X-Gitlab-Event-UUID": x.eventUuid,
  };
  if (x.hook.token !== "") headers["X-Gitlab-Token"] = x.hook.token;
  for (const c of x.hook.custom_headers) headers[c.key] = c.value;
  const body = JSON.stringify(x.payload);
  const started = performance.now();
  const answer = await post(x.hook.url, headers, body, ctx.timeoutMs, x.hook.enable_ssl_verification);
  const logged = ctx.store.addEvent({
    hookId: x.hook.id,
    scope: x.hook.scope,
    url: x.hook.url,
    trigger: x.trigger,
    requestHeaders: headers,
    requestData: x.payload,
    responseHeaders: answer.headers,
    responseBody: answer.body,
    executionDuration: (performance.now() - started) / 1000,
    statusCode: answer.status,
    createdAt: ctx.now(),
  });
  recordOutcome(x.hook, answer.status >= 200 && answer.status < 300, ctx.now());
  return { hookId: x.hook.id, eventId: logged.id, statusCode: answer.status };
}

/** GitLab's WebHooks::AutoDisabling: success resets; the 4th consecutive failure disables for 1 min, doubling to 1 day; the 40th for good. */
export function recordOutcome(hook: StoredHook, ok: boolean, now: number): void {
  if (ok) {
    hook.recent_failures = 0;
    hook.backoff_count = 0;
    hook.disabled_until = null;
    return;
  }
  if (hook.recent_failures >= PERMANENT_FAILURES) return;
  hook.recent_failures += 1;
  if (hook.recent_failures >= PERMANENT_FAILURES) {
    hook.disabled_until = null;
  } else if (hook.recent_failures >= TEMPORARY_FAILURES) {
    hook.disabled_until = now + Math.min(INITIAL_BACKOFF_MS * 2 ** hook.backoff_count, MAX_BACKOFF_MS);
    hook.backoff_count += 1;
  }
}

/** push_events_branch_filter with branch_filter_strategy, for push events only. */
function branchMatches(hook: StoredHook, event: string, payload: unknown): boolean {
  if (event !== "Push Hook" || hook.branch_filter_strategy === "all_branches" || hook.push_events_branch_filter === "") return true;
  const ref = (payload as { ref?: unknown } | null)?.ref;
  const branch = typeof ref === "string" ? ref.replace(/^refs\/heads\//, "") : "";
  if (hook.branch_filter_strategy === "regex") return new RegExp(hook.push_events_branch_filter).test(branch);
  return hook.push_events_branch_filter.split(",").some((pattern) => {
    const re = new RegExp(`^${pattern.trim().split("*").map(escapeRegExp).join(".*")}$`);
    return re.test(branch);
  });
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

function post(url: string, headers: Record<string, string>, body: string, timeoutMs: number, verifyTls: boolean): Promise<Answer> {
  return new Promise((resolve) => {
    const failed = (): void => resolve({ status: 0, headers: {}, body: "" });
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      failed();
      return;
    }
    const send = target.protocol === "https:" ? httpsRequest : httpRequest;
    const req = send(
      target,
      { method: "POST", headers: { ...headers, "Content-Length": String(Buffer.byteLength(body)) }, rejectUnauthorized: verifyTls, timeout: timeoutMs },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("error", failed);
        res.on("end", () => {
          const h: Record<string, string> = {};
          for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) h[k] = Array.isArray(v) ? v.join(", ") : v;
          resolve({ status: res.statusCode ?? 0, headers: h, body: Buffer.concat(chunks).toString("utf8") });
        });
      },
    );
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", failed);
    req.end(body);
  });
}

/** The API's view of a logged event (documented fields; the token redacted; "internal error" when no answer). */
export function hookEventResponse(e: HookEvent): Record<string, unknown> {
  const requestHeaders = { ...e.requestHeaders };
  if ("X-Gitlab-Token" in requestHeaders) requestHeaders["X-Gitlab-Token"] = "[REDACTED]";
  return {
    id: e.id,
    url: e.url,
    trigger: e.trigger,
    request_headers: requestHeaders,
    request_data: e.requestData,
    response_headers: e.responseHeaders,
    response_body: e.responseBody,
    execution_duration: e.executionDuration,
    response_status: e.statusCode === 0 ? "internal error" : String(e.statusCode),
  };
}

/** The `status` filter of the events list: a code, or successful / client_failure / server_failure. */
export function statusFilter(status: string | null): ((e: HookEvent) => boolean) | "invalid" {
  if (status === null || status === "") return () => true;
  if (/^\d{3}$/.test(status)) return (e) => e.statusCode === Number(status);
  const ranges: Record<string, [number, number]> = { successful: [200, 299], client_failure: [400, 499], server_failure: [500, 599] };
  const range = ranges[status];
  if (!range) return "invalid";
  return (e) => e.statusCode >= range[0] && e.statusCode <= range[1];
}

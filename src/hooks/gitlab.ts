// GitLab's project and group webhooks, managed as Argo Events' gitlab event source
// does (pkg/eventsources/sources/gitlab), on @gitbeaker/rest.
//
// Event names: Argo sets, by reflection, the *bool field of go-gitlab's
// AddProjectHookOptions named by each `events` entry (so `PushEvents` ->
// push_events, case-sensitive; a name that is no such field is refused). Every
// other flag is sent false, as Argo does for the flags it defaults.
//
// The token: GitLab never returns a hook's token, so it cannot be compared. Unless
// `secretFingerprint` is false, the hook's `description` (GitLab 17.1+) carries a
// fingerprint of the token (16 hex of SHA-256 over url + token): a changed secret
// is seen and the hook updated, and an unchanged one leaves the hook alone. On an
// instance that does not return `description`, or with `secretFingerprint: false`,
// the token is sent on create and on every update that another difference
// triggers, and a rotated secret alone does not update the hook.
import { createHash } from "node:crypto";
import { Gitlab, GitbeakerRequestError, GitbeakerRetryError, GitbeakerTimeoutError } from "@gitbeaker/rest";
import { GatewayError, NotFoundError, NotSupportedError } from "../errors.js";
import type { BackoffPolicy, RetryHooks } from "../retry.js";
import { ProviderUnavailableError, parseRetryAfter, providerHttpError } from "./errors.js";
import { DEFAULT_HOOK_RETRY, retryingCall } from "./retrying-call.js";
import type { DeliveryRecovery, DesiredHook, FailedDelivery, HookClient, HookSync, HookTarget } from "./types.js";

/** Argo Events' GitLab `events` names (go-gitlab AddProjectHookOptions *bool fields) -> the hook attribute each sets. */
export const ARGO_GITLAB_EVENT_FLAGS: Readonly<Record<string, string>> = {
  PushEvents: "push_events",
  TagPushEvents: "tag_push_events",
  MergeRequestsEvents: "merge_requests_events",
  IssuesEvents: "issues_events",
  ConfidentialIssuesEvents: "confidential_issues_events",
  NoteEvents: "note_events",
  ConfidentialNoteEvents: "confidential_note_events",
  JobEvents: "job_events",
  PipelineEvents: "pipeline_events",
  WikiPageEvents: "wiki_page_events",
  DeploymentEvents: "deployment_events",
  ReleasesEvents: "releases_events",
  EmojiEvents: "emoji_events",
  ResourceAccessTokenEvents: "resource_access_token_events",
  VulnerabilityEvents: "vulnerability_events",
  // Also a *bool field: Argo accepts it as an "event" and it turns TLS verification on.
  EnableSSLVerification: "enable_ssl_verification",
};

const COMMON_FLAGS = [
  "push_events",
  "tag_push_events",
  "merge_requests_events",
  "issues_events",
  "confidential_issues_events",
  "note_events",
  "confidential_note_events",
  "job_events",
  "pipeline_events",
  "wiki_page_events",
  "deployment_events",
  "feature_flag_events",
  "releases_events",
  "emoji_events",
  "resource_access_token_events",
];
/** The event flags this client manages per scope: each is sent, true or false. */
export const MANAGED_FLAGS: Readonly<Record<"project" | "group", readonly string[]>> = {
  project: [...COMMON_FLAGS, "vulnerability_events"],
  group: [...COMMON_FLAGS, "subgroup_events", "member_events"],
};

export interface GitlabHookClientOptions {
  /** The EventSource's gitlabBaseURL ("https://gitlab.example.com"; a trailing /api/v4 is accepted). */
  baseUrl: string;
  /** The EventSource's accessToken (a personal, project or group access token with the api scope). */
  token: string;
  /** Attempts per API call for 5xx, 429 and unreachable. Default 5 tries, 500 ms doubling, 10% jitter. */
  retry?: BackoffPolicy;
  clock?: RetryHooks["clock"];
  onRetry?: RetryHooks["onRetry"];
  /** The longest Retry-After honoured between attempts. Default 60 s. */
  maxRetryAfterMs?: number;
  /** Keep a fingerprint of the token in the hook's description (see the top of this file). Default true. */
  secretFingerprint?: boolean;
}

const DESCRIPTION_PREFIX = "Managed by trigger-gateway; token fingerprint ";

type Scope = "project" | "group";
type HookRecord = Record<string, unknown> & { id: number; url: string };

export function createGitlabHookClient(options: GitlabHookClientOptions): HookClient & DeliveryRecovery {
  const host = options.baseUrl.replace(/\/+$/, "").replace(/\/api\/v4$/, "");
  const gl = new Gitlab({ host, token: options.token });
  const fingerprinting = options.secretFingerprint ?? true;
  const call = <T>(what: string, fn: () => Promise<T>): Promise<T> => retryingCall(what, fn, options, fromGitbeaker);

  const scopeOf = (target: HookTarget): Scope => {
    if (target.scope === "project" || target.scope === "group") return target.scope;
    throw new NotSupportedError(`gitlab: hooks live on a project or a group, not a ${target.scope}`);
  };
  // ProjectHooks and GroupHooks share one API (gitbeaker's ResourceHooks); seen through one type.
  interface HooksResource {
    all(id: string, options: { perPage: number }): Promise<unknown>;
    add(id: string, url: string, options: object): Promise<unknown>;
    edit(id: string, hookId: number, url: string, options: object): Promise<unknown>;
    remove(id: string, hookId: number): Promise<unknown>;
    requester: typeof gl.ProjectHooks.requester;
  }
  const resource = (scope: Scope): HooksResource => (scope === "project" ? gl.ProjectHooks : gl.GroupHooks) as unknown as HooksResource;
  const where = (target: HookTarget): string => `${target.scope} ${target.name}`;

  async function list(target: HookTarget): Promise<HookRecord[]> {
    const scope = scopeOf(target);
    const hooks = await call(`list hooks of ${where(target)}`, () => resource(scope).all(target.name, { perPage: 100 }));
    return (hooks as unknown as HookRecord[]).slice().sort((a, b) => a.id - b.id);
  }

  function desiredAttributes(scope: Scope, desired: DesiredHook): Record<string, boolean | string> {
    const attrs: Record<string, boolean | string> = {};
    for (const flag of MANAGED_FLAGS[scope]) attrs[flag] = false;
    attrs.enable_ssl_verification = !desired.insecureSSL;
    for (const name of desired.events) {
      const flag = ARGO_GITLAB_EVENT_FLAGS[name];
      if (flag === undefined) throw new NotSupportedError(`gitlab: unknown event ${JSON.stringify(name)} (Argo Events accepts ${Object.keys(ARGO_GITLAB_EVENT_FLAGS).join(", ")})`);
      if (flag !== "enable_ssl_verification" && !MANAGED_FLAGS[scope].includes(flag)) throw new NotSupportedError(`gitlab: ${name} is not an event of a ${scope} hook`);
      attrs[flag] = true;
    }
    if (fingerprinting) attrs.description = DESCRIPTION_PREFIX + fingerprint(desired.url, desired.secret);
    return attrs;
  }

  function differs(hook: HookRecord, attrs: Record<string, boolean | string>): boolean {
    for (const [key, want] of Object.entries(attrs)) {
      if (key === "description") {
        // An instance without `description` (before 17.1) cannot keep the fingerprint.
        if ("description" in hook && hook.description !== want) return true;
      } else if ((hook[key] ?? false) !== want) {
        return true;
      }
    }
    return false;
  }

  const client: HookClient & DeliveryRecovery = {
    provider: "gitlab",

    async ensure(target, desired): Promise<HookSync> {
      const scope = scopeOf(target);
      const attrs = desiredAttributes(scope, desired);
      const same = (await list(target)).filter((h) => h.url === desired.url);
      if (same.length === 0) {
        const body = { ...attrs, ...(desired.secret ? { token: desired.secret } : {}) };
        const created = await call(`create a hook on ${where(target)}`, () => resource(scope).add(target.name, desired.url, body));
        return { id: String((created as unknown as HookRecord).id), action: "created" };
      }
      const [keep, ...extra] = same;
      for (const h of extra) await removeOne(target, scope, h.id);
      if (!differs(keep, attrs)) return { id: String(keep.id), action: "unchanged" };
      // The token goes with every update: cleared when the hook should have none (only known through the fingerprint).
      const token = desired.secret ? { token: desired.secret } : fingerprinting ? { token: "" } : {};
      await call(`update hook ${keep.id} on ${where(target)}`, () => resource(scope).edit(target.name, keep.id, desired.url, { ...attrs, ...token }));
      return { id: String(keep.id), action: "updated" };
    },

    async remove(target, url): Promise<boolean> {
      const scope = scopeOf(target);
      const same = (await list(target)).filter((h) => h.url === url);
      for (const h of same) await removeOne(target, scope, h.id);
      return same.length > 0;
    },

    async failedSince(target, hookId, since): Promise<FailedDelivery[]> {
      const scope = scopeOf(target);
      const attempts: LoggedEvent[] = [];
      for (let page = 1; ; page++) {
        const path = `${encodeURIComponent(target.name)}/hooks/${encodeURIComponent(hookId)}/events`;
        const res = await call(`list events of hook ${hookId} on ${where(target)}`, () =>
          resource(scope).requester.get(path, { searchParams: { page: String(page), per_page: "100" } }),
        );
        attempts.push(...(res.body as unknown as LoggedEvent[]));
        const next = (res.headers as Record<string, string>)["x-next-page"];
        if (!next) break;
      }
      return failedDeliveries(attempts, since);
    },

    async redeliver(target, hookId, deliveryId): Promise<void> {
      const scope = scopeOf(target);
      const path = `${encodeURIComponent(target.name)}/hooks/${encodeURIComponent(hookId)}/events/${encodeURIComponent(deliveryId)}/resend`;
      await call(`resend event ${deliveryId} of hook ${hookId} on ${where(target)}`, () => resource(scope).requester.post(path));
    },
  };

  async function removeOne(target: HookTarget, scope: Scope, id: number): Promise<void> {
    try {
      await call(`delete hook ${id} on ${where(target)}`, () => resource(scope).remove(target.name, id));
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err; // already gone
    }
  }

  return client;
}

function fingerprint(url: string, secret: string | undefined): string {
  return secret ? createHash("sha256").update(`${url}\n${secret}`).digest("hex").slice(0, 16) : "none";
}

/** One entry of GET .../hooks/:hook_id/events, as documented (no timestamp). */
interface LoggedEvent {
  id: number;
  trigger?: string;
  request_headers?: Record<string, string>;
  response_headers?: Record<string, string>;
  response_status?: string | number;
}

/**
 * The deliveries with no 2xx attempt, newest attempt each. The GUID is the
 * Idempotency-Key (GitLab keeps it on resend; X-Gitlab-Event-UUID changes). GitLab's
 * events carry no timestamp: `deliveredAt` is the Date header of the answer when
 * there was one, and an attempt with none (no answer) is kept whatever `since`,
 * dated now; GitLab itself lists only the past 7 days.
 */
export function failedDeliveries(attempts: LoggedEvent[], since: Date, now: Date = new Date()): FailedDelivery[] {
  const byGuid = new Map<string, LoggedEvent[]>();
  for (const a of attempts) {
    const h = a.request_headers ?? {};
    const guid = h["Idempotency-Key"] ?? h["X-Gitlab-Event-UUID"] ?? `event-${a.id}`;
    byGuid.set(guid, [...(byGuid.get(guid) ?? []), a]);
  }
  const failed: FailedDelivery[] = [];
  for (const [guid, list] of byGuid) {
    const status = (a: LoggedEvent): number => (/^\d+$/.test(String(a.response_status ?? "")) ? Number(a.response_status) : 0);
    if (list.some((a) => status(a) >= 200 && status(a) < 300)) continue;
    const newest = list.reduce((a, b) => (b.id > a.id ? b : a));
    const dateHeader = Object.entries(newest.response_headers ?? {}).find(([k]) => k.toLowerCase() === "date")?.[1];
    const answered = dateHeader ? new Date(dateHeader) : undefined;
    if (answered && !Number.isNaN(answered.getTime()) && answered < since) continue;
    failed.push({
      id: String(newest.id),
      guid,
      event: newest.request_headers?.["X-Gitlab-Event"] ?? newest.trigger ?? "",
      deliveredAt: answered && !Number.isNaN(answered.getTime()) ? answered : now,
      statusCode: status(newest),
    });
  }
  return failed;
}

/** gitbeaker's errors (and fetch's) as the project's typed errors; anything else as it is. */
function fromGitbeaker(what: string, err: unknown): unknown {
  if (err instanceof GatewayError) return err;
  if (err instanceof GitbeakerRequestError && err.cause?.response) {
    return providerHttpError("gitlab", what, err.cause.response.status, err.cause.description ?? "", parseRetryAfter(err.cause.response.headers.get("retry-after")));
  }
  if (err instanceof GitbeakerRetryError) {
    // gitbeaker already retried a 429 or 502 ten times, within a fraction of a second.
    const status = Number(/last status code: (\d+)/.exec(err.message)?.[1] ?? 0);
    return new ProviderUnavailableError(`gitlab: ${what}: ${status || "no answer"} after gitbeaker's own retries`, status);
  }
  if (err instanceof GitbeakerTimeoutError) return new ProviderUnavailableError(`gitlab: ${what}: timed out`, 0);
  if (err instanceof TypeError) return new ProviderUnavailableError(`gitlab: ${what}: ${err.message}`, 0);
  return err;
}

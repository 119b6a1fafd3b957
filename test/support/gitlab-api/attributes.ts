// The attributes of GitLab's project and group webhooks, as documented in
// doc/api/project_webhooks.md and doc/api/group_webhooks.md (GitLab 17.x), with
// the database defaults GitLab applies when a request leaves one out, and the
// Grape-style parameter checks (`{"error": "url is missing"}`,
// `{"error": "push_events is invalid"}`).

export type HookScope = "project" | "group";

/** Event flags both scopes accept on add and edit. */
export const COMMON_EVENT_FLAGS = [
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
] as const;

/** Flags only a project hook has (vulnerability events, GitLab 17.x). */
export const PROJECT_ONLY_FLAGS = ["vulnerability_events"] as const;
/** Flags only a group hook has. */
export const GROUP_ONLY_FLAGS = ["subgroup_events", "member_events", "project_events"] as const;

export function eventFlags(scope: HookScope): readonly string[] {
  return scope === "project" ? [...COMMON_EVENT_FLAGS, ...PROJECT_ONLY_FLAGS] : [...COMMON_EVENT_FLAGS, ...GROUP_ONLY_FLAGS];
}

const BOOLEAN_SETTINGS = ["enable_ssl_verification"] as const;
const STRING_ATTRIBUTES = ["url", "name", "description", "token", "push_events_branch_filter", "branch_filter_strategy", "custom_webhook_template"] as const;
const BRANCH_FILTER_STRATEGIES = ["wildcard", "regex", "all_branches"];

/** What a stored hook holds (the token too, which no response ever shows). */
export interface StoredHook {
  id: number;
  scope: HookScope;
  /** project_id or group_id. */
  ownerId: number;
  url: string;
  token: string;
  name: string | null;
  description: string | null;
  flags: Record<string, boolean>;
  enable_ssl_verification: boolean;
  push_events_branch_filter: string;
  branch_filter_strategy: string;
  custom_webhook_template: string | null;
  custom_headers: Array<{ key: string; value: string }>;
  created_at: string;
  /** Consecutive failed executions (GitLab's `recent_failures`). */
  recent_failures: number;
  backoff_count: number;
  /** Epoch ms until which the hook is temporarily disabled; null when not. */
  disabled_until: number | null;
}

/** GitLab's database defaults: push events on, every other event off, TLS verified. */
export function defaultFlags(scope: HookScope): Record<string, boolean> {
  const flags: Record<string, boolean> = {};
  for (const f of eventFlags(scope)) flags[f] = f === "push_events";
  return flags;
}

// Grape coerces Boolean params from JSON booleans and from these strings (form or query encoding).
const TRUE_STRINGS = new Set(["true", "t", "1", "yes", "y", "on"]);
const FALSE_STRINGS = new Set(["false", "f", "0", "no", "n", "off"]);

function coerceBoolean(v: unknown): boolean | undefined {
  if (typeof v === "boolean") return v;
  if (typeof v === "number" && (v === 0 || v === 1)) return v === 1;
  if (typeof v === "string") {
    const s = v.toLowerCase();
    if (TRUE_STRINGS.has(s)) return true;
    if (FALSE_STRINGS.has(s)) return false;
  }
  return undefined;
}

export interface ParsedHookParams {
  /** Attributes to set, already coerced. */
  set: Partial<Omit<StoredHook, "flags">> & { flags: Record<string, boolean> };
  /** Grape's messages ("url is missing", "push_events is invalid"); non-empty means 400. */
  errors: string[];
  /** Parameters GitLab would silently ignore: a client sending them has a bug. */
  unknown: string[];
}

/** Checks an add/edit body as GitLab's Grape API does. `url` is required on both (documented). */
export function parseHookParams(scope: HookScope, body: Record<string, unknown>): ParsedHookParams {
  const flags = eventFlags(scope);
  const set: ParsedHookParams["set"] = { flags: {} };
  const errors: string[] = [];
  const unknown: string[] = [];
  if (body.url === undefined || body.url === null) errors.push("url is missing");
  for (const [key, value] of Object.entries(body)) {
    if (flags.includes(key) || (BOOLEAN_SETTINGS as readonly string[]).includes(key)) {
      const b = coerceBoolean(value);
      if (b === undefined) errors.push(`${key} is invalid`);
      else if (key === "enable_ssl_verification") set.enable_ssl_verification = b;
      else set.flags[key] = b;
    } else if ((STRING_ATTRIBUTES as readonly string[]).includes(key)) {
      if (value === null && key !== "url") continue;
      if (typeof value !== "string" && typeof value !== "number") {
        if (key !== "url" || value !== null) errors.push(`${key} is invalid`);
        continue;
      }
      const s = String(value);
      if (key === "branch_filter_strategy" && !BRANCH_FILTER_STRATEGIES.includes(s)) errors.push(`${key} does not have a valid value`);
      else (set as Record<string, unknown>)[key] = s;
    } else if (key === "custom_headers") {
      const ok = Array.isArray(value) && value.every((h) => typeof h === "object" && h !== null && typeof (h as { key?: unknown }).key === "string" && typeof (h as { value?: unknown }).value === "string");
      if (!ok) errors.push(`${key} is invalid`);
      else set.custom_headers = (value as Array<{ key: string; value: string }>).map((h) => ({ key: h.key, value: h.value }));
    } else {
      unknown.push(key);
    }
  }
  return { set, errors, unknown };
}

/** A URL GitLab accepts for a hook (http or https; local addresses allowed, as with allow_local_requests_from_web_hooks_and_services). */
export function urlProblem(url: string): string | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return "is blocked: Only allowed schemes are http, https";
  }
  if (u.protocol !== "http:" && u.protocol !== "https:") return "is blocked: Only allowed schemes are http, https";
  return undefined;
}

/** Whether a stored hook is executable at `now` (GitLab's alert_status). */
export function alertStatus(h: StoredHook, now: number): "executable" | "temporarily_disabled" | "disabled" {
  if (h.recent_failures >= PERMANENT_FAILURES) return "disabled";
  if (h.recent_failures >= TEMPORARY_FAILURES && h.disabled_until !== null && h.disabled_until > now) return "temporarily_disabled";
  return "executable";
}

/** Auto-disabling (GitLab 17.11+): 4 consecutive failures disable a hook for 1 minute, doubling up to 1 day; 40 disable it for good. */
export const TEMPORARY_FAILURES = 4;
export const PERMANENT_FAILURES = 40;
export const INITIAL_BACKOFF_MS = 60_000;
export const MAX_BACKOFF_MS = 24 * 60 * 60_000;

/** The documented response: every field, the token never. */
export function hookResponse(h: StoredHook, now: number): Record<string, unknown> {
  const status = alertStatus(h, now);
  return {
    id: h.id,
    url: h.url,
    name: h.name,
    description: h.description,
    [h.scope === "project" ? "project_id" : "group_id"]: h.ownerId,
    ...h.flags,
    push_events_branch_filter: h.push_events_branch_filter,
    branch_filter_strategy: h.branch_filter_strategy,
    enable_ssl_verification: h.enable_ssl_verification,
    repository_update_events: false,
    alert_status: status,
    disabled_until: status === "temporarily_disabled" && h.disabled_until !== null ? new Date(h.disabled_until).toISOString() : null,
    url_variables: [],
    created_at: h.created_at,
    custom_webhook_template: h.custom_webhook_template,
    custom_headers: h.custom_headers.map((c) => ({ key: c.key })),
  };
}

/** The fields every hook response must carry (the docs' example responses). */
export function documentedResponseFields(scope: HookScope): string[] {
  return [
    "id",
    "url",
    "name",
    "description",
    scope === "project" ? "project_id" : "group_id",
    ...eventFlags(scope),
    "push_events_branch_filter",
    "branch_filter_strategy",
    "enable_ssl_verification",
    "repository_update_events",
    "alert_status",
    "disabled_until",
    "url_variables",
    "created_at",
    "custom_webhook_template",
    "custom_headers",
  ];
}

// Bitbucket Cloud's repository webhooks (REST API 2.0), managed as Argo Events'
// bitbucket event source does (pkg/eventsources/sources/bitbucket), on plain
// `fetch`: no maintained Bitbucket Cloud client exists for Node.
//
// Argo finds the repository's hook with the webhook URL, deletes it, and creates a
// new one ({url, description: "webhook managed by Argo-Events", active: true,
// events}) on every start. This client keeps the hook and updates it in place when
// its description, active state, events (as a set) or secret presence differ, so a
// restart changes nothing and the hook's uuid is stable; duplicates with the same
// URL are deleted. `events` are Bitbucket event keys ("repo:push"), sent as given.
// Bitbucket never returns a secret (only `secret_set`); as for GitLab, the
// description carries a fingerprint of it when there is one, so a rotated secret is
// seen. Bitbucket Cloud has no per-hook TLS setting: `insecureSSL` is not used.
import { createHash } from "node:crypto";
import { NotSupportedError } from "../errors.js";
import type { BackoffPolicy, RetryHooks } from "../retry.js";
import { parseRetryAfter, providerHttpError, ProviderUnavailableError } from "./errors.js";
import { retryingCall } from "./retrying-call.js";
import type { DesiredHook, HookClient, HookSync, HookTarget } from "./types.js";

export type BitbucketAuth = { basic: { username: string; password: string } } | { oauthToken: string };

export interface BitbucketHookClientOptions {
  /** Argo's `auth`: basic (username + app password) or an OAuth / access token (Bearer). */
  auth: BitbucketAuth;
  /** Default https://api.bitbucket.org/2.0. */
  baseUrl?: string;
  retry?: BackoffPolicy;
  clock?: RetryHooks["clock"];
  onRetry?: RetryHooks["onRetry"];
  maxRetryAfterMs?: number;
  /** Per request. Default 30 s. */
  timeoutMs?: number;
}

/** Argo's description; a secret's fingerprint is appended when the hook has one. */
export const BITBUCKET_HOOK_DESCRIPTION = "webhook managed by Argo-Events";

interface Subscription {
  uuid: string;
  url: string;
  description?: string;
  active?: boolean;
  events?: string[];
  secret_set?: boolean;
}

export function createBitbucketHookClient(options: BitbucketHookClientOptions): HookClient {
  const base = (options.baseUrl ?? "https://api.bitbucket.org/2.0").replace(/\/+$/, "");
  const authorization =
    "basic" in options.auth
      ? `Basic ${Buffer.from(`${options.auth.basic.username}:${options.auth.basic.password}`).toString("base64")}`
      : `Bearer ${options.auth.oauthToken}`;

  async function request<T>(what: string, method: string, url: string, body?: unknown): Promise<T> {
    return retryingCall(what, async () => {
      let res: Response;
      try {
        res = await fetch(url, {
          method,
          headers: { Authorization: authorization, Accept: "application/json", ...(body !== undefined ? { "Content-Type": "application/json" } : {}) },
          body: body !== undefined ? JSON.stringify(body) : undefined,
          signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
        });
      } catch (err) {
        throw new ProviderUnavailableError(`bitbucket: ${what}: ${err instanceof Error && err.name === "TimeoutError" ? "timed out" : "no answer"}`, 0);
      }
      const text = await res.text();
      if (!res.ok) throw providerHttpError("bitbucket", what, res.status, errorMessage(text), parseRetryAfter(res.headers.get("retry-after")));
      return (text === "" ? undefined : JSON.parse(text)) as T;
    }, options);
  }

  const repoPath = (target: HookTarget): string => {
    const [workspace, slug, ...rest] = target.name.split("/");
    if (target.scope !== "repository" || !workspace || !slug || rest.length > 0) {
      throw new NotSupportedError(`bitbucket: hooks live on a repository "workspace/repo_slug", not ${target.scope} ${JSON.stringify(target.name)}`);
    }
    return `${base}/repositories/${encodeURIComponent(workspace)}/${encodeURIComponent(slug)}/hooks`;
  };

  async function list(target: HookTarget): Promise<Subscription[]> {
    const all: Subscription[] = [];
    for (let next: string | undefined = `${repoPath(target)}?pagelen=100`; next; ) {
      const page: { values: Subscription[]; next?: string } = await request(`list hooks of ${target.name}`, "GET", next);
      all.push(...page.values);
      next = page.next;
    }
    return all;
  }

  async function removeOne(target: HookTarget, uuid: string): Promise<void> {
    try {
      await request(`delete hook ${uuid} of ${target.name}`, "DELETE", `${repoPath(target)}/${encodeURIComponent(uuid)}`);
    } catch (err) {
      // Already gone, as Argo tolerates.
      if (!(err instanceof Error && "status" in err && err.status === 404)) throw err;
    }
  }

  function description(desired: DesiredHook): string {
    if (!desired.secret) return BITBUCKET_HOOK_DESCRIPTION;
    const fp = createHash("sha256").update(`${desired.url}\n${desired.secret}`).digest("hex").slice(0, 16);
    return `${BITBUCKET_HOOK_DESCRIPTION}; secret fingerprint ${fp}`;
  }

  return {
    provider: "bitbucket",

    async ensure(target, desired): Promise<HookSync> {
      if (desired.events.length === 0) throw new NotSupportedError("bitbucket: events must be defined to create a bitbucket webhook");
      const want = { description: description(desired), url: desired.url, active: desired.active, events: [...desired.events] };
      const same = (await list(target)).filter((h) => h.url === desired.url);
      if (same.length === 0) {
        const created: Subscription = await request(`create a hook on ${target.name}`, "POST", repoPath(target), {
          ...want,
          ...(desired.secret ? { secret: desired.secret } : {}),
        });
        return { id: created.uuid, action: "created" };
      }
      const [keep, ...extra] = same;
      for (const h of extra) await removeOne(target, h.uuid);
      const sameEvents = new Set(keep.events ?? []).size === new Set(want.events).size && want.events.every((e) => (keep.events ?? []).includes(e));
      const secretMatches = keep.secret_set === undefined || keep.secret_set === Boolean(desired.secret);
      if (keep.description === want.description && keep.active === want.active && sameEvents && secretMatches) return { id: keep.uuid, action: "unchanged" };
      await request(`update hook ${keep.uuid} of ${target.name}`, "PUT", `${repoPath(target)}/${encodeURIComponent(keep.uuid)}`, {
        ...want,
        secret: desired.secret ? desired.secret : null,
      });
      return { id: keep.uuid, action: "updated" };
    },

    async remove(target, url): Promise<boolean> {
      const same = (await list(target)).filter((h) => h.url === url);
      for (const h of same) await removeOne(target, h.uuid);
      return same.length > 0;
    },
  };
}

/** Bitbucket's error object: {"type": "error", "error": {"message": ...}}. */
function errorMessage(text: string): string {
  try {
    const parsed = JSON.parse(text) as { error?: { message?: unknown } };
    if (typeof parsed.error?.message === "string") return parsed.error.message;
  } catch {
    // not JSON: a proxy's page
  }
  return text.slice(0, 200);
}

// Bitbucket Server / Data Center hooks through its REST API 1.0, with plain fetch
// (there is no maintained Node client). As Argo Events manages them
// (pkg/eventsources/sources/bitbucketserver/start.go): one repository webhook per
// URL named "Argo Events", the EventSource's `events` as Bitbucket event keys, the
// `webhookSecret` in `configuration.secret`, updated when its events or secret
// differ, and a project expanded into its repositories (all pages). Unlike Argo, the
// hook's `active` flag is kept as asked (Argo leaves a hook someone disabled
// disabled), every page of webhooks is read (Argo reads the first 25), and other
// hooks with the same URL are deleted (at most one per URL, the HookClient contract).
// `bitbucketserverBaseURL` is the instance's REST root ("https://host/rest"): Argo
// appends "api/1.0/..." to it, and so does this client.
import type { Logger } from "../logger.js";
import { ApiUnavailableError, BadRequestError, GatewayError, NotFoundError, errorMessage } from "../errors.js";
import { isRetryable, withRetry, type BackoffPolicy, type RetryHooks } from "../retry.js";
import { ProviderRequestError, providerHttpError } from "./errors.js";
import type { DesiredHook, HookClient, HookSync, HookTarget } from "./types.js";

/** What Argo Events names the webhooks it creates. */
export const ARGO_HOOK_NAME = "Argo Events";

/** A few quick retries of one API call; the manager's schedule covers longer outages. */
export const BITBUCKET_SERVER_RETRY: BackoffPolicy = { steps: 4, durationMs: 250, factor: 2, jitter: 0.2 };

export interface BitbucketServerClientOptions {
  /** `bitbucketserverBaseURL`, e.g. "https://bitbucket.example.com/rest". */
  baseUrl: string;
  /** `accessToken` (an HTTP access token), sent as `Authorization: Bearer`. Never logged. */
  token: string;
  retry?: BackoffPolicy;
  retryHooks?: RetryHooks;
  logger?: Logger;
  fetch?: typeof fetch;
  /** Page size asked for (Argo asks for 500). */
  pageLimit?: number;
  /** Per request. Default 30 s. */
  timeoutMs?: number;
}

/** A repository as Argo's `repositories[]` names it. */
export interface BitbucketServerRepository {
  projectKey: string;
  repositorySlug: string;
}

/** What the API says about a pull request (the fields Argo reads). */
export interface BitbucketServerPullRequest {
  id: number;
  state: string;
}

interface RestWebhook {
  id: number;
  name?: string;
  url?: string;
  events?: string[];
  active?: boolean;
  configuration?: Record<string, string>;
}

interface Page<T> {
  values?: T[];
  isLastPage?: boolean;
  nextPageStart?: number;
}

const ACTION_RANK: Record<HookSync["action"], number> = { unchanged: 0, updated: 1, created: 2 };

export class BitbucketServerHookClient implements HookClient {
  readonly provider = "bitbucketserver" as const;
  private readonly api: string;
  private readonly fetch: typeof fetch;

  constructor(private readonly o: BitbucketServerClientOptions) {
    this.api = `${o.baseUrl.replace(/\/+$/, "")}/api/1.0`;
    this.fetch = o.fetch ?? globalThis.fetch;
  }

  /**
   * A repository target ("PROJECT/slug") gets its hook; a project target ("PROJECT") is
   * expanded here into its repositories, each getting its hook. For a project the
   * HookSync's id lists "slug:id" per repository and its action is the strongest one.
   * A repository that fails does not stop the others (as Argo); the error then names
   * every failure and is retryable when one of them is.
   */
  async ensure(target: HookTarget, desired: DesiredHook): Promise<HookSync> {
    if (desired.events.length === 0) {
      throw new BadRequestError("bitbucketserver: events must be given to manage a webhook (Bitbucket Server needs at least one event key)");
    }
    const repos = await this.repositories(target);
    if (target.scope === "repository") return this.ensureRepository(repos[0] as BitbucketServerRepository, desired);
    const synced = await this.eachRepository(repos, (r) => this.ensureRepository(r, desired), `ensure the webhook ${desired.url}`);
    const action = synced.reduce<HookSync["action"]>((a, s) => (ACTION_RANK[s.sync.action] > ACTION_RANK[a] ? s.sync.action : a), "unchanged");
    return { id: synced.map((s) => `${s.repo.repositorySlug}:${s.sync.id}`).join(","), action };
  }

  /** Deletes every hook with this URL from the repository, or from each repository of the project. */
  async remove(target: HookTarget, url: string): Promise<boolean> {
    const repos = await this.repositories(target);
    const removed = await this.eachRepository(repos, (r) => this.removeFromRepository(r, url), `remove the webhook ${url}`);
    return removed.some((r) => r.sync);
  }

  /** The repositories a target names: itself, or every repository of the project (all pages). */
  async repositories(target: HookTarget): Promise<BitbucketServerRepository[]> {
    if (target.scope === "repository") {
      const parts = target.name.split("/");
      if (parts.length !== 2 || parts.some((p) => p === "")) {
        throw new BadRequestError(`bitbucketserver repository "${target.name}" is not PROJECT/repository_slug`);
      }
      return [{ projectKey: parts[0] as string, repositorySlug: parts[1] as string }];
    }
    if (target.scope === "project") {
      if (target.name === "" || target.name.includes("/")) throw new BadRequestError(`bitbucketserver project "${target.name}" is not a project key`);
      return this.projectRepositories(target.name);
    }
    throw new BadRequestError(`bitbucketserver hooks live on a repository or a project, not a ${target.scope}`);
  }

  /** GET /projects/{key}/repos, every page (Argo's getProjectRepositories). */
  async projectRepositories(projectKey: string): Promise<BitbucketServerRepository[]> {
    const repos = await this.list<{ slug: string; project?: { key?: string } }>(["projects", projectKey, "repos"]);
    return repos.map((r) => ({ projectKey: r.project?.key ?? projectKey, repositorySlug: r.slug }));
  }

  /** GET /projects/{p}/repos/{r}/commits/{commit}/pull-requests, every page: the pull requests that contain the commit. */
  async commitPullRequests(projectKey: string, repositorySlug: string, commit: string): Promise<BitbucketServerPullRequest[]> {
    const prs = await this.list<{ id: number; state: string }>(["projects", projectKey, "repos", repositorySlug, "commits", commit, "pull-requests"]);
    return prs.map((p) => ({ id: p.id, state: p.state }));
  }

  /** Whether a pull request containing the commit is open (Argo's refsChangedHasOpenPullRequest: state equals OPEN, any case). */
  async hasOpenPullRequest(projectKey: string, repositorySlug: string, commit: string): Promise<boolean> {
    const prs = await this.commitPullRequests(projectKey, repositorySlug, commit);
    return prs.some((p) => typeof p.state === "string" && p.state.toUpperCase() === "OPEN");
  }

  private async ensureRepository(repo: BitbucketServerRepository, desired: DesiredHook): Promise<HookSync> {
    const path = ["projects", repo.projectKey, "repos", repo.repositorySlug, "webhooks"];
    const hooks = await this.list<RestWebhook>(path);
    const same = hooks.filter((h) => h.url === desired.url);
    const body = {
      name: ARGO_HOOK_NAME,
      url: desired.url,
      events: [...desired.events],
      active: desired.active,
      // Never an empty secret: Bitbucket Server answers 500 to `"secret": ""`.
      configuration: desired.secret ? { secret: desired.secret } : {},
    };
    const where = { provider: this.provider, repository: `${repo.projectKey}/${repo.repositorySlug}`, url: desired.url };
    const [kept, ...extra] = same;
    if (!kept) {
      const created = await this.call<RestWebhook>("POST", path, body);
      this.o.logger?.info({ ...where, hookId: created.id }, "bitbucketserver webhook created");
      return { id: String(created.id), action: "created" };
    }
    for (const dup of extra) {
      await this.deleteHook(path, dup.id);
      this.o.logger?.info({ ...where, hookId: dup.id }, "bitbucketserver duplicate webhook deleted");
    }
    if (!needsUpdate(kept, desired)) return { id: String(kept.id), action: "unchanged" };
    await this.call<RestWebhook>("PUT", [...path, String(kept.id)], body);
    this.o.logger?.info({ ...where, hookId: kept.id }, "bitbucketserver webhook updated");
    return { id: String(kept.id), action: "updated" };
  }

  private async removeFromRepository(repo: BitbucketServerRepository, url: string): Promise<boolean> {
    const path = ["projects", repo.projectKey, "repos", repo.repositorySlug, "webhooks"];
    const matching = (await this.list<RestWebhook>(path)).filter((h) => h.url === url);
    for (const h of matching) {
      await this.deleteHook(path, h.id);
      this.o.logger?.info({ provider: this.provider, repository: `${repo.projectKey}/${repo.repositorySlug}`, hookId: h.id }, "bitbucketserver webhook deleted");
    }
    return matching.length > 0;
  }

  private async deleteHook(path: string[], id: number): Promise<void> {
    try {
      await this.call("DELETE", [...path, String(id)]);
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err; // already gone
    }
  }

  /** Runs `fn` on every repository; failures do not stop the others and are thrown together at the end. */
  private async eachRepository<T>(repos: BitbucketServerRepository[], fn: (r: BitbucketServerRepository) => Promise<T>, what: string): Promise<{ repo: BitbucketServerRepository; sync: T }[]> {
    const done: { repo: BitbucketServerRepository; sync: T }[] = [];
    const failed: { repo: BitbucketServerRepository; err: unknown }[] = [];
    for (const repo of repos) {
      try {
        done.push({ repo, sync: await fn(repo) });
      } catch (err) {
        failed.push({ repo, err });
      }
    }
    if (failed.length === 0) return done;
    if (repos.length === 1) throw (failed[0] as { err: unknown }).err;
    const cause = (failed.find((f) => isRetryable(f.err)) ?? failed[0]) as { err: unknown };
    const list = failed.map((f) => `${f.repo.projectKey}/${f.repo.repositorySlug}: ${errorMessage(f.err)}`).join("; ");
    const message = `bitbucketserver: could not ${what} in ${failed.length} of ${repos.length} repositories: ${list}`;
    throw isRetryable(cause.err) ? new ApiUnavailableError(message, statusOf(cause.err), { cause: cause.err }) : new ProviderRequestError(message, statusOf(cause.err), { cause: cause.err });
  }

  /** Every value of a paged GET: start=0, then nextPageStart until isLastPage. */
  private async list<T>(path: string[]): Promise<T[]> {
    const out: T[] = [];
    const limit = this.o.pageLimit ?? 500;
    for (let start = 0; ; ) {
      const page = await this.call<Page<T>>("GET", path, undefined, { start: String(start), limit: String(limit) });
      out.push(...(page.values ?? []));
      if (page.isLastPage !== false || typeof page.nextPageStart !== "number" || page.nextPageStart <= start) return out;
      start = page.nextPageStart;
    }
  }

  /** One API call, retried by withRetry while isRetryable (5xx, 429, no answer). */
  private call<T>(method: string, path: string[], body?: unknown, query?: Record<string, string>): Promise<T> {
    const rel = `/${path.map(encodeURIComponent).join("/")}`;
    const url = `${this.api}${rel}${query ? `?${new URLSearchParams(query).toString()}` : ""}`;
    const what = `Bitbucket Server ${method} ${rel}`;
    const headers: Record<string, string> = {
      authorization: `Bearer ${this.o.token}`,
      accept: "application/json",
      // As Argo's client: Bitbucket's XSRF check skips requests that carry it.
      "x-atlassian-token": "no-check",
    };
    if (body !== undefined) headers["content-type"] = "application/json";
    const attempt = async (): Promise<T> => {
      let res: Response;
      try {
        res = await this.fetch(url, {
          method,
          headers,
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(this.o.timeoutMs ?? 30_000),
        });
      } catch (err) {
        throw new ApiUnavailableError(`${what}: no answer: ${errorMessage(err)}`, 0, { cause: err });
      }
      const text = await res.text();
      if (!res.ok) throw apiError(what, res.status, text);
      if (text === "") return undefined as T;
      try {
        return JSON.parse(text) as T;
      } catch (err) {
        throw new ApiUnavailableError(`${what}: the answer is not JSON`, res.status, { cause: err });
      }
    };
    return withRetry(this.o.retry ?? BITBUCKET_SERVER_RETRY, attempt, {
      ...this.o.retryHooks,
      onRetry: (err, n, delayMs) => {
        this.o.logger?.warn({ provider: this.provider, err: errorMessage(err), attempt: n, delayMs }, "bitbucketserver API call failed, retrying");
        this.o.retryHooks?.onRetry?.(err, n, delayMs);
      },
    });
  }
}

export function bitbucketServerHookClient(o: BitbucketServerClientOptions): BitbucketServerHookClient {
  return new BitbucketServerHookClient(o);
}

/** Argo's shouldUpdateWebhook (events as a multiset, the secret), plus `active`. */
function needsUpdate(h: RestWebhook, desired: DesiredHook): boolean {
  const sorted = (a: readonly string[]) => [...a].sort().join("\u0000");
  return sorted(h.events ?? []) !== sorted(desired.events) || (h.configuration?.secret ?? "") !== (desired.secret ?? "") || h.active !== desired.active;
}

function statusOf(err: unknown): number {
  if (err instanceof ApiUnavailableError) return err.apiStatus || err.status;
  return err instanceof GatewayError ? err.status : 500;
}

/** Bitbucket's `{"errors":[{"message"}]}` as a typed error carrying its status. */
function apiError(what: string, status: number, text: string): GatewayError {
  let detail = text.slice(0, 300);
  try {
    const parsed = JSON.parse(text) as { errors?: { message?: unknown }[] };
    const messages = (parsed.errors ?? []).map((e) => e.message).filter((m): m is string => typeof m === "string");
    if (messages.length > 0) detail = messages.join("; ");
  } catch {
    // not JSON: the text as it came
  }
  return providerHttpError("", what, status, detail);
}

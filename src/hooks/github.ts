// The GitHub hooks client: repository and organization webhooks kept as an EventSource
// asks (Argo Events' `github` source: `repositories`/`organizations`, `apiToken` or
// `githubApp`, `githubBaseURL`, `events`, `contentType`, `insecure`, `active`), and
// redelivery of the deliveries that failed.
//
// What differs from Argo Events, which finds a hook by URL *and* events and creates a
// new one when the events changed (leaving the old one behind): the hook is
// identified by its URL alone; one with a different configuration is updated in
// place, and further hooks with the same URL are deleted.
//
// The secret: GitHub never returns a hook's secret (it shows "********"), so a changed
// secret cannot be seen. On every update the whole config is sent, secret included
// (GitHub replaces the config, and a config without a secret removes it). To notice a
// changed secret, the client keeps a fingerprint (HMAC-SHA256 keyed by the secret, over
// the hook URL) of the secret it last set on each hook; a hook whose fingerprint is
// unknown (first sight since the process started, unless a persistent store is given)
// gets its secret set once: one PATCH per hook with a secret after a restart, so a
// secret rotated while the gateway was down takes effect.
//
// Retries: @octokit/plugin-retry and plugin-throttling are not installed, so every
// call goes through `withRetry` (src/retry.ts): 5xx, no answer and rate limits are
// retried with backoff; a rate limit waits what GitHub asks (retry-after, or until
// x-ratelimit-reset) when that is at most `maxRateLimitWaitMs`, and otherwise is given
// back at once (a RateLimitedError, retryable: the manager tries again later). With App
// auth, @octokit/auth-app fetches the installation token and refreshes it before it
// expires; a 401 anyway (a token revoked or expired early) forces one refresh and retry.
import { createHmac } from "node:crypto";
import { createAppAuth } from "@octokit/auth-app";
import { Octokit } from "@octokit/rest";
import { BadRequestError, NotFoundError, NotSupportedError, UnauthorizedError } from "../errors.js";
import { isRetryable, withRetry, type BackoffPolicy } from "../retry.js";
import { githubError, RateLimitedError } from "./github-errors.js";
import type { DeliveryRecovery, DesiredHook, FailedDelivery, HookClient, HookSync, HookTarget } from "./types.js";

export interface GithubTokenAuth {
  /** A personal access token (Argo's `apiToken`). */
  token: string;
}

export interface GithubAppAuth {
  /** Argo's `githubApp`. */
  appId: string | number;
  /** PEM (PKCS#1 or PKCS#8). */
  privateKey: string;
  installationId: string | number;
}

/** Where the secret fingerprints live (default: in memory, per client). Values are HMACs, never secrets. */
export interface SecretFingerprints {
  get(key: string): string | undefined | Promise<string | undefined>;
  set(key: string, fingerprint: string): void | Promise<void>;
  delete(key: string): void | Promise<void>;
}

export interface GithubHookClientOptions {
  /** The API root (Argo's `githubBaseURL`, e.g. https://ghe.example.com/api/v3). Default https://api.github.com. */
  baseUrl?: string;
  auth: GithubTokenAuth | GithubAppAuth;
  /** Attempts and backoff for retryable failures. Default 4 attempts, 1 s doubling, 20% jitter. */
  retry?: Partial<BackoffPolicy>;
  /** The longest rate-limit wait done in place (default 60 s). */
  maxRateLimitWaitMs?: number;
  /** Waits between attempts (tests make them instant). Default setTimeout. */
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  /** Per-request timeout (default 30 s). */
  timeoutMs?: number;
  secretFingerprints?: SecretFingerprints;
  /** Retries and refreshes are reported here (never with credentials). */
  log?: { warn(message: string): void };
  userAgent?: string;
}

export type GithubHookClient = HookClient & DeliveryRecovery & { readonly provider: "github" };

const DEFAULT_RETRY: BackoffPolicy = { steps: 4, durationMs: 1000, factor: 2, jitter: 0.2 };
const noop = (): void => {};

interface GithubHook {
  id: number;
  active: boolean;
  events: string[];
  config: { url?: string; content_type?: string; insecure_ssl?: string | number; secret?: string };
}

type Owner = { kind: "repository"; owner: string; repo: string } | { kind: "organization"; org: string };

function ownerOf(target: HookTarget): Owner {
  if (target.scope === "repository") {
    const parts = target.name.split("/");
    if (parts.length !== 2 || parts.some((p) => p === "")) throw new BadRequestError(`GitHub repository ${JSON.stringify(target.name)} is not "owner/name"`);
    return { kind: "repository", owner: parts[0], repo: parts[1] };
  }
  if (target.scope === "organization") {
    if (target.name === "" || target.name.includes("/")) throw new BadRequestError(`GitHub organization ${JSON.stringify(target.name)} is not an organization login`);
    return { kind: "organization", org: target.name };
  }
  throw new NotSupportedError(`GitHub hooks live on a repository or an organization, not a ${target.scope}`);
}

const describeTarget = (o: Owner): string => (o.kind === "repository" ? `repository ${o.owner}/${o.repo}` : `organization ${o.org}`);

function hookIdOf(hookId: string): number {
  if (!/^\d+$/.test(hookId)) throw new BadRequestError(`GitHub hook id ${JSON.stringify(hookId)} is not a number`);
  return Number(hookId);
}

const fingerprint = (secret: string, url: string): string => createHmac("sha256", secret).update(`trigger-gateway hook secret\0${url}`).digest("hex");

function wantedEvents(desired: DesiredHook): string[] {
  return desired.events.length > 0 ? [...new Set(desired.events)] : ["push"];
}

function wantedConfig(desired: DesiredHook): { url: string; content_type: string; insecure_ssl: string; secret?: string } {
  const config: { url: string; content_type: string; insecure_ssl: string; secret?: string } = { url: desired.url, content_type: desired.contentType ?? "json", insecure_ssl: desired.insecureSSL ? "1" : "0" };
  if (desired.secret) config.secret = desired.secret;
  return config;
}

/** What differs between a hook and the desired one, secret aside ([] when nothing). */
function differences(hook: GithubHook, desired: DesiredHook): string[] {
  const diffs: string[] = [];
  const want = new Set(wantedEvents(desired));
  const have = new Set(hook.events);
  if (want.size !== have.size || [...want].some((e) => !have.has(e))) diffs.push("events");
  if ((hook.config.content_type ?? "form") !== (desired.contentType ?? "json")) diffs.push("content_type");
  if (String(hook.config.insecure_ssl ?? "0") !== (desired.insecureSSL ? "1" : "0")) diffs.push("insecure_ssl");
  if (hook.active !== desired.active) diffs.push("active");
  if (Boolean(hook.config.secret) !== Boolean(desired.secret)) diffs.push("secret");
  return diffs;
}

function inMemoryFingerprints(): SecretFingerprints {
  const map = new Map<string, string>();
  return {
    get: (key) => map.get(key),
    set: (key, value) => void map.set(key, value),
    delete: (key) => void map.delete(key),
  };
}

export function createGithubHookClient(options: GithubHookClientOptions): GithubHookClient {
  const baseUrl = (options.baseUrl ?? "https://api.github.com").replace(/\/+$/, "");
  const policy: BackoffPolicy = { ...DEFAULT_RETRY, ...options.retry };
  const maxWait = options.maxRateLimitWaitMs ?? 60_000;
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const warn = options.log?.warn.bind(options.log) ?? noop;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const fingerprints: SecretFingerprints = options.secretFingerprints ?? inMemoryFingerprints();
  const isApp = "appId" in options.auth;
  const common = {
    baseUrl,
    userAgent: options.userAgent ?? "trigger-gateway",
    log: { debug: noop, info: noop, warn: (m: string) => warn(m), error: noop },
    request: { fetch: (url: string, init: RequestInit) => fetch(url, { ...init, signal: init.signal ?? AbortSignal.timeout(timeoutMs) }) },
  };
  const octokit =
    "appId" in options.auth
      ? new Octokit({ ...common, authStrategy: createAppAuth, auth: { appId: options.auth.appId, privateKey: options.auth.privateKey, installationId: options.auth.installationId } })
      : new Octokit({ ...common, auth: options.auth.token });

  /** One API call (or paginated scan), typed errors, retried while retryable; an App token refreshed once on a 401. */
  async function call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    let refreshed = false;
    let rateLimitWaitMs = 0;
    return withRetry(
      policy,
      async () => {
        try {
          return await fn();
        } catch (err) {
          const e = githubError(err, what, now());
          if (!(e instanceof UnauthorizedError && isApp && !refreshed)) throw e;
          refreshed = true;
          warn(`GitHub ${what}: 401 with the installation token; fetching a new one`);
          try {
            await octokit.auth({ type: "installation", refresh: true });
            return await fn();
          } catch (again) {
            throw githubError(again, what, now());
          }
        }
      },
      {
        clock: { sleep: (ms) => sleep(Math.max(ms, rateLimitWaitMs)) },
        retryable: (err) => isRetryable(err) && !(err instanceof RateLimitedError && err.retryAfterMs > maxWait),
        onRetry: (err, attempt, delayMs) => {
          rateLimitWaitMs = err instanceof RateLimitedError ? err.retryAfterMs : 0;
          warn(`${err instanceof Error ? err.message : String(err)}; attempt ${attempt + 1} of ${policy.steps} in ${Math.max(delayMs, rateLimitWaitMs)} ms`);
        },
      },
    );
  }

  async function listHooks(o: Owner): Promise<GithubHook[]> {
    return call(`list hooks of ${describeTarget(o)}`, async () =>
      o.kind === "repository"
        ? ((await octokit.paginate(octokit.rest.repos.listWebhooks, { owner: o.owner, repo: o.repo, per_page: 100 })) as GithubHook[])
        : ((await octokit.paginate(octokit.rest.orgs.listWebhooks, { org: o.org, per_page: 100 })) as GithubHook[]),
    );
  }

  async function deleteHook(o: Owner, id: number): Promise<boolean> {
    try {
      await call(`delete hook ${id} of ${describeTarget(o)}`, () =>
        o.kind === "repository" ? octokit.rest.repos.deleteWebhook({ owner: o.owner, repo: o.repo, hook_id: id }) : octokit.rest.orgs.deleteWebhook({ org: o.org, hook_id: id }),
      );
      return true;
    } catch (err) {
      if (err instanceof NotFoundError) return false; // already gone
      throw err;
    }
  }

  const fingerprintKey = (o: Owner, id: number): string => `${baseUrl} ${describeTarget(o)} hook ${id}`;

  async function rememberSecret(o: Owner, id: number, desired: DesiredHook): Promise<void> {
    if (desired.secret) await fingerprints.set(fingerprintKey(o, id), fingerprint(desired.secret, desired.url));
    else await fingerprints.delete(fingerprintKey(o, id));
  }

  async function secretMayDiffer(o: Owner, hook: GithubHook, desired: DesiredHook): Promise<boolean> {
    if (!desired.secret) return false;
    return (await fingerprints.get(fingerprintKey(o, hook.id))) !== fingerprint(desired.secret, desired.url);
  }

  return {
    provider: "github",

    async ensure(target: HookTarget, desired: DesiredHook): Promise<HookSync> {
      const o = ownerOf(target);
      const same = (await listHooks(o)).filter((h) => h.config.url === desired.url).sort((a, b) => a.id - b.id);
      const config = wantedConfig(desired);
      const events = wantedEvents(desired);
      if (same.length === 0) {
        const what = `create hook for ${desired.url} on ${describeTarget(o)}`;
        const created = await call<{ data: { id: number } }>(what, () =>
          o.kind === "repository"
            ? octokit.rest.repos.createWebhook({ owner: o.owner, repo: o.repo, name: "web", config, events, active: desired.active })
            : octokit.rest.orgs.createWebhook({ org: o.org, name: "web", config, events, active: desired.active }),
        );
        await rememberSecret(o, created.data.id, desired);
        return { id: String(created.data.id), action: "created" };
      }
      // Keep a hook that already matches if there is one, else the oldest.
      const keeper = same.find((h) => differences(h, desired).length === 0) ?? same[0];
      for (const extra of same) if (extra !== keeper) await deleteHook(o, extra.id);
      if (differences(keeper, desired).length === 0 && !(await secretMayDiffer(o, keeper, desired))) {
        return { id: String(keeper.id), action: "unchanged" };
      }
      const what = `update hook ${keeper.id} on ${describeTarget(o)}`;
      await call<unknown>(what, () =>
        o.kind === "repository"
          ? octokit.rest.repos.updateWebhook({ owner: o.owner, repo: o.repo, hook_id: keeper.id, config, events, active: desired.active })
          : octokit.rest.orgs.updateWebhook({ org: o.org, hook_id: keeper.id, config, events, active: desired.active }),
      );
      await rememberSecret(o, keeper.id, desired);
      return { id: String(keeper.id), action: "updated" };
    },

    async remove(target: HookTarget, url: string): Promise<boolean> {
      const o = ownerOf(target);
      let removed = false;
      for (const h of (await listHooks(o)).filter((x) => x.config.url === url)) {
        if (await deleteHook(o, h.id)) removed = true;
        await fingerprints.delete(fingerprintKey(o, h.id));
      }
      return removed;
    },

    /**
     * The deliveries since `since` of which no attempt got a 2xx, newest attempt per
     * GUID, oldest first (the order to redeliver in). Pings are left out: they carry
     * no event. Deliveries are listed newest first, page by page, until one is older
     * than `since` (GitHub keeps them, and allows redelivery, for 3 days).
     */
    async failedSince(target: HookTarget, hookId: string, since: Date): Promise<FailedDelivery[]> {
      const o = ownerOf(target);
      const id = hookIdOf(hookId);
      type Attempt = { id: number; guid: string; event: string; delivered_at: string; status_code: number };
      const attempts = await call(`list deliveries of hook ${id} on ${describeTarget(o)}`, async () => {
        const seen: Attempt[] = [];
        const pages =
          o.kind === "repository"
            ? octokit.paginate.iterator(octokit.rest.repos.listWebhookDeliveries, { owner: o.owner, repo: o.repo, hook_id: id, per_page: 100 })
            : octokit.paginate.iterator(octokit.rest.orgs.listWebhookDeliveries, { org: o.org, hook_id: id, per_page: 100 });
        for await (const page of pages) {
          let older = false;
          for (const d of page.data as Attempt[]) {
            if (Date.parse(d.delivered_at) < since.getTime()) older = true;
            else seen.push(d);
          }
          if (older) break;
        }
        return seen;
      });
      const byGuid = new Map<string, { newest: Attempt; ok: boolean }>();
      for (const d of attempts) {
        const ok = d.status_code >= 200 && d.status_code < 300;
        const entry = byGuid.get(d.guid);
        if (!entry) byGuid.set(d.guid, { newest: d, ok });
        else {
          entry.ok ||= ok;
          if (Date.parse(d.delivered_at) > Date.parse(entry.newest.delivered_at) || (d.delivered_at === entry.newest.delivered_at && d.id > entry.newest.id)) entry.newest = d;
        }
      }
      return [...byGuid.values()]
        .filter((e) => !e.ok && e.newest.event !== "ping")
        .map(({ newest: d }) => ({ id: String(d.id), guid: d.guid, event: d.event, deliveredAt: new Date(d.delivered_at), statusCode: d.status_code }))
        .sort((a, b) => a.deliveredAt.getTime() - b.deliveredAt.getTime() || Number(a.id) - Number(b.id));
    },

    async redeliver(target: HookTarget, hookId: string, deliveryId: string): Promise<void> {
      const o = ownerOf(target);
      const id = hookIdOf(hookId);
      if (!/^\d+$/.test(deliveryId)) throw new BadRequestError(`GitHub delivery id ${JSON.stringify(deliveryId)} is not a number`);
      const delivery_id = Number(deliveryId);
      await call(`redeliver delivery ${deliveryId} of hook ${id} on ${describeTarget(o)}`, () =>
        o.kind === "repository"
          ? octokit.rest.repos.redeliverWebhookDelivery({ owner: o.owner, repo: o.repo, hook_id: id, delivery_id })
          : octokit.rest.orgs.redeliverWebhookDelivery({ org: o.org, hook_id: id, delivery_id }),
      );
    },
  };
}

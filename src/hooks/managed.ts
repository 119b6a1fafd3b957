// Which EventSource entries ask for a managed hook, and how to reach their provider.
// As Argo Events: an entry manages its hook when it gives `webhook.url` and
// credentials (github: apiToken or githubApp; gitlab: accessToken; bitbucket: auth;
// bitbucketserver: accessToken). The hook's URL is `webhook.url` joined with the
// entry's endpoint. Secrets are read at each sync, so a rotated token or webhook
// secret is picked up by the next one.
import { createHash } from "node:crypto";
import { isObject } from "../api/extension-points.js";
import { closest } from "../api/schema.js";
import type { EventSource, SecretKeySelector } from "../api/types.js";
import type { SecretStore } from "../config/index.js";
import { SpecError } from "../errors.js";
import { parseGoDuration } from "../expr/index.js";
import { createBitbucketHookClient } from "./bitbucket.js";
import { bitbucketServerHookClient } from "./bitbucketserver.js";
import { createGithubHookClient, type GithubAppAuth, type GithubTokenAuth, type SecretFingerprints } from "./github.js";
import { ARGO_GITLAB_EVENT_FLAGS, createGitlabHookClient } from "./gitlab.js";
import type { DeliveryRecovery, DesiredHook, HookClient, HookTarget } from "./types.js";

export type HookProvider = HookClient["provider"];
export const HOOK_PROVIDERS: readonly HookProvider[] = ["github", "gitlab", "bitbucket", "bitbucketserver"];

/** Bitbucket Server's default `checkInterval`; the others are re-checked as often. */
export const DEFAULT_CHECK_INTERVAL_MS = 60_000;

type Entry = Record<string, unknown>;

export interface ResolvedHook {
  client: HookClient & Partial<DeliveryRecovery>;
  desired: DesiredHook;
}

/** One EventSource entry whose hook the gateway keeps on the provider. */
export interface ManagedHook {
  /** "namespace/eventsource/type/entry". */
  readonly key: string;
  readonly provider: HookProvider;
  readonly targets: HookTarget[];
  readonly url: string;
  readonly deleteOnFinish: boolean;
  readonly checkIntervalMs: number;
  /** What in the entry the provider's API or Argo Events would refuse; such a hook is never synced, only reported. */
  readonly issues: HookConfigIssue[];
  /** The client and the desired hook, with the secrets as they are now. */
  resolve(): Promise<ResolvedHook>;
}

/** A field of a managed entry that cannot make a hook, with its path from the document root. */
export interface HookConfigIssue {
  path: (string | number)[];
  message: string;
}

export interface ManagedHookOptions {
  secrets: SecretStore;
  /** Bitbucket Cloud's API root (Argo has no field for it). Default https://api.bitbucket.org/2.0. */
  bitbucketBaseURL?: string;
  /** Clients are kept per entry and credentials, so what they remember (GitHub's secret fingerprints) lasts between syncs. */
  clients?: Map<string, HookClient & Partial<DeliveryRecovery>>;
  /** Where GitHub clients remember the secrets they set (default: in memory). */
  secretFingerprints?: SecretFingerprints;
}

const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);
const selector = (v: unknown): SecretKeySelector | undefined =>
  isObject(v) && typeof v.name === "string" && typeof v.key === "string" ? (v as unknown as SecretKeySelector) : undefined;
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string" && x !== "") : []);

function hookUrl(base: string, endpoint: string): string {
  return `${base.replace(/\/+$/, "")}${endpoint.startsWith("/") ? endpoint : `/${endpoint}`}`;
}

function githubTargets(e: Entry): HookTarget[] {
  const out: HookTarget[] = [];
  for (const r of Array.isArray(e.repositories) ? e.repositories : []) {
    if (!isObject(r) || typeof r.owner !== "string") continue;
    for (const name of strings(r.names)) out.push({ scope: "repository", name: `${r.owner}/${name}` });
  }
  // The deprecated single-repository fields.
  if (str(e.owner) && str(e.repository)) out.push({ scope: "repository", name: `${e.owner}/${e.repository}` });
  for (const org of strings(e.organizations)) out.push({ scope: "organization", name: org });
  return out;
}

function gitlabTargets(e: Entry): HookTarget[] {
  const projects = [...strings(e.projects), ...(str(e.projectID) ? [e.projectID as string] : [])];
  return [...projects.map((name): HookTarget => ({ scope: "project", name })), ...strings(e.groups).map((name): HookTarget => ({ scope: "group", name }))];
}

function bitbucketTargets(e: Entry, ownerKey: "owner" | "projectKey"): HookTarget[] {
  const out: HookTarget[] = [];
  for (const r of Array.isArray(e.repositories) ? e.repositories : []) {
    if (isObject(r) && str(r[ownerKey]) && str(r.repositorySlug)) out.push({ scope: "repository", name: `${r[ownerKey]}/${r.repositorySlug}` });
  }
  if (str(e[ownerKey]) && str(e.repositorySlug)) out.push({ scope: "repository", name: `${e[ownerKey]}/${e.repositorySlug}` });
  if (ownerKey === "projectKey") for (const p of strings(e.projects)) out.push({ scope: "project", name: p });
  return out;
}

function fingerprint(...parts: string[]): string {
  return createHash("sha256").update(parts.join("\0")).digest("hex").slice(0, 16);
}

const positiveInteger = (v: unknown): boolean => Number.isSafeInteger(typeof v === "string" ? Number(v) : v) && Number(v) > 0;

/** What in a managed entry cannot make a hook (paths relative to the entry). */
function entryIssues(provider: HookProvider, e: Entry, usesApp: boolean): HookConfigIssue[] {
  const out: HookConfigIssue[] = [];
  if (provider === "github") {
    const app = isObject(e.githubApp) ? e.githubApp : {};
    if (usesApp) {
      for (const f of ["appID", "installationID"]) {
        if (!positiveInteger(app[f])) out.push({ path: ["githubApp", f], message: `must be a positive integer (the GitHub App's ${f === "appID" ? "App ID" : "installation id"}), got ${JSON.stringify(app[f])}` });
      }
    }
    (Array.isArray(e.repositories) ? e.repositories : []).forEach((r, i) => {
      if (!isObject(r)) return;
      if (typeof r.owner !== "string" || r.owner === "" || r.owner.includes("/")) {
        out.push({ path: ["repositories", i, "owner"], message: `must be a user or organization name without "/", got ${JSON.stringify(r.owner)}` });
      }
      strings(r.names).forEach((n, j) => {
        if (n.includes("/")) out.push({ path: ["repositories", i, "names", j], message: `must be a repository name without its owner, got ${JSON.stringify(n)}` });
      });
    });
  } else if (provider === "gitlab") {
    const known = Object.keys(ARGO_GITLAB_EVENT_FLAGS);
    strings(e.events).forEach((ev, i) => {
      if (ARGO_GITLAB_EVENT_FLAGS[ev]) return;
      const near = closest(ev, known);
      out.push({ path: ["events", i], message: `${JSON.stringify(ev)} is no GitLab hook option Argo Events sets${near ? ` (did you mean ${JSON.stringify(near)}?)` : ""}: the hook cannot be made` });
    });
  } else if (provider === "bitbucketserver") {
    const interval = str(e.checkInterval);
    if (interval) {
      let ms = NaN;
      try {
        ms = parseGoDuration(interval);
      } catch {
        // reported below
      }
      if (!(ms > 0)) out.push({ path: ["checkInterval"], message: `must be a positive Go duration like "1m", got ${JSON.stringify(interval)}` });
    }
  }
  return out;
}

/** The managed hooks of one EventSource (none when no entry gives both a URL and credentials). */
export function managedHooksOf(es: EventSource, o: ManagedHookOptions): ManagedHook[] {
  const namespace = es.metadata.namespace ?? "default";
  const secret = (s: SecretKeySelector) => o.secrets.get(namespace, s);
  const optionalSecret = async (s: SecretKeySelector | undefined) => (s ? secret(s) : undefined);
  const clients = o.clients ?? new Map();
  const cached = <C extends HookClient & Partial<DeliveryRecovery>>(key: string, make: () => C): C => {
    let c = clients.get(key) as C | undefined;
    if (!c) clients.set(key, (c = make()));
    return c;
  };
  const out: ManagedHook[] = [];
  for (const provider of HOOK_PROVIDERS) {
    const section = es.spec[provider];
    if (!isObject(section)) continue;
    for (const [name, raw] of Object.entries(section)) {
      if (!isObject(raw)) continue;
      const e = raw as Entry;
      const webhook = isObject(e.webhook) ? e.webhook : {};
      const base = str(webhook.url);
      const endpoint = str(webhook.endpoint);
      if (!base || !endpoint) continue;
      const url = hookUrl(base, endpoint);
      const key = `${namespace}/${es.metadata.name ?? ""}/${provider}/${name}`;
      const events = strings(e.events);
      const common = { key, provider, url, deleteOnFinish: e.deleteHookOnFinish === true, checkIntervalMs: DEFAULT_CHECK_INTERVAL_MS, issues: [] as HookConfigIssue[] };
      const refused = (targets: HookTarget[], usesApp = false): boolean => {
        const issues = entryIssues(provider, e, usesApp).map((i) => ({ ...i, path: ["spec", provider, name, ...i.path] }));
        if (issues.length === 0) return false;
        const first = issues[0] as HookConfigIssue;
        const err = new SpecError(`EventSource ${namespace}/${es.metadata.name ?? ""}`, "", first.path.join("."), first.message);
        out.push({ ...common, issues, targets, resolve: () => Promise.reject(err) });
        return true;
      };
      if (provider === "github") {
        const token = selector(e.apiToken);
        const app = isObject(e.githubApp) ? e.githubApp : undefined;
        const appKey = selector(app?.privateKey);
        if (!token && !(app && appKey)) continue;
        if (refused(githubTargets(e), !token)) continue;
        const baseUrl = str(e.githubBaseURL);
        out.push({
          ...common,
          targets: githubTargets(e),
          async resolve() {
            const auth: GithubTokenAuth | GithubAppAuth = token
              ? { token: await secret(token) }
              : { appId: Number(app?.appID), installationId: Number(app?.installationID), privateKey: await secret(appKey as SecretKeySelector) };
            const id = fingerprint(key, baseUrl ?? "", "token" in auth ? auth.token : `${auth.appId}/${auth.installationId}/${auth.privateKey}`);
            const client = cached(id, () => createGithubHookClient({ baseUrl, auth, secretFingerprints: o.secretFingerprints }));
            const content = str(e.contentType) === "form" ? "form" : "json";
            return {
              client,
              desired: { url, events, secret: await optionalSecret(selector(e.webhookSecret)), contentType: content, active: e.active !== false, insecureSSL: e.insecure === true },
            };
          },
        });
      } else if (provider === "gitlab") {
        const token = selector(e.accessToken);
        const baseUrl = str(e.gitlabBaseURL);
        if (!token || !baseUrl) continue;
        if (refused(gitlabTargets(e))) continue;
        out.push({
          ...common,
          targets: gitlabTargets(e),
          async resolve() {
            const t = await secret(token);
            const client = cached(fingerprint(key, baseUrl, t), () => createGitlabHookClient({ baseUrl, token: t }));
            const secretToken = await optionalSecret(selector(e.secretToken));
            return { client, desired: { url, events, secret: secretToken, active: true, insecureSSL: e.enableSSLVerification === false } };
          },
        });
      } else if (provider === "bitbucket") {
        const auth = isObject(e.auth) ? e.auth : undefined;
        const basic = isObject(auth?.basic) ? auth.basic : undefined;
        const user = selector(basic?.username);
        const password = selector(basic?.password);
        const oauth = selector(auth?.oauthToken);
        if (!(user && password) && !oauth) continue;
        out.push({
          ...common,
          targets: bitbucketTargets(e, "owner"),
          async resolve() {
            const a = oauth
              ? { oauthToken: await secret(oauth) }
              : { basic: { username: await secret(user as SecretKeySelector), password: await secret(password as SecretKeySelector) } };
            const client = cached(fingerprint(key, JSON.stringify(a)), () => createBitbucketHookClient({ auth: a, baseUrl: o.bitbucketBaseURL }));
            return { client, desired: { url, events, active: true, insecureSSL: false } };
          },
        });
      } else {
        const token = selector(e.accessToken);
        const baseUrl = str(e.bitbucketserverBaseURL);
        if (!token || !baseUrl) continue;
        if (refused(bitbucketTargets(e, "projectKey"))) continue;
        const interval = str(e.checkInterval);
        out.push({
          ...common,
          checkIntervalMs: interval ? parseGoDuration(interval) : DEFAULT_CHECK_INTERVAL_MS,
          targets: bitbucketTargets(e, "projectKey"),
          async resolve() {
            const t = await secret(token);
            const client = cached(fingerprint(key, baseUrl, t), () => bitbucketServerHookClient({ baseUrl, token: t }));
            const s = await optionalSecret(selector(e.webhookSecret));
            return { client, desired: { url, events, secret: s, active: true, insecureSSL: false } };
          },
        });
      }
    }
  }
  return out;
}

// The double's memory: repositories, organizations, their hooks, the deliveries of
// each hook, Apps, installations and the installation tokens issued.
import { randomBytes } from "node:crypto";
import type { KeyObject } from "node:crypto";

export type HookScope = "repository" | "organization";

export interface StoredHook {
  id: number;
  scope: HookScope;
  /** "owner/repo" or "org". */
  owner: string;
  active: boolean;
  events: string[];
  config: { url: string; content_type: string; insecure_ssl: string; secret?: string };
  createdAt: string;
  updatedAt: string;
  lastResponse: { code: number | null; status: string | null; message: string | null };
}

export interface StoredDelivery {
  id: number;
  hookId: number;
  guid: string;
  deliveredAt: string;
  redelivery: boolean;
  /** Seconds. */
  duration: number;
  status: string;
  statusCode: number;
  event: string;
  action: string | null;
  repositoryId: number | null;
  installationId: number | null;
  url: string;
  /** What was sent: the payload object and headers, kept for a redelivery. */
  request: { headers: Record<string, string>; payload: Record<string, unknown> };
  response: { headers: Record<string, string> | null; payload: string | null };
}

export interface RepositorySpec {
  /** "owner/name". */
  fullName: string;
  id?: number;
}

export interface AppSpec {
  appId: number;
  /** The App's public key (PEM or KeyObject); JWTs must verify with it. */
  publicKey: KeyObject | string;
  slug?: string;
  clientId?: string;
  installations: InstallationSpec[];
}

export interface InstallationSpec {
  id: number;
  /** The org or user login the App is installed on. */
  account: string;
  /** Default "all" (every repository of the account). */
  repositories?: "all" | string[];
}

export interface IssuedToken {
  token: string;
  installationId: number;
  appId: number;
  issuedAt: number;
  expiresAt: number;
  revoked: boolean;
}

export interface Repository {
  id: number;
  owner: string;
  name: string;
  fullName: string;
}

export class GithubStore {
  readonly repositories = new Map<string, Repository>();
  readonly organizations = new Map<string, { id: number; login: string }>();
  readonly hooks = new Map<number, StoredHook>();
  readonly deliveries: StoredDelivery[] = [];
  readonly apps = new Map<string, AppSpec & { appId: number }>();
  readonly installations = new Map<number, InstallationSpec & { appId: number }>();
  readonly tokens = new Map<string, IssuedToken>();
  private nextHookId = 400_000_001;
  private nextDeliveryId = 12_000_000_001;

  constructor(repositories: RepositorySpec[], organizations: string[], apps: AppSpec[]) {
    let id = 1_296_269;
    for (const r of repositories) {
      const [owner, name] = r.fullName.split("/");
      this.repositories.set(r.fullName.toLowerCase(), { id: r.id ?? id++, owner, name, fullName: r.fullName });
    }
    let orgId = 9_919;
    for (const login of organizations) this.organizations.set(login.toLowerCase(), { id: orgId++, login });
    for (const app of apps) {
      this.apps.set(String(app.appId), app);
      if (app.clientId) this.apps.set(app.clientId, app);
      for (const inst of app.installations) this.installations.set(inst.id, { ...inst, appId: app.appId });
    }
  }

  repository(fullName: string): Repository | undefined {
    return this.repositories.get(fullName.toLowerCase());
  }

  organization(login: string): { id: number; login: string } | undefined {
    return this.organizations.get(login.toLowerCase());
  }

  hooksOf(scope: HookScope, owner: string): StoredHook[] {
    return [...this.hooks.values()].filter((h) => h.scope === scope && h.owner.toLowerCase() === owner.toLowerCase()).sort((a, b) => a.id - b.id);
  }

  addHook(h: Omit<StoredHook, "id" | "createdAt" | "updatedAt" | "lastResponse">, nowIso: string): StoredHook {
    const hook: StoredHook = { ...h, id: this.nextHookId++, createdAt: nowIso, updatedAt: nowIso, lastResponse: { code: null, status: "unused", message: null } };
    this.hooks.set(hook.id, hook);
    return hook;
  }

  newDeliveryId(): number {
    return this.nextDeliveryId++;
  }

  /** Deliveries of a hook, newest first (as GitHub lists them). */
  deliveriesOf(hookId: number): StoredDelivery[] {
    return this.deliveries.filter((d) => d.hookId === hookId).sort((a, b) => b.id - a.id);
  }

  issueToken(installationId: number, appId: number, nowMs: number, lifetimeMs: number): IssuedToken {
    const t: IssuedToken = { token: `ghs_${randomBytes(18).toString("hex")}`, installationId, appId, issuedAt: nowMs, expiresAt: nowMs + lifetimeMs, revoked: false };
    this.tokens.set(t.token, t);
    return t;
  }

  /** Whether an installation covers a repository ("owner/name") or an organization. */
  installationCovers(inst: InstallationSpec, scope: HookScope, owner: string): boolean {
    const account = scope === "repository" ? owner.split("/")[0] : owner;
    if (account.toLowerCase() !== inst.account.toLowerCase()) return false;
    if (scope === "organization" || inst.repositories === undefined || inst.repositories === "all") return true;
    const name = owner.split("/")[1].toLowerCase();
    return inst.repositories.some((r) => r.toLowerCase() === name || r.toLowerCase() === owner.toLowerCase());
  }
}

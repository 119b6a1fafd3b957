// The double's memory: projects, groups, their hooks and the hooks' events.
import { defaultFlags, type HookScope, type StoredHook } from "./attributes.js";

export interface ProjectSpec {
  id: number;
  /** Full path, "cmp/al-cloud". Its namespace's groups (if given) own group hooks that see its events. */
  path: string;
}
export interface GroupSpec {
  id: number;
  /** Full path, "cmp" or "cmp/platform". */
  path: string;
}

/** One execution of a hook, as GitLab logs it (GET .../hooks/:hook_id/events). */
export interface HookEvent {
  id: number;
  hookId: number;
  scope: HookScope;
  url: string;
  /** "push_hooks", "tag_push_hooks", ... */
  trigger: string;
  /** What was sent, the token included (the API shows it redacted). */
  requestHeaders: Record<string, string>;
  requestData: unknown;
  responseHeaders: Record<string, string>;
  responseBody: string;
  executionDuration: number;
  /** HTTP status the hook's URL answered; 0 when the connection failed or timed out. */
  statusCode: number;
  /** Epoch ms. Not part of GitLab's API response, which has no timestamp. */
  createdAt: number;
}

export class GitlabStore {
  readonly projects: ProjectSpec[];
  readonly groups: GroupSpec[];
  /** Every hook, both scopes, by id (ids are shared across scopes, as in GitLab's web_hooks table). */
  readonly hooks = new Map<number, StoredHook>();
  readonly events: HookEvent[] = [];
  private nextHookId = 1;
  private nextEventId = 1;

  constructor(projects: ProjectSpec[], groups: GroupSpec[]) {
    this.projects = projects;
    this.groups = groups;
  }

  /** By numeric id or full path (case-insensitive, as GitLab finds routes). */
  findProject(idOrPath: string): ProjectSpec | undefined {
    return findOwner(this.projects, idOrPath);
  }
  findGroup(idOrPath: string): GroupSpec | undefined {
    return findOwner(this.groups, idOrPath);
  }

  hooksOf(scope: HookScope, ownerId: number): StoredHook[] {
    return [...this.hooks.values()].filter((h) => h.scope === scope && h.ownerId === ownerId).sort((a, b) => a.id - b.id);
  }

  /** The groups whose hooks see a project's events: every ancestor namespace. */
  ancestorGroups(project: ProjectSpec): GroupSpec[] {
    return this.groups.filter((g) => project.path.toLowerCase().startsWith(`${g.path.toLowerCase()}/`));
  }

  createHook(scope: HookScope, ownerId: number, now: number): StoredHook {
    const hook: StoredHook = {
      id: this.nextHookId++,
      scope,
      ownerId,
      url: "",
      token: "",
      name: null,
      description: null,
      flags: defaultFlags(scope),
      enable_ssl_verification: true,
      push_events_branch_filter: "",
      branch_filter_strategy: "wildcard",
      custom_webhook_template: null,
      custom_headers: [],
      created_at: new Date(now).toISOString(),
      recent_failures: 0,
      backoff_count: 0,
      disabled_until: null,
    };
    this.hooks.set(hook.id, hook);
    return hook;
  }

  addEvent(e: Omit<HookEvent, "id">): HookEvent {
    const event = { ...e, id: this.nextEventId++ };
    this.events.push(event);
    return event;
  }
}

function findOwner<T extends { id: number; path: string }>(list: T[], idOrPath: string): T | undefined {
  if (/^\d+$/.test(idOrPath)) return list.find((o) => o.id === Number(idOrPath));
  return list.find((o) => o.path.toLowerCase() === idOrPath.toLowerCase());
}

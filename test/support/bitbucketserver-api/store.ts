// The double's memory: projects, their repositories, the repositories' webhooks and
// pull requests, and the JSON shapes Bitbucket Server (Data Center) REST 1.0 answers with.

export interface ProjectSpec {
  key: string;
  name?: string;
  /** Repository slugs. */
  repos: string[];
}

export interface PullRequestSpec {
  project: string;
  repo: string;
  /** Default: the next id in the repository. */
  id?: number;
  /** Default "OPEN". */
  state?: "OPEN" | "MERGED" | "DECLINED";
  /** The source branch, "refs/heads/feature". */
  fromRef: string;
  /** Default "refs/heads/main". */
  toRef?: string;
  /** The commits the pull request contains (its source branch's head last). */
  commits: string[];
}

export interface Repository {
  id: number;
  project: ProjectRecord;
  slug: string;
  name: string;
}

export interface ProjectRecord {
  id: number;
  key: string;
  name: string;
}

/** A webhook as the double keeps it; `configuration.secret` is what deliveries are signed with. */
export interface StoredHook {
  id: number;
  project: string;
  repo: string;
  name: string;
  url: string;
  events: string[];
  active: boolean;
  configuration: Record<string, string>;
  sslVerificationRequired: boolean;
  createdDate: number;
  updatedDate: number;
}

export interface PullRequest {
  id: number;
  repository: Repository;
  state: "OPEN" | "MERGED" | "DECLINED";
  fromRef: string;
  toRef: string;
  commits: string[];
}

/** The event keys a Bitbucket Data Center 8.x/9.x repository webhook may subscribe to (its "Event payload" page). */
export const BITBUCKET_SERVER_EVENTS: readonly string[] = [
  "repo:refs_changed",
  "repo:modified",
  "repo:forked",
  "repo:comment:added",
  "repo:comment:edited",
  "repo:comment:deleted",
  "repo:secret_detected",
  "mirror:repo_synchronized",
  "pr:opened",
  "pr:from_ref_updated",
  "pr:to_ref_updated",
  "pr:modified",
  "pr:reviewer:updated",
  "pr:reviewer:approved",
  "pr:reviewer:unapproved",
  "pr:reviewer:needs_work",
  "pr:merged",
  "pr:declined",
  "pr:deleted",
  "pr:comment:added",
  "pr:comment:edited",
  "pr:comment:deleted",
  "project:modified",
];

export class BitbucketServerStore {
  readonly projects: ProjectRecord[] = [];
  readonly repositories: Repository[] = [];
  readonly hooks = new Map<number, StoredHook>();
  readonly pullRequests: PullRequest[] = [];
  private nextHookId = 1;

  constructor(projects: ProjectSpec[], pullRequests: PullRequestSpec[]) {
    let repoId = 1;
    projects.forEach((p, i) => {
      const project = { id: i + 1, key: p.key, name: p.name ?? p.key };
      this.projects.push(project);
      for (const slug of p.repos) this.repositories.push({ id: repoId++, project, slug, name: slug });
    });
    for (const pr of pullRequests) this.addPullRequest(pr);
  }

  /** Project keys are case-insensitive in Bitbucket's URLs. */
  findProject(key: string): ProjectRecord | undefined {
    return this.projects.find((p) => p.key.toUpperCase() === key.toUpperCase());
  }

  findRepository(project: string, slug: string): Repository | undefined {
    return this.repositories.find((r) => r.project.key.toUpperCase() === project.toUpperCase() && r.slug.toLowerCase() === slug.toLowerCase());
  }

  repositoriesOf(project: ProjectRecord): Repository[] {
    return this.repositories.filter((r) => r.project === project);
  }

  hooksOf(repo: Repository): StoredHook[] {
    return [...this.hooks.values()].filter((h) => h.project === repo.project.key && h.repo === repo.slug).sort((a, b) => a.id - b.id);
  }

  addHook(repo: Repository, fields: Omit<StoredHook, "id" | "project" | "repo" | "createdDate" | "updatedDate">, now: number): StoredHook {
    const hook: StoredHook = { id: this.nextHookId++, project: repo.project.key, repo: repo.slug, createdDate: now, updatedDate: now, ...fields };
    this.hooks.set(hook.id, hook);
    return hook;
  }

  addPullRequest(spec: PullRequestSpec): PullRequest {
    const repository = this.findRepository(spec.project, spec.repo);
    if (!repository) throw new Error(`no repository ${spec.project}/${spec.repo}`);
    const id = spec.id ?? 1 + Math.max(0, ...this.pullRequests.filter((p) => p.repository === repository).map((p) => p.id));
    const pr: PullRequest = { id, repository, state: spec.state ?? "OPEN", fromRef: spec.fromRef, toRef: spec.toRef ?? "refs/heads/main", commits: [...spec.commits] };
    this.pullRequests.push(pr);
    return pr;
  }

  pullRequestsOf(repo: Repository): PullRequest[] {
    return this.pullRequests.filter((p) => p.repository === repo).sort((a, b) => b.id - a.id);
  }
}

function selfLink(href: string): { self: { href: string }[] } {
  return { self: [{ href }] };
}

export function projectJson(base: string, p: ProjectRecord): Record<string, unknown> {
  return { key: p.key, id: p.id, name: p.name, public: false, type: "NORMAL", links: selfLink(`${base}/projects/${p.key}`) };
}

/** A RestRepository. */
export function repositoryJson(base: string, r: Repository): Record<string, unknown> {
  const host = new URL(base).host;
  return {
    slug: r.slug,
    id: r.id,
    name: r.name,
    hierarchyId: `h${r.id.toString(16).padStart(19, "0")}`,
    scmId: "git",
    state: "AVAILABLE",
    statusMessage: "Available",
    forkable: true,
    project: projectJson(base, r.project),
    public: false,
    archived: false,
    links: {
      clone: [
        { href: `ssh://git@${host}/${r.project.key.toLowerCase()}/${r.slug}.git`, name: "ssh" },
        { href: `${base}/scm/${r.project.key.toLowerCase()}/${r.slug}.git`, name: "http" },
      ],
      self: [{ href: `${base}/projects/${r.project.key}/repos/${r.slug}/browse` }],
    },
  };
}

/** A RestWebhook; the configuration (the secret included) is returned as stored. */
export function hookJson(h: StoredHook): Record<string, unknown> {
  return {
    id: h.id,
    name: h.name,
    createdDate: h.createdDate,
    updatedDate: h.updatedDate,
    events: [...h.events],
    configuration: { ...h.configuration },
    url: h.url,
    active: h.active,
    scopeType: "repository",
    sslVerificationRequired: h.sslVerificationRequired,
  };
}

function refJson(base: string, pr: PullRequest, ref: string, latestCommit: string | undefined): Record<string, unknown> {
  return {
    id: ref,
    displayId: ref.replace(/^refs\/(heads|tags)\//, ""),
    latestCommit,
    type: "BRANCH",
    repository: repositoryJson(base, pr.repository),
  };
}

/** A RestPullRequest (the fields a client of this double reads, and their neighbours). */
export function pullRequestJson(base: string, pr: PullRequest): Record<string, unknown> {
  return {
    id: pr.id,
    version: 0,
    title: `Pull request ${pr.id}`,
    state: pr.state,
    open: pr.state === "OPEN",
    closed: pr.state !== "OPEN",
    fromRef: refJson(base, pr, pr.fromRef, pr.commits[pr.commits.length - 1]),
    toRef: refJson(base, pr, pr.toRef, undefined),
    locked: false,
    links: selfLink(`${base}/projects/${pr.repository.project.key}/repos/${pr.repository.slug}/pull-requests/${pr.id}`),
  };
}

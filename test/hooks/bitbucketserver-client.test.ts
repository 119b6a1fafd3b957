import { afterEach, describe, expect, it } from "vitest";
import { ApiUnavailableError, BadRequestError, NotFoundError, UnauthorizedError } from "../../src/errors.js";
import { bitbucketServerHookClient, type BitbucketServerClientOptions } from "../../src/hooks/bitbucketserver.js";
import type { DesiredHook } from "../../src/hooks/types.js";
import { isRetryable } from "../../src/retry.js";
import { startBitbucketServerApi, type BitbucketServerApi, type BitbucketServerApiOptions } from "../support/bitbucketserver-api/index.js";

const TOKEN = "bbs-test-token";
const URL_ = "https://gw.example.com/bitbucketserver/push";
const desired = (over: Partial<DesiredHook> = {}): DesiredHook => ({ url: URL_, events: ["repo:refs_changed", "pr:opened"], secret: "s3cret", active: true, insecureSSL: false, ...over });
const repo = { scope: "repository" as const, name: "PROJ/repo-a" };

let api: BitbucketServerApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

async function setup(o: BitbucketServerApiOptions = {}, c: Partial<BitbucketServerClientOptions> = {}) {
  api = await startBitbucketServerApi(o);
  const retries: number[] = [];
  const client = bitbucketServerHookClient({
    baseUrl: api.baseUrl,
    token: TOKEN,
    retryHooks: { clock: { sleep: async () => {} }, onRetry: (_e, n) => retries.push(n) },
    ...c,
  });
  return { api, client, retries };
}

const writes = (a: BitbucketServerApi) => a.requests.filter((r) => r.method !== "GET");

describe("Bitbucket Server hook client", () => {
  it("creates the hook as Argo Events does: name, url, events, active, secret in configuration, bearer token", async () => {
    const { api: a, client } = await setup();
    expect(await client.ensure(repo, desired())).toEqual({ id: "1", action: "created" });
    expect(a.hooks).toHaveLength(1);
    expect(a.hooks[0]).toMatchObject({ project: "PROJ", repo: "repo-a", name: "Argo Events", url: URL_, events: ["repo:refs_changed", "pr:opened"], active: true, configuration: { secret: "s3cret" } });
    const post = writes(a)[0];
    expect(post?.path).toBe("/rest/api/1.0/projects/PROJ/repos/repo-a/webhooks");
    expect(post?.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(post?.headers["x-atlassian-token"]).toBe("no-check");
    expect(a.violations).toEqual([]);
  });

  it("never sends an empty secret: without one, configuration is empty", async () => {
    const { api: a, client } = await setup();
    await client.ensure(repo, desired({ secret: undefined }));
    expect(a.hooks[0]?.configuration).toEqual({});
    expect(a.violations).toEqual([]);
  });

  it("leaves a matching hook alone: no write at all", async () => {
    const { api: a, client } = await setup();
    await client.ensure(repo, desired());
    const before = a.requests.length;
    // Same events in another order: Argo compares them as a set.
    expect(await client.ensure(repo, desired({ events: ["pr:opened", "repo:refs_changed"] }))).toEqual({ id: "1", action: "unchanged" });
    const after = a.requests.slice(before);
    expect(after.map((r) => r.method)).toEqual(["GET"]);
    expect(after[0]?.query).toEqual({ start: "0", limit: "500" });
  });

  it.each([
    ["its events differ", desired({ events: ["repo:refs_changed"] }), { events: ["repo:refs_changed"] }],
    ["its secret differs", desired({ secret: "rotated" }), { configuration: { secret: "rotated" } }],
    ["its secret was dropped", desired({ secret: undefined }), { configuration: {} }],
    ["it was disabled", desired({ active: true }), { active: true }],
  ])("updates the hook with the same URL in place when %s", async (name, want, expected) => {
    const { api: a, client } = await setup();
    await client.ensure(repo, desired());
    if (name === "it was disabled") (a.hooks[0] as { active: boolean }).active = false;
    const before = a.requests.length;
    expect(await client.ensure(repo, want)).toEqual({ id: "1", action: "updated" });
    const w = writes(a).filter((r) => a.requests.indexOf(r) >= before);
    expect(w.map((r) => [r.method, r.path])).toEqual([["PUT", "/rest/api/1.0/projects/PROJ/repos/repo-a/webhooks/1"]]);
    expect(a.hooks).toHaveLength(1);
    expect(a.hooks[0]).toMatchObject(expected);
  });

  it("keeps one hook per URL: finds it past the first page and deletes duplicates", async () => {
    const { api: a, client } = await setup({ maxPageLimit: 2 });
    const other = async (url: string) => {
      await fetch(`${a.baseUrl}/api/1.0/projects/PROJ/repos/repo-a/webhooks`, {
        method: "POST",
        headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
        body: JSON.stringify({ name: "x", url, events: ["repo:refs_changed"] }),
      });
    };
    await other("https://ci.example.com/a");
    await other("https://ci.example.com/b");
    await other(URL_);
    await other(URL_);
    expect(await client.ensure(repo, desired())).toEqual({ id: "3", action: "updated" });
    expect(a.hooks.map((h) => [h.id, h.url])).toEqual([[1, "https://ci.example.com/a"], [2, "https://ci.example.com/b"], [3, URL_]]);
  });

  it("removes the hook with that URL, and says false when there is none", async () => {
    const { api: a, client } = await setup();
    await client.ensure(repo, desired());
    expect(await client.remove(repo, URL_)).toBe(true);
    expect(a.hooks).toEqual([]);
    expect(await client.remove(repo, URL_)).toBe(false);
    expect(a.requests.filter((r) => r.method === "DELETE").map((r) => r.path)).toEqual(["/rest/api/1.0/projects/PROJ/repos/repo-a/webhooks/1"]);
  });

  it("expands a project into its repositories (every page) and manages a hook in each", async () => {
    const { api: a, client } = await setup({ projects: [{ key: "PROJ", repos: ["r1", "r2", "r3"] }, { key: "OTHER", repos: ["x"] }], maxPageLimit: 2 });
    const project = { scope: "project" as const, name: "PROJ" };
    expect(await client.ensure(project, desired())).toEqual({ id: "r1:1,r2:2,r3:3", action: "created" });
    expect(a.hooks.map((h) => `${h.project}/${h.repo}`)).toEqual(["PROJ/r1", "PROJ/r2", "PROJ/r3"]);
    expect(await client.ensure(project, desired())).toEqual({ id: "r1:1,r2:2,r3:3", action: "unchanged" });
    expect(await client.remove(project, URL_)).toBe(true);
    expect(a.hooks).toEqual([]);
    expect(a.requests.filter((r) => r.path.endsWith("/projects/PROJ/repos")).map((r) => r.query.start)).toEqual(["0", "2", "0", "2", "0", "2"]);
  });

  it("retries a 500 and succeeds", async () => {
    const { api: a, client, retries } = await setup();
    a.failNext(2, { status: 500, match: (r) => r.method === "POST" });
    expect(await client.ensure(repo, desired())).toEqual({ id: "1", action: "created" });
    expect(retries).toEqual([1, 2]);
    expect(a.requests.filter((r) => r.method === "POST").map((r) => r.status)).toEqual([500, 500, 201]);
  });

  it("gives up after the policy's attempts with a retryable error carrying the status", async () => {
    const { api: a, client } = await setup({}, { retry: { steps: 3, durationMs: 0, factor: 1, jitter: 0 } });
    a.failNext(10, { status: 503 });
    const err = await client.ensure(repo, desired()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiUnavailableError);
    expect((err as ApiUnavailableError).apiStatus).toBe(503);
    expect(isRetryable(err)).toBe(true);
    expect(a.requests).toHaveLength(3);
  });

  it("does not retry a 404: a final NotFoundError with Bitbucket's message", async () => {
    const { api: a, client, retries } = await setup();
    const err = await client.ensure({ scope: "repository", name: "PROJ/missing" }, desired()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotFoundError);
    expect((err as Error).message).toBe("Bitbucket Server GET /projects/PROJ/repos/missing/webhooks: 404 Repository PROJ/missing does not exist.");
    expect(isRetryable(err)).toBe(false);
    expect(retries).toEqual([]);
    expect(a.requests).toHaveLength(1);
  });

  it("turns a bad token into a final UnauthorizedError that does not show the token", async () => {
    const { client } = await setup({ tokens: { other: "admin" } });
    const err = await client.ensure(repo, desired()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnauthorizedError);
    expect(isRetryable(err)).toBe(false);
    expect((err as Error).message).not.toContain(TOKEN);
  });

  it("in a project, a failing repository does not stop the others; the error names it", async () => {
    const { api: a, client } = await setup({ projects: [{ key: "PROJ", repos: ["r1", "r2"] }] });
    a.failNext(1, { status: 400, match: (r) => r.method === "POST" && r.path.includes("/repos/r1/") });
    const err = await client.ensure({ scope: "project", name: "PROJ" }, desired()).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/could not ensure the webhook .* in 1 of 2 repositories: PROJ\/r1: /);
    expect(isRetryable(err)).toBe(false);
    expect(a.hooks.map((h) => h.repo)).toEqual(["r2"]);
  });

  it("refuses targets that are not a repository or a project, and an empty events list", async () => {
    const { api: a, client } = await setup();
    await expect(client.ensure({ scope: "repository", name: "repo-a" }, desired())).rejects.toThrow(BadRequestError);
    await expect(client.ensure({ scope: "group", name: "g" }, desired())).rejects.toThrow(/repository or a project/);
    await expect(client.ensure(repo, desired({ events: [] }))).rejects.toThrow(/events must be given/);
    expect(a.requests).toEqual([]);
  });

  it("finds open pull requests of a commit as Argo does (any case of OPEN)", async () => {
    const { api: a, client } = await setup({
      pullRequests: [
        { project: "PROJ", repo: "repo-a", fromRef: "refs/heads/feature", commits: ["c1", "c2"] },
        { project: "PROJ", repo: "repo-a", fromRef: "refs/heads/done", state: "MERGED", commits: ["c3"] },
      ],
    });
    expect(await client.hasOpenPullRequest("PROJ", "repo-a", "c2")).toBe(true);
    expect(await client.hasOpenPullRequest("PROJ", "repo-a", "c3")).toBe(false);
    expect(await client.hasOpenPullRequest("PROJ", "repo-a", "c9")).toBe(false);
    expect(a.requests.map((r) => r.path)).toContain("/rest/api/1.0/projects/PROJ/repos/repo-a/commits/c2/pull-requests");
    expect(a.violations).toEqual([]);
  });
});

// The GitLab hook client against the GitLab API double.
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Gitlab } from "@gitbeaker/rest";
import { afterEach, describe, expect, it } from "vitest";
import { NotFoundError, NotSupportedError, UnauthorizedError } from "../../src/errors.js";
import { createGitlabHookClient, MANAGED_FLAGS, type GitlabHookClientOptions } from "../../src/hooks/gitlab.js";
import { ProviderUnavailableError } from "../../src/hooks/errors.js";
import type { DesiredHook, HookTarget } from "../../src/hooks/types.js";
import { isRetryable } from "../../src/retry.js";
import { packageRoot } from "../../src/paths.js";
import { startGitlabApi, type GitlabApi, type GitlabApiOptions } from "../support/gitlab-api/index.js";

const TOKEN = "glpat-test-token";
const FAST = { steps: 4, durationMs: 1, factor: 2, jitter: 0 };
const PROJECT: HookTarget = { scope: "project", name: "cmp/al-cloud" };
const push = JSON.parse(readFileSync(join(packageRoot(), "fixtures/gitlab/push.json"), "utf8")) as unknown;

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function setup(apiOptions: GitlabApiOptions = {}, clientOptions: Partial<GitlabHookClientOptions> = {}) {
  const api = await startGitlabApi(apiOptions);
  cleanups.push(() => api.close());
  const client = createGitlabHookClient({ baseUrl: api.url, token: TOKEN, retry: FAST, ...clientOptions });
  return { api, client, gl: new Gitlab({ host: api.url, token: TOKEN }) };
}

async function receiver(status: () => number = () => 200): Promise<{ url: string; received: IncomingHttpHeaders[] }> {
  const received: IncomingHttpHeaders[] = [];
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      received.push(req.headers);
      res.writeHead(status()).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/gitlab`, received };
}

function tutorial(url: string, over: Partial<DesiredHook> = {}): DesiredHook {
  return { url, events: ["PushEvents", "TagPushEvents", "MergeRequestsEvents", "IssuesEvents"], secret: "tutorial-secret", active: true, insecureSSL: false, ...over };
}

const writes = (api: GitlabApi, from = 0) => api.requests.slice(from).filter((r) => r.method !== "GET").map((r) => `${r.method} ${r.path}`);

describe("GitLab hook client", () => {
  it("the tutorial's EventSource: exactly one hook with the right flags; a second ensure changes nothing; remove deletes it", async () => {
    const { api, client } = await setup();
    const gateway = await receiver();
    const first = await client.ensure(PROJECT, tutorial(gateway.url));
    expect(first.action).toBe("created");
    expect(api.hooks).toHaveLength(1);
    const [hook] = api.hooks;
    expect(String(hook.id)).toBe(first.id);
    expect(hook.url).toBe(gateway.url);
    expect(hook.token).toBe("tutorial-secret");
    expect(hook.enable_ssl_verification).toBe(true);
    const on = Object.entries(hook.flags).filter(([, v]) => v).map(([k]) => k).sort();
    expect(on).toEqual(["issues_events", "merge_requests_events", "push_events", "tag_push_events"]);
    expect(api.violations).toEqual([]);

    await api.deliver({ projectId: "cmp/al-cloud", event: "Push Hook", payload: push });
    expect(gateway.received.map((h) => [h["x-gitlab-event"], h["x-gitlab-token"]])).toEqual([["Push Hook", "tutorial-secret"]]);

    const seen = api.requests.length;
    expect(await client.ensure(PROJECT, tutorial(gateway.url))).toEqual({ id: first.id, action: "unchanged" });
    expect(api.requests.slice(seen).map((r) => `${r.method} ${r.path}`)).toEqual(["GET /api/v4/projects/cmp%2Fal-cloud/hooks"]);

    expect(await client.remove(PROJECT, gateway.url)).toBe(true);
    expect(api.hooks).toEqual([]);
    expect(await client.remove(PROJECT, gateway.url)).toBe(false);
  });

  it("sends every managed flag, false unless asked for", async () => {
    const { api, client } = await setup();
    await client.ensure(PROJECT, tutorial("https://gw.example.com/gitlab", { events: ["PushEvents"] }));
    const body = api.requests.find((r) => r.method === "POST")!.body as Record<string, unknown>;
    for (const f of MANAGED_FLAGS.project) expect(body[f]).toBe(f === "push_events");
    expect(body.enable_ssl_verification).toBe(true);
  });

  it("updates a hook with the same URL that differs (e.g. one Argo made), keeps one, deletes duplicates, leaves other URLs alone", async () => {
    const { api, client, gl } = await setup();
    const url = "https://gw.example.com/gitlab";
    const old = await gl.ProjectHooks.add("cmp/al-cloud", url, { token: "old" });
    const dup = await gl.ProjectHooks.add("cmp/al-cloud", url, { pushEvents: false });
    const other = await gl.ProjectHooks.add("cmp/al-cloud", "https://other.example.com/");
    const from = api.requests.length;
    expect(await client.ensure(PROJECT, tutorial(url))).toEqual({ id: String(old.id), action: "updated" });
    expect(writes(api, from)).toEqual([`DELETE /api/v4/projects/cmp%2Fal-cloud/hooks/${dup.id}`, `PUT /api/v4/projects/cmp%2Fal-cloud/hooks/${old.id}`]);
    expect(api.hooks.map((h) => h.id)).toEqual([old.id, other.id]);
    expect(api.hooks[0]).toMatchObject({ token: "tutorial-secret", enable_ssl_verification: true });
    expect(api.hooks[0].flags).toMatchObject({ push_events: true, tag_push_events: true, issues_events: true, merge_requests_events: true, note_events: false });
    expect((await client.ensure(PROJECT, tutorial(url))).action).toBe("unchanged");
  });

  it("insecureSSL turns TLS verification off; changing it updates the hook", async () => {
    const { api, client } = await setup();
    const url = "https://gw.example.com/gitlab";
    await client.ensure(PROJECT, tutorial(url, { insecureSSL: true }));
    expect(api.hooks[0].enable_ssl_verification).toBe(false);
    expect((await client.ensure(PROJECT, tutorial(url))).action).toBe("updated");
    expect(api.hooks[0].enable_ssl_verification).toBe(true);
  });

  it("a rotated secret updates the hook (fingerprint in the description); an unchanged one does not", async () => {
    const { api, client } = await setup();
    const url = "https://gw.example.com/gitlab";
    await client.ensure(PROJECT, tutorial(url, { secret: "a" }));
    expect(api.hooks[0].description).toMatch(/^Managed by trigger-gateway; token fingerprint [0-9a-f]{16}$/);
    expect(api.hooks[0].description).not.toContain("a\n");
    expect((await client.ensure(PROJECT, tutorial(url, { secret: "b" }))).action).toBe("updated");
    expect(api.hooks[0].token).toBe("b");
    expect((await client.ensure(PROJECT, tutorial(url, { secret: "b" }))).action).toBe("unchanged");
    expect((await client.ensure(PROJECT, tutorial(url, { secret: undefined }))).action).toBe("updated");
    expect(api.hooks[0].token).toBe("");
  });

  it("without the fingerprint, a rotated secret alone changes nothing (the token cannot be read back)", async () => {
    const { api, client } = await setup({}, { secretFingerprint: false });
    const url = "https://gw.example.com/gitlab";
    await client.ensure(PROJECT, tutorial(url, { secret: "a" }));
    expect(api.hooks[0].description).toBeNull();
    expect((await client.ensure(PROJECT, tutorial(url, { secret: "b" }))).action).toBe("unchanged");
    expect((await client.ensure(PROJECT, tutorial(url, { secret: "b", events: ["PushEvents"] }))).action).toBe("updated");
    expect(api.hooks[0].token).toBe("b");
  });

  it("finds its hook past the first page", async () => {
    const { api, client, gl } = await setup();
    for (let i = 0; i < 105; i++) await gl.ProjectHooks.add(1, `https://other${i}.example.com/`);
    const url = "https://gw.example.com/gitlab";
    await client.ensure(PROJECT, tutorial(url));
    const from = api.requests.length;
    expect((await client.ensure(PROJECT, tutorial(url))).action).toBe("unchanged");
    expect(api.requests.slice(from).map((r) => r.query.page ?? "1")).toEqual(["1", "2"]);
    expect(api.hooks.filter((h) => h.url === url)).toHaveLength(1);
  });

  it("group hooks, with the group-only flags off", async () => {
    const { api, client } = await setup();
    await client.ensure({ scope: "group", name: "cmp" }, tutorial("https://gw.example.com/g", { events: ["PushEvents", "DeploymentEvents"] }));
    expect(api.hooks[0]).toMatchObject({ scope: "group", ownerId: 10 });
    expect(api.hooks[0].flags).toMatchObject({ push_events: true, deployment_events: true, subgroup_events: false, member_events: false });
    expect(api.violations).toEqual([]);
    await expect(client.ensure({ scope: "group", name: "cmp" }, tutorial("https://x/", { events: ["VulnerabilityEvents"] }))).rejects.toBeInstanceOf(NotSupportedError);
  });

  it("refuses names Argo refuses, before any request", async () => {
    const { api, client } = await setup();
    for (const name of ["pushEvents", "FeatureFlagEvents", "Token", "push_events"]) {
      const err = await client.ensure(PROJECT, tutorial("https://x/", { events: [name] })).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(NotSupportedError);
      expect(isRetryable(err)).toBe(false);
    }
    await expect(client.ensure({ scope: "repository", name: "a/b" }, tutorial("https://x/"))).rejects.toBeInstanceOf(NotSupportedError);
    expect(api.requests).toEqual([]);
  });

  it("retries 503 with backoff, then succeeds", async () => {
    const retries: number[] = [];
    const { api, client } = await setup({}, { onRetry: (_e, n) => retries.push(n) });
    api.failNext(2, { status: 503 });
    expect((await client.ensure(PROJECT, tutorial("https://gw.example.com/gitlab"))).action).toBe("created");
    expect(api.requests.map((r) => r.status)).toEqual([503, 503, 200, 201]);
    expect(retries).toEqual([1, 2]);
  });

  it("waits out a Retry-After longer than the backoff", async () => {
    const slept: number[] = [];
    const { api, client } = await setup({}, { clock: { sleep: async (ms) => void slept.push(ms) } });
    api.failNext(1, { status: 503, retryAfterSeconds: 3 });
    await client.ensure(PROJECT, tutorial("https://gw.example.com/gitlab"));
    expect(slept).toEqual([3000]);
  });

  it("gives up after the policy's attempts with a retryable error", async () => {
    const { api, client } = await setup();
    api.failNext(10, { status: 500 });
    const err = await client.ensure(PROJECT, tutorial("https://gw.example.com/gitlab")).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderUnavailableError);
    expect((err as ProviderUnavailableError).apiStatus).toBe(500);
    expect(isRetryable(err)).toBe(true);
    expect(api.requests).toHaveLength(FAST.steps);
  });

  it("a 429 is retried (by gitbeaker itself, then by the client)", async () => {
    const { api, client } = await setup();
    api.failNext(2, { status: 429, retryAfterSeconds: 0 });
    expect((await client.ensure(PROJECT, tutorial("https://gw.example.com/gitlab"))).action).toBe("created");
    expect(api.requests.map((r) => r.status)).toEqual([429, 429, 200, 201]);
  });

  it("404 project is final: one request, NotFoundError", async () => {
    const { api, client } = await setup();
    const err = await client.ensure({ scope: "project", name: "cmp/nope" }, tutorial("https://x/")).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotFoundError);
    expect((err as Error).message).toBe("gitlab: list hooks of project cmp/nope: 404 404 Project Not Found");
    expect(isRetryable(err)).toBe(false);
    expect(api.requests).toHaveLength(1);
  });

  it("401 is final and the token appears in no error", async () => {
    const { api } = await setup();
    const client = createGitlabHookClient({ baseUrl: `${api.url}/api/v4/`, token: "glpat-wrong-secret-value", retry: FAST });
    const err = await client.ensure(PROJECT, tutorial("https://x/")).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnauthorizedError);
    expect(api.requests).toHaveLength(1);
    expect(api.requests[0].path).toBe("/api/v4/projects/cmp%2Fal-cloud/hooks");
    const dump = JSON.stringify(err) + String(err) + String((err as Error).stack) + JSON.stringify((err as Error).cause ?? null);
    expect(dump).not.toContain("glpat-wrong-secret-value");
  });
});

describe("GitLab delivery recovery", () => {
  it("lists deliveries with no 2xx (newest attempt per Idempotency-Key) and resends them", async () => {
    const { api, client } = await setup();
    let answer = 503;
    const gateway = await receiver(() => answer);
    const { id } = await client.ensure(PROJECT, tutorial(gateway.url));
    answer = 200;
    await api.deliver({ projectId: 1, event: "Push Hook", payload: push });
    answer = 503;
    await api.deliver({ projectId: 1, event: "Push Hook", payload: push });
    await api.deliver({ projectId: 1, event: "Tag Push Hook", payload: push });
    const since = new Date(Date.now() - 60_000);
    const failed = await client.failedSince(PROJECT, id, since);
    expect(failed.map((f) => [f.event, f.statusCode]).sort()).toEqual([["Push Hook", 503], ["Tag Push Hook", 503]]);
    expect(failed.map((f) => f.guid).sort()).toEqual(gateway.received.slice(1).map((h) => h["idempotency-key"]).sort());
    expect(failed.every((f) => f.deliveredAt >= since)).toBe(true);

    // A resend that fails again is the newest attempt of the same delivery.
    await client.redeliver(PROJECT, id, failed[0].id);
    const again = await client.failedSince(PROJECT, id, since);
    expect(again).toHaveLength(2);
    expect(again.find((f) => f.guid === failed[0].guid)!.id).not.toBe(failed[0].id);

    answer = 200;
    for (const f of again) await client.redeliver(PROJECT, id, f.id);
    expect(await client.failedSince(PROJECT, id, since)).toEqual([]);
    const keys = gateway.received.map((h) => h["idempotency-key"]);
    expect(new Set(keys).size).toBe(3);
  });

  it("a delivery that got no answer has status 0 and is kept whatever `since`", async () => {
    const { api, client } = await setup();
    const { id } = await client.ensure(PROJECT, tutorial("http://127.0.0.1:1/down"));
    await api.deliver({ projectId: 1, event: "Push Hook", payload: push });
    const failed = await client.failedSince(PROJECT, id, new Date(Date.now() + 60_000));
    expect(failed.map((f) => f.statusCode)).toEqual([0]);
  });

  it("an answer older than `since` is left out", async () => {
    const { api, client } = await setup();
    const gateway = await receiver(() => 500);
    const { id } = await client.ensure(PROJECT, tutorial(gateway.url));
    await api.deliver({ projectId: 1, event: "Push Hook", payload: push });
    expect(await client.failedSince(PROJECT, id, new Date(Date.now() + 60_000))).toEqual([]);
  });
});

// The GitHub hooks client against the GitHub API double (which checks every request
// and answer against GitHub's OpenAPI description).
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { InvalidError, NotFoundError, UnauthorizedError } from "../../src/errors.js";
import { createGithubHookClient, type GithubHookClientOptions } from "../../src/hooks/github.js";
import { RateLimitedError } from "../../src/hooks/errors.js";
import type { DesiredHook, HookTarget } from "../../src/hooks/types.js";
import { isRetryable } from "../../src/retry.js";
import { generateAppKey, startGithubApi, startHookReceiver, type GithubApi, type GithubApiOptions, type HookReceiver, type TestAppKey } from "../support/github-api/index.js";

const TOKEN = "ghp_test_token";
const REPO: HookTarget = { scope: "repository", name: "octo-org/hello-world" };
const ORG: HookTarget = { scope: "organization", name: "octo-org" };
const APP_ID = 31337;
const INSTALLATION = 4242;

let key: TestAppKey;
let api: GithubApi | undefined;
let rx: HookReceiver | undefined;
let sleeps: number[] = [];

beforeAll(() => {
  key = generateAppKey();
});

afterEach(async () => {
  vi.useRealTimers();
  try {
    api?.assertNoViolations();
  } finally {
    await api?.close();
    await rx?.close();
    api = undefined;
    rx = undefined;
    sleeps = [];
  }
});

async function setup(options: GithubApiOptions = {}): Promise<{ api: GithubApi; rx: HookReceiver }> {
  rx = await startHookReceiver();
  api = await startGithubApi({ apps: [{ appId: APP_ID, publicKey: key.publicKey, installations: [{ id: INSTALLATION, account: "octo-org" }] }], ...options });
  return { api, rx };
}

function client(a: GithubApi, extra: Partial<GithubHookClientOptions> = {}) {
  return createGithubHookClient({
    baseUrl: a.url,
    auth: { token: TOKEN },
    retry: { steps: 4, durationMs: 10, factor: 2, jitter: 0 },
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    ...extra,
  });
}

const desired = (url: string, over: Partial<DesiredHook> = {}): DesiredHook => ({ url, events: ["push", "pull_request"], secret: "s3cret", contentType: "json", active: true, insecureSSL: false, ...over });
const writes = (a: GithubApi, from = 0) => a.requests.slice(from).filter((r) => r.method !== "GET");

describe("GitHub hook client: ensure and remove", () => {
  it("creates a repository hook with the URL, events, secret and content type", async () => {
    const { api, rx } = await setup();
    const sync = await client(api).ensure(REPO, desired(rx.url));
    expect(sync.action).toBe("created");
    const stored = api.state.hooks.get(Number(sync.id))!;
    expect(stored).toMatchObject({ scope: "repository", owner: "octo-org/hello-world", active: true, events: ["push", "pull_request"], config: { url: rx.url, content_type: "json", insecure_ssl: "0", secret: "s3cret" } });
    await api.idle();
    expect(rx.received.map((r) => r.headers["x-github-event"])).toEqual(["ping"]);
  });

  it("creates an organization hook, insecure and inactive when asked, with GitHub's default event", async () => {
    const { api, rx } = await setup();
    const sync = await client(api).ensure(ORG, desired(rx.url, { events: [], insecureSSL: true, active: false, contentType: "form", secret: undefined }));
    expect(sync.action).toBe("created");
    expect(api.state.hooks.get(Number(sync.id))).toMatchObject({ scope: "organization", owner: "octo-org", active: false, events: ["push"], config: { content_type: "form", insecure_ssl: "1" } });
    expect(api.state.hooks.get(Number(sync.id))!.config.secret).toBeUndefined();
    expect(await client(api).ensure(ORG, desired(rx.url, { events: ["push"], insecureSSL: true, active: false, contentType: "form", secret: undefined }))).toEqual({ id: sync.id, action: "unchanged" });
  });

  it("updates the hook in place when the events change, and a second ensure writes nothing", async () => {
    const { api, rx } = await setup();
    const c = client(api);
    const first = await c.ensure(REPO, desired(rx.url));
    const second = await c.ensure(REPO, desired(rx.url, { events: ["pull_request", "push", "release"] }));
    expect(second).toEqual({ id: first.id, action: "updated" });
    expect(api.state.hooks.size).toBe(1);
    expect(api.state.hooks.get(Number(first.id))).toMatchObject({ events: ["pull_request", "push", "release"], config: { secret: "s3cret" } });

    const before = api.requests.length;
    expect(await c.ensure(REPO, desired(rx.url, { events: ["release", "push", "pull_request"] }))).toEqual({ id: first.id, action: "unchanged" });
    expect(writes(api, before)).toEqual([]);
    expect(api.requests.slice(before).map((r) => r.operationId)).toEqual(["repos/list-webhooks"]);
  });

  it("notices a changed secret, and sets the secret once on a hook it has not seen since it started", async () => {
    const { api, rx } = await setup();
    const c = client(api);
    const { id } = await c.ensure(REPO, desired(rx.url));
    expect(await c.ensure(REPO, desired(rx.url, { secret: "rotated" }))).toEqual({ id, action: "updated" });
    expect(api.state.hooks.get(Number(id))!.config.secret).toBe("rotated");

    const restarted = client(api);
    expect((await restarted.ensure(REPO, desired(rx.url, { secret: "rotated" }))).action).toBe("updated");
    const before = api.requests.length;
    expect((await restarted.ensure(REPO, desired(rx.url, { secret: "rotated" }))).action).toBe("unchanged");
    expect(writes(api, before)).toEqual([]);
    const patches = api.requests.filter((r) => r.operationId === "repos/update-webhook");
    expect(patches.every((r) => (r.body as { config: { secret?: string } }).config.secret === "rotated")).toBe(true);
  });

  it("keeps one hook per URL, deleting the others, and finds its hook across pages", async () => {
    const { api, rx } = await setup();
    for (let i = 0; i < 105; i++) api.state.addHook({ scope: "repository", owner: "octo-org/hello-world", active: true, events: ["push"], config: { url: `https://other.example/${i}`, content_type: "json", insecure_ssl: "0" } }, "2024-01-01T00:00:00Z");
    const a = api.state.addHook({ scope: "repository", owner: "octo-org/hello-world", active: true, events: ["issues"], config: { url: rx.url, content_type: "json", insecure_ssl: "0" } }, "2024-01-01T00:00:00Z");
    const b = api.state.addHook({ scope: "repository", owner: "octo-org/hello-world", active: true, events: ["push", "pull_request"], config: { url: rx.url, content_type: "json", insecure_ssl: "0", secret: "s3cret" } }, "2024-01-01T00:00:00Z");
    const sync = await client(api).ensure(REPO, desired(rx.url));
    expect(sync.id).toBe(String(b.id)); // the one already matching is kept (its secret set once: not seen before)
    expect(api.state.hooks.has(a.id)).toBe(false);
    expect(api.state.hooksOf("repository", "octo-org/hello-world").filter((h) => h.config.url === rx.url)).toHaveLength(1);
    expect(api.requests.filter((r) => r.operationId === "repos/list-webhooks")).toHaveLength(2);
  });

  it("removes the hook with the URL, and says false when there is none", async () => {
    const { api, rx } = await setup();
    const c = client(api);
    await c.ensure(ORG, desired(rx.url));
    await c.ensure(ORG, desired("https://elsewhere.example/hook"));
    expect(await c.remove(ORG, rx.url)).toBe(true);
    expect(api.state.hooksOf("organization", "octo-org").map((h) => h.config.url)).toEqual(["https://elsewhere.example/hook"]);
    expect(await c.remove(ORG, rx.url)).toBe(false);
  });
});

describe("GitHub hook client: App auth", () => {
  it("fetches an installation token, and a new one once the first has expired", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const { api, rx } = await setup();
    const c = client(api, { auth: { appId: APP_ID, privateKey: key.privateKey, installationId: INSTALLATION } });
    expect((await c.ensure(REPO, desired(rx.url))).action).toBe("created");
    vi.setSystemTime(Date.now() + 61 * 60_000);
    expect((await c.ensure(REPO, desired(rx.url, { events: ["push"] }))).action).toBe("updated");
    const tokens = api.requests.filter((r) => r.operationId === "apps/create-installation-access-token");
    expect(tokens.map((r) => r.status)).toEqual([201, 201]);
    expect(api.requests.filter((r) => r.status === 401)).toEqual([]);
  });

  it("fetches a new token when GitHub refuses the current one before its expiry", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const { api, rx } = await setup();
    const warnings: string[] = [];
    const c = client(api, { auth: { appId: APP_ID, privateKey: key.privateKey, installationId: INSTALLATION }, log: { warn: (m) => warnings.push(m) } });
    await c.ensure(ORG, desired(rx.url));
    vi.setSystemTime(Date.now() + 10_000); // past @octokit/auth-app's 5 s replication-delay retries
    api.expireTokens();
    expect((await c.ensure(ORG, desired(rx.url))).action).toBe("unchanged");
    expect(api.requests.filter((r) => r.operationId === "apps/create-installation-access-token")).toHaveLength(2);
    expect(api.requests.filter((r) => r.status === 401).map((r) => r.operationId)).toEqual(["orgs/list-webhooks"]);
    expect(warnings).toEqual([expect.stringMatching(/401 with the installation token; fetching a new one/)]);
    expect(warnings.join("\n")).not.toMatch(/ghs_|BEGIN|s3cret/);
  });
});

describe("GitHub hook client: failures", () => {
  it("retries a 502 with backoff", async () => {
    const { api, rx } = await setup();
    api.failNext(2, { operationId: "repos/list-webhooks", status: 502 });
    expect((await client(api).ensure(REPO, desired(rx.url))).action).toBe("created");
    expect(sleeps).toEqual([10, 20]);
  });

  it("waits what a secondary rate limit asks, then succeeds", async () => {
    const { api, rx } = await setup();
    api.failNext(1, { operationId: "repos/create-webhook", kind: "secondary-rate-limit", retryAfterSeconds: 3 });
    expect((await client(api).ensure(REPO, desired(rx.url))).action).toBe("created");
    expect(sleeps).toEqual([3000]);
    expect(api.state.hooks.size).toBe(1);
  });

  it("gives a primary rate limit resetting too far away back at once, as retryable", async () => {
    const { api, rx } = await setup();
    api.failNext(1, { kind: "primary-rate-limit", resetInSeconds: 1800 });
    const err = await client(api).ensure(REPO, desired(rx.url)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitedError);
    expect((err as RateLimitedError).retryAfterMs).toBeGreaterThan(1_700_000);
    expect(isRetryable(err)).toBe(true);
    expect(sleeps).toEqual([]);
  });

  it("gives up at once on a repository that does not exist, on bad credentials and on an invalid event", async () => {
    const { api, rx } = await setup();
    const missing = await client(api).ensure({ scope: "repository", name: "octo-org/nope" }, desired(rx.url)).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(NotFoundError);
    expect(isRetryable(missing)).toBe(false);
    expect(api.requests).toHaveLength(1);

    const denied = await client(api, { auth: { token: "ghp_revoked" } }).ensure(REPO, desired(rx.url)).catch((e: unknown) => e);
    expect(denied).toBeInstanceOf(UnauthorizedError);
    expect(isRetryable(denied)).toBe(false);
    expect(String((denied as Error).message)).not.toContain("ghp_revoked");

    const invalid = await client(api).ensure(REPO, desired(rx.url, { events: ["pushh"] })).catch((e: unknown) => e);
    expect(invalid).toBeInstanceOf(InvalidError);
    expect(isRetryable(invalid)).toBe(false);
    expect(JSON.stringify(invalid) + String((invalid as Error).message) + String((invalid as Error).cause)).not.toContain("s3cret");
    expect(sleeps).toEqual([]);
  });
});

describe("GitHub hook client: recovering failed deliveries", () => {
  it("finds exactly the GUIDs no attempt delivered since a time, across pages, and redelivers them", async () => {
    const { api, rx } = await setup();
    const c = client(api);
    const { id } = await c.ensure(REPO, desired(rx.url));
    await api.idle();
    const hookId = Number(id);
    const old = await api.deliver({ hook: hookId, event: "push", payload: { after: "old" } });
    api.state.deliveries.find((d) => d.id === old.id)!.deliveredAt = new Date(Date.now() - 2 * 3600_000).toISOString();
    old.statusCode = 503;
    const since = new Date(Date.now() - 3600_000);

    rx.answerNext(503);
    const failed = await api.deliver({ hook: hookId, event: "push", payload: { after: "a" } });
    for (let i = 0; i < 60; i++) await api.deliver({ hook: hookId, event: "push", payload: { n: i } });
    rx.answerNext(500);
    const recovered = await api.deliver({ hook: hookId, event: "issues", payload: { action: "opened" } });
    for (let i = 0; i < 60; i++) await api.deliver({ hook: hookId, event: "push", payload: { m: i } });
    rx.answerNext(502);
    const last = await api.deliver({ hook: hookId, event: "pull_request", payload: { action: "closed" } });
    await c.redeliver(REPO, id, String(recovered.id));
    await api.idle();
    expect(api.state.deliveries.at(-1)).toMatchObject({ guid: recovered.guid, redelivery: true, statusCode: 200 });

    const missed = await c.failedSince(REPO, id, since);
    expect(missed.map((d) => d.guid)).toEqual([failed.guid, last.guid]);
    expect(missed[0]).toMatchObject({ id: String(failed.id), event: "push", statusCode: 503 });
    expect(missed[1]).toMatchObject({ id: String(last.id), event: "pull_request", statusCode: 502 });
    expect(api.requests.filter((r) => r.operationId === "repos/list-webhook-deliveries").length).toBeGreaterThanOrEqual(2);

    for (const d of missed) await c.redeliver(REPO, id, d.id);
    await api.idle();
    expect(await c.failedSince(REPO, id, since)).toEqual([]);
    const guids = rx.received.map((r) => r.headers["x-github-delivery"]);
    expect(guids.filter((g) => g === failed.guid)).toHaveLength(2);
  });

  it("counts a delivery that got no answer as failed, on an organization hook", async () => {
    const { api, rx } = await setup();
    const c = client(api);
    const closed = await startHookReceiver();
    await closed.close();
    const { id } = await c.ensure(ORG, desired(closed.url, { active: false }));
    const since = new Date(Date.now() - 1000);
    const d = await api.deliver({ hook: Number(id), event: "push", payload: {} });
    const missed = await c.failedSince(ORG, id, since);
    expect(missed).toEqual([{ id: String(d.id), guid: d.guid, event: "push", deliveredAt: new Date(d.deliveredAt), statusCode: 0 }]);
    void rx;
  });
});

// The GitHub API double, driven through the real @octokit/rest and @octokit/auth-app.
import { createPrivateKey, sign } from "node:crypto";
import { createAppAuth } from "@octokit/auth-app";
import { Octokit } from "@octokit/rest";
import { Webhooks } from "@octokit/webhooks";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { generateAppKey, startGithubApi, startHookReceiver, type GithubApi, type HookReceiver, type TestAppKey } from "./index.js";

const TOKEN = "ghp_test_token";
const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
const open: Array<{ close(): Promise<void> }> = [];
let key: TestAppKey;

beforeAll(() => {
  key = generateAppKey();
});

afterEach(async () => {
  vi.useRealTimers();
  while (open.length > 0) await open.pop()!.close();
});

async function start(options: Parameters<typeof startGithubApi>[0] = {}): Promise<GithubApi> {
  const api = await startGithubApi(options);
  open.push(api);
  return api;
}

async function receiver(): Promise<HookReceiver> {
  const r = await startHookReceiver();
  open.unshift(r); // closed after the double, which waits for its deliveries first
  return r;
}

const client = (api: GithubApi, auth: string | null = TOKEN): Octokit => new Octokit({ baseUrl: api.url, auth: auth ?? undefined, log: quiet });

interface Failure {
  status: number;
  response: { headers: Record<string, string>; data: { message: string } };
}

async function failure(p: Promise<unknown>): Promise<Failure> {
  try {
    await p;
  } catch (err) {
    return err as Failure;
  }
  throw new Error("expected the request to fail");
}

function jwt(claims: Record<string, unknown>, privateKey = key.privateKey): string {
  const part = (o: unknown): string => Buffer.from(JSON.stringify(o)).toString("base64url");
  const head = `${part({ alg: "RS256", typ: "JWT" })}.${part(claims)}`;
  return `${head}.${sign("RSA-SHA256", Buffer.from(head), createPrivateKey(privateKey)).toString("base64url")}`;
}

describe("GitHub API double: hooks", () => {
  it("creates, lists, gets, updates and deletes a repository hook, and pings it on creation", async () => {
    const api = await start();
    const rx = await receiver();
    const gh = client(api);
    const created = await gh.rest.repos.createWebhook({ owner: "octo-org", repo: "hello-world", config: { url: rx.url, content_type: "json", secret: "s3cret", insecure_ssl: "0" }, events: ["push", "pull_request"] });
    expect(created.status).toBe(201);
    expect(created.headers.location).toBe(created.data.url);
    expect(created.data).toMatchObject({ type: "Repository", name: "web", active: true, events: ["push", "pull_request"], config: { url: rx.url, content_type: "json", insecure_ssl: "0", secret: "********" } });

    await api.idle();
    expect(rx.received).toHaveLength(1);
    expect(rx.received[0].headers["x-github-event"]).toBe("ping");
    expect(JSON.parse(rx.received[0].body)).toMatchObject({ hook_id: created.data.id, hook: { id: created.data.id } });

    const listed = await gh.rest.repos.listWebhooks({ owner: "octo-org", repo: "hello-world" });
    expect(listed.data.map((h) => h.id)).toEqual([created.data.id]);
    const got = await gh.rest.repos.getWebhook({ owner: "octo-org", repo: "hello-world", hook_id: created.data.id });
    expect(got.data.last_response.code).toBe(200);

    const updated = await gh.rest.repos.updateWebhook({ owner: "octo-org", repo: "hello-world", hook_id: created.data.id, config: { url: rx.url, content_type: "form" }, events: ["issues"], active: false });
    expect(updated.data).toMatchObject({ active: false, events: ["issues"], config: { content_type: "form" } });
    expect(updated.data.config.secret).toBeUndefined(); // a config given replaces the stored one

    expect((await gh.rest.repos.deleteWebhook({ owner: "octo-org", repo: "hello-world", hook_id: created.data.id })).status).toBe(204);
    expect((await gh.rest.repos.listWebhooks({ owner: "octo-org", repo: "hello-world" })).data).toEqual([]);
    await expect(gh.rest.repos.getWebhook({ owner: "octo-org", repo: "hello-world", hook_id: created.data.id })).rejects.toMatchObject({ status: 404 });
    api.assertNoViolations();
  });

  it("manages organization hooks, paginates hook lists and refuses a duplicate", async () => {
    const api = await start();
    const gh = client(api);
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) {
      const h = await gh.rest.orgs.createWebhook({ org: "octo-org", name: "web", config: { url: `https://ci.example.com/hook/${i}`, content_type: "json" }, events: ["push"], active: false });
      ids.push(h.data.id);
    }
    const all = await gh.paginate(gh.rest.orgs.listWebhooks, { org: "octo-org", per_page: 2 });
    expect(all.map((h) => h.id)).toEqual(ids);
    expect(api.requests.filter((r) => r.operationId === "orgs/list-webhooks")).toHaveLength(3);

    await expect(gh.rest.orgs.createWebhook({ org: "octo-org", name: "web", config: { url: "https://ci.example.com/hook/0" }, events: ["push"] })).rejects.toMatchObject({
      status: 422,
      response: { data: { errors: [{ message: "Hook already exists on this organization" }] } },
    });
    const patched = await gh.rest.orgs.updateWebhook({ org: "octo-org", hook_id: ids[0], events: ["push", "release"] });
    expect(patched.data.events).toEqual(["push", "release"]);
    await gh.rest.orgs.deleteWebhook({ org: "octo-org", hook_id: ids[0] });
    expect((await gh.paginate(gh.rest.orgs.listWebhooks, { org: "octo-org" })).map((h) => h.id)).toEqual(ids.slice(1));
    await expect(gh.rest.orgs.listWebhooks({ org: "no-such-org" })).rejects.toMatchObject({ status: 404 });
    api.assertNoViolations();
  });

  it("answers 401 with GitHub's error body without valid credentials", async () => {
    const api = await start();
    await expect(client(api, "ghp_wrong").rest.repos.listWebhooks({ owner: "octo-org", repo: "hello-world" })).rejects.toMatchObject({
      status: 401,
      response: { data: { message: "Bad credentials", documentation_url: "https://docs.github.com/rest" } },
    });
    await expect(client(api, null).rest.repos.listWebhooks({ owner: "octo-org", repo: "hello-world" })).rejects.toMatchObject({ status: 401 });
    api.assertNoViolations();
  });
});

describe("GitHub API double: deliveries", () => {
  it("delivers signed events, records every attempt, paginates deliveries and redelivers with the same GUID", async () => {
    const api = await start();
    const rx = await receiver();
    const gh = client(api);
    const hook = (await gh.rest.repos.createWebhook({ owner: "octo-org", repo: "hello-world", config: { url: rx.url, content_type: "json", secret: "s3cret" }, events: ["push"] })).data;
    await api.idle();

    rx.answerNext(503, 200, 503);
    const first = await api.deliver({ hook: hook.id, event: "push", payload: { ref: "refs/heads/main", after: "a1" } });
    const second = await api.deliver({ hook: hook.id, event: "push", payload: { ref: "refs/heads/main", after: "a2" } });
    const third = await api.deliver({ hook: hook.id, event: "issues", payload: { action: "opened" } });
    expect([first.statusCode, second.statusCode, third.statusCode]).toEqual([503, 200, 503]);

    const webhooks = new Webhooks({ secret: "s3cret" });
    for (const r of rx.received) {
      expect(r.headers["user-agent"]).toMatch(/^GitHub-Hookshot\//);
      expect(r.headers["x-github-hook-id"]).toBe(String(hook.id));
      expect(r.headers["x-github-delivery"]).toMatch(/^[0-9a-f-]{36}$/);
      expect(await webhooks.verify(r.body, String(r.headers["x-hub-signature-256"]))).toBe(true);
      expect(r.headers["x-hub-signature"]).toMatch(/^sha1=[0-9a-f]{40}$/);
    }
    expect(await webhooks.verify(rx.received[1].body, "sha256=" + "0".repeat(64))).toBe(false);

    const listed = await gh.paginate(gh.rest.repos.listWebhookDeliveries, { owner: "octo-org", repo: "hello-world", hook_id: hook.id, per_page: 2 });
    expect(listed.map((d) => d.id)).toEqual([third.id, second.id, first.id, listed[3].id]); // newest first; the ping last
    expect(listed[3].event).toBe("ping");
    expect(listed[0]).toMatchObject({ event: "issues", action: "opened", status_code: 503, redelivery: false });
    const pages = api.requests.filter((r) => r.operationId === "repos/list-webhook-deliveries");
    expect(pages).toHaveLength(2);
    expect(pages[1].query.cursor).toMatch(/^v1_\d+$/);

    const one = await gh.rest.repos.getWebhookDelivery({ owner: "octo-org", repo: "hello-world", hook_id: hook.id, delivery_id: first.id });
    expect(one.data).toMatchObject({ guid: first.guid, status_code: 503, request: { payload: { after: "a1" } }, response: { payload: "unavailable" } });

    const redo = await gh.rest.repos.redeliverWebhookDelivery({ owner: "octo-org", repo: "hello-world", hook_id: hook.id, delivery_id: first.id });
    expect(redo.status).toBe(202);
    await api.idle();
    const latest = (await gh.rest.repos.listWebhookDeliveries({ owner: "octo-org", repo: "hello-world", hook_id: hook.id, per_page: 1 })).data[0];
    expect(latest).toMatchObject({ guid: first.guid, redelivery: true, status_code: 200, status: "OK" });
    expect(latest.id).not.toBe(first.id);
    expect(rx.received.at(-1)!.headers["x-github-delivery"]).toBe(first.guid);
    expect(JSON.parse(rx.received.at(-1)!.body)).toEqual({ ref: "refs/heads/main", after: "a1" });

    const failures = await gh.rest.repos.listWebhookDeliveries({ owner: "octo-org", repo: "hello-world", hook_id: hook.id, status: "failure" });
    expect(failures.data.map((d) => d.id)).toEqual([third.id, first.id]);
    api.assertNoViolations();
  });

  it("sends form deliveries as payload=, and records a connection failure as status code 0", async () => {
    const api = await start();
    const rx = await receiver();
    const gh = client(api);
    const form = (await gh.rest.orgs.createWebhook({ org: "octo-org", name: "web", config: { url: rx.url, content_type: "form", secret: "k" }, events: ["push"], active: false })).data;
    await api.deliver({ hook: form.id, event: "push", payload: { ref: "refs/heads/x" } });
    const got = rx.received[0];
    expect(got.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    expect(got.body.startsWith("payload=")).toBe(true);
    expect(JSON.parse(new URLSearchParams(got.body).get("payload")!)).toEqual({ ref: "refs/heads/x" });
    expect(await new Webhooks({ secret: "k" }).verify(got.body, String(got.headers["x-hub-signature-256"]))).toBe(true);

    const closed = await startHookReceiver();
    await closed.close();
    const dead = (await gh.rest.orgs.createWebhook({ org: "octo-org", name: "web", config: { url: closed.url }, events: ["push"], active: false })).data;
    const d = await api.deliver({ hook: dead.id, event: "push", payload: {} });
    expect(d.statusCode).toBe(0);
    const listed = await gh.rest.orgs.listWebhookDeliveries({ org: "octo-org", hook_id: dead.id });
    expect(listed.data[0]).toMatchObject({ status_code: 0, status: "failed to connect to host" });
    api.assertNoViolations();
  });
});

describe("GitHub API double: App authentication", () => {
  const APP_ID = 424242;
  const apps = (): Parameters<typeof startGithubApi>[0] => ({ apps: [{ appId: APP_ID, publicKey: key.publicKey, installations: [{ id: 77, account: "octo-org" }] }] });

  it("issues expiring installation tokens to a JWT-authenticated App; the client obtains a new one after expiry", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const api = await start(apps());
    const gh = new Octokit({ baseUrl: api.url, authStrategy: createAppAuth, auth: { appId: APP_ID, privateKey: key.privateKey, installationId: 77 }, log: quiet });
    expect((await gh.rest.repos.listWebhooks({ owner: "octo-org", repo: "hello-world" })).status).toBe(200);
    const firstToken = [...api.state.tokens.values()][0];
    expect(firstToken.expiresAt - firstToken.issuedAt).toBe(3600_000);

    vi.setSystemTime(Date.now() + 61 * 60_000); // past the token's expiry
    await expect(client(api, firstToken.token).rest.repos.listWebhooks({ owner: "octo-org", repo: "hello-world" })).rejects.toMatchObject({ status: 401 });
    expect((await gh.rest.orgs.listWebhooks({ org: "octo-org" })).status).toBe(200);

    const tokenRequests = api.requests.filter((r) => r.operationId === "apps/create-installation-access-token");
    expect(tokenRequests.map((r) => r.status)).toEqual([201, 201]);
    expect(String(tokenRequests[0].headers.authorization)).toMatch(/^bearer ey/);
    api.assertNoViolations();
  });

  it("rejects expired, future and too-long JWTs, wrong keys and tokens where a JWT is required", async () => {
    const api = await start(apps());
    const raw = new Octokit({ baseUrl: api.url, log: quiet });
    const now = Math.floor(Date.now() / 1000);
    const ask = (credential: string) => raw.request("POST /app/installations/{installation_id}/access_tokens", { installation_id: 77, headers: { authorization: `bearer ${credential}` } });
    const cases: Array<[string, RegExp]> = [
      [jwt({ iat: now - 700, exp: now - 100, iss: APP_ID }), /'Expiration time' claim \('exp'\) must be a numeric value/],
      [jwt({ iat: now + 300, exp: now + 600, iss: APP_ID }), /'Issued at' claim/],
      [jwt({ iat: now - 30, exp: now + 3600, iss: APP_ID }), /too far in the future/],
      [jwt({ iat: now - 30, exp: now + 500, iss: APP_ID }, generateAppKey().privateKey), /could not be decoded/],
      [jwt({ iat: now - 30, exp: now + 500, iss: 1 }), /could not be decoded/],
      [TOKEN, /could not be decoded/],
    ];
    for (const [credential, message] of cases) {
      await expect(ask(credential)).rejects.toMatchObject({ status: 401, response: { data: { message: expect.stringMatching(message) } } });
    }
    const ok = await ask(jwt({ iat: now - 30, exp: now + 570, iss: APP_ID }));
    expect(ok.status).toBe(201);
    expect(Date.parse(ok.data.expires_at)).toBeGreaterThan(Date.now());
    await expect(raw.request("POST /app/installations/{installation_id}/access_tokens", { installation_id: 78, headers: { authorization: `bearer ${jwt({ iat: now - 30, exp: now + 570, iss: APP_ID })}` } })).rejects.toMatchObject({ status: 404 });

    const appJwt = jwt({ iat: now - 30, exp: now + 570, iss: APP_ID });
    const repoInst = await raw.rest.apps.getRepoInstallation({ owner: "octo-org", repo: "hello-world", headers: { authorization: `bearer ${appJwt}` } });
    expect(repoInst.data).toMatchObject({ id: 77, app_id: APP_ID, account: { login: "octo-org" } });
    expect((await raw.rest.apps.getOrgInstallation({ org: "octo-org", headers: { authorization: `bearer ${appJwt}` } })).data.id).toBe(77);

    api.expireTokens();
    await expect(client(api, ok.data.token).rest.repos.listWebhooks({ owner: "octo-org", repo: "hello-world" })).rejects.toMatchObject({ status: 401 });
    api.assertNoViolations();
  });
});

describe("GitHub API double: it cannot be fooled", () => {
  it("answers 422 to a body the description forbids, 404 to an undocumented route, and records both", async () => {
    const api = await start();
    const gh = client(api);
    await expect(gh.request("POST /repos/{owner}/{repo}/hooks", { owner: "octo-org", repo: "hello-world", config: { url: "https://x.example/h" }, events: "push" as unknown as string[] })).rejects.toMatchObject({
      status: 422,
      response: { data: { message: expect.stringMatching(/^Invalid request\./) } },
    });
    await expect(gh.request("POST /repos/{owner}/{repo}/hooks", { owner: "octo-org", repo: "hello-world", config: { url: "https://x.example/h" }, colour: "blue" })).rejects.toMatchObject({ status: 422 });
    await expect(gh.request("GET /repos/{owner}/{repo}/hookz", { owner: "octo-org", repo: "hello-world" })).rejects.toMatchObject({ status: 404 });
    await expect(gh.request("GET /repos/{owner}/{repo}/hooks", { owner: "octo-org", repo: "hello-world", perPage: 5 })).resolves.toMatchObject({ status: 200 });
    expect(api.violations.map((v) => [v.kind, v.operationId])).toEqual([
      ["request", "repos/create-webhook"],
      ["request", "repos/create-webhook"],
      ["request", undefined],
      ["request", "repos/list-webhooks"],
    ]);
    expect(api.violations[0].message).toMatch(/body\/events must be array/);
    expect(api.violations[1].message).toMatch(/colour/);
    expect(api.state.hooks.size).toBe(0);
    expect(() => api.assertNoViolations()).toThrow(/4 violation/);
    api.violations.length = 0;
  });

  it("checks its own answers: a stored hook GitHub could not hold is reported as a response violation", async () => {
    const api = await start();
    const gh = client(api);
    const h = (await gh.rest.repos.createWebhook({ owner: "octo-org", repo: "hello-world", config: { url: "https://x.example/h" }, active: false })).data;
    (api.state.hooks.get(h.id)!.events as unknown[]) = [42];
    await gh.rest.repos.getWebhook({ owner: "octo-org", repo: "hello-world", hook_id: h.id });
    expect(api.violations).toEqual([expect.objectContaining({ kind: "response", operationId: "repos/get-webhook", message: expect.stringMatching(/events\/0 must be string/) })]);
    api.violations.length = 0;
  });

  it("injects server errors and GitHub's primary and secondary rate limits with their headers", async () => {
    const api = await start();
    const gh = client(api);
    const list = () => gh.rest.repos.listWebhooks({ owner: "octo-org", repo: "hello-world" });
    api.failNext(1, { operationId: "repos/list-webhooks", status: 502 });
    await expect(list()).rejects.toMatchObject({ status: 502 });

    api.failNext(1, { kind: "primary-rate-limit", resetInSeconds: 120 });
    const primary = await failure(list());
    expect(primary.status).toBe(403);
    expect(primary.response.headers["x-ratelimit-remaining"]).toBe("0");
    expect(Number(primary.response.headers["x-ratelimit-reset"])).toBeGreaterThanOrEqual(Math.floor(Date.now() / 1000) + 119);
    expect(primary.response.data.message).toMatch(/API rate limit exceeded/);

    api.failNext(1, { kind: "secondary-rate-limit", status: 429, retryAfterSeconds: 7 });
    const secondary = await failure(list());
    expect(secondary.status).toBe(429);
    expect(secondary.response.headers["retry-after"]).toBe("7");
    expect(secondary.response.data.message).toMatch(/secondary rate limit/);

    api.failNext(1, { kind: "secondary-rate-limit" });
    const secondary403 = await failure(list());
    expect(secondary403.status).toBe(403);
    expect(secondary403.response.headers["retry-after"]).toBe("60");

    const ok = await list();
    expect(ok.status).toBe(200);
    expect(Number(ok.headers["x-ratelimit-remaining"])).toBeGreaterThan(0);
    api.assertNoViolations();
  });
});

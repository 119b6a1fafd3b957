// The Bitbucket Cloud hook client against the Bitbucket API double.
import { createHmac } from "node:crypto";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { NotFoundError, UnauthorizedError } from "../../src/errors.js";
import { BITBUCKET_HOOK_DESCRIPTION, createBitbucketHookClient, type BitbucketAuth } from "../../src/hooks/bitbucket.js";
import { ProviderUnavailableError } from "../../src/hooks/errors.js";
import type { DesiredHook, HookTarget } from "../../src/hooks/types.js";
import { isRetryable } from "../../src/retry.js";
import { startBitbucketApi, type BitbucketApi } from "../support/bitbucket-api/index.js";

const FAST = { steps: 4, durationMs: 1, factor: 2, jitter: 0 };
const REPO: HookTarget = { scope: "repository", name: "team/service" };
const BASIC: BitbucketAuth = { basic: { username: "ci-bot", password: "app-password" } };

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function setup(auth: BitbucketAuth = BASIC): Promise<{ api: BitbucketApi; client: ReturnType<typeof createBitbucketHookClient> }> {
  const api = await startBitbucketApi();
  cleanups.push(() => api.close());
  return { api, client: createBitbucketHookClient({ auth, baseUrl: api.url, retry: FAST }) };
}

function desired(over: Partial<DesiredHook> = {}): DesiredHook {
  return { url: "https://gw.example.com/bitbucket", events: ["repo:push", "pullrequest:created"], active: true, insecureSSL: false, ...over };
}

const calls = (api: BitbucketApi, from = 0) => api.requests.slice(from).map((r) => `${r.method} ${r.path}`);
const HOOKS = "/2.0/repositories/team/service/hooks";

async function raw(api: BitbucketApi, method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${api.url}${path}`, {
    method,
    headers: { Authorization: "Bearer oauth-token", "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

describe("Bitbucket hook client", () => {
  it("creates the hook with basic auth, leaves it alone on a second ensure, removes it", async () => {
    const { api, client } = await setup();
    const first = await client.ensure(REPO, desired());
    expect(first.action).toBe("created");
    expect(first.id).toMatch(/^\{[0-9a-f-]{36}\}$/);
    expect(api.hooks).toEqual([
      expect.objectContaining({ uuid: first.id, url: "https://gw.example.com/bitbucket", description: BITBUCKET_HOOK_DESCRIPTION, active: true, events: ["repo:push", "pullrequest:created"], secret: null }),
    ]);
    expect(api.requests[0].headers.authorization).toBe(`Basic ${Buffer.from("ci-bot:app-password").toString("base64")}`);
    expect(api.violations).toEqual([]);

    const from = api.requests.length;
    expect(await client.ensure(REPO, desired({ events: ["pullrequest:created", "repo:push"] }))).toEqual({ id: first.id, action: "unchanged" });
    expect(calls(api, from)).toEqual([`GET ${HOOKS}`]);

    expect(await client.remove(REPO, "https://gw.example.com/bitbucket")).toBe(true);
    expect(calls(api).at(-1)).toBe(`DELETE ${HOOKS}/${encodeURIComponent(first.id)}`);
    expect(api.hooks).toEqual([]);
    expect(await client.remove(REPO, "https://gw.example.com/bitbucket")).toBe(false);
  });

  it("updates a differing hook in place (one Argo made), deletes duplicates, keeps other URLs", async () => {
    const { api, client } = await setup();
    const argo = (await (await raw(api, "POST", "/repositories/team/service/hooks", { url: desired().url, description: "old", active: false, events: ["repo:push"] })).json()) as { uuid: string };
    const dup = (await (await raw(api, "POST", "/repositories/team/service/hooks", { url: desired().url, events: ["repo:fork"] })).json()) as { uuid: string };
    await raw(api, "POST", "/repositories/team/service/hooks", { url: "https://other.example.com/", events: ["repo:push"] });
    const from = api.requests.length;
    expect(await client.ensure(REPO, desired())).toEqual({ id: argo.uuid, action: "updated" });
    expect(calls(api, from)).toEqual([`GET ${HOOKS}`, `DELETE ${HOOKS}/${encodeURIComponent(dup.uuid)}`, `PUT ${HOOKS}/${encodeURIComponent(argo.uuid)}`]);
    expect(api.hooks.map((h) => [h.url, h.active, h.events])).toEqual([
      [desired().url, true, ["repo:push", "pullrequest:created"]],
      ["https://other.example.com/", true, ["repo:push"]],
    ]);
    expect((await client.ensure(REPO, desired())).action).toBe("unchanged");
  });

  it("an inactive desired hook is updated to inactive", async () => {
    const { api, client } = await setup();
    await client.ensure(REPO, desired());
    expect((await client.ensure(REPO, desired({ active: false }))).action).toBe("updated");
    expect(api.hooks[0].active).toBe(false);
  });

  it("works with an OAuth token (Bearer)", async () => {
    const { api, client } = await setup({ oauthToken: "oauth-token" });
    expect((await client.ensure(REPO, desired())).action).toBe("created");
    expect(api.requests[0].headers.authorization).toBe("Bearer oauth-token");
  });

  it("sends a secret (signed deliveries), sees a rotated one through the description, removes it when gone", async () => {
    const { api, client } = await setup();
    const received: IncomingHttpHeaders[] = [];
    const bodies: string[] = [];
    const gw = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        received.push(req.headers);
        bodies.push(Buffer.concat(chunks).toString("utf8"));
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((r) => gw.listen(0, "127.0.0.1", r));
    cleanups.push(() => new Promise<void>((r) => gw.close(() => r())));
    const url = `http://127.0.0.1:${(gw.address() as AddressInfo).port}/bitbucket`;

    await client.ensure(REPO, desired({ url, secret: "s1" }));
    expect(await api.deliver({ repository: "team/service", eventKey: "repo:push", payload: { push: {} } })).toEqual([200]);
    expect(received[0]["x-event-key"]).toBe("repo:push");
    expect(received[0]["x-hub-signature"]).toBe(`sha256=${createHmac("sha256", "s1").update(bodies[0]).digest("hex")}`);
    expect((await client.ensure(REPO, desired({ url, secret: "s1" }))).action).toBe("unchanged");
    expect((await client.ensure(REPO, desired({ url, secret: "s2" }))).action).toBe("updated");
    expect(api.hooks[0].secret).toBe("s2");
    expect((await client.ensure(REPO, desired({ url }))).action).toBe("updated");
    expect(api.hooks[0].secret).toBeNull();
    expect(api.hooks[0].description).toBe(BITBUCKET_HOOK_DESCRIPTION);
  });

  it("pages through the hooks (pagelen 100, following next)", async () => {
    const { api, client } = await setup();
    for (let i = 0; i < 101; i++) await raw(api, "POST", "/repositories/team/service/hooks", { url: `https://o${i}.example.com/`, events: ["repo:push"] });
    await client.ensure(REPO, desired());
    const from = api.requests.length;
    expect((await client.ensure(REPO, desired())).action).toBe("unchanged");
    expect(api.requests.slice(from).map((r) => r.query.page ?? "1")).toEqual(["1", "2"]);
    expect(api.requests.slice(from).every((r) => r.query.pagelen === "100")).toBe(true);
  });

  it("401 is final and the password is in no error", async () => {
    const { api } = await setup();
    const client = createBitbucketHookClient({ auth: { basic: { username: "ci-bot", password: "wrong-app-password" } }, baseUrl: api.url, retry: FAST });
    const err = await client.ensure(REPO, desired()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnauthorizedError);
    expect(isRetryable(err)).toBe(false);
    expect(api.requests).toHaveLength(1);
    expect(JSON.stringify(err) + String(err) + String((err as Error).stack)).not.toMatch(/wrong-app-password|d3JvbmctYXBwLXBhc3N3b3Jk/);
  });

  it("500 is retried with backoff, then succeeds", async () => {
    const { api, client } = await setup();
    api.failNext(2, { status: 500 });
    expect((await client.ensure(REPO, desired())).action).toBe("created");
    expect(api.requests.map((r) => r.status)).toEqual([500, 500, 200, 201]);
  });

  it("gives up after the policy's attempts with a retryable error; 429 too", async () => {
    const { api, client } = await setup();
    api.failNext(10, { status: 429, retryAfterSeconds: 0 });
    const err = await client.ensure(REPO, desired()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderUnavailableError);
    expect(isRetryable(err)).toBe(true);
    expect(api.requests).toHaveLength(FAST.steps);
  });

  it("an unknown repository is a final 404", async () => {
    const { api, client } = await setup();
    const err = await client.ensure({ scope: "repository", name: "team/nope" }, desired()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotFoundError);
    expect((err as Error).message).toBe("bitbucket: list hooks of team/nope: 404 Repository team/nope not found");
    expect(api.requests).toHaveLength(1);
  });

  it("no answer at all is retryable", async () => {
    const client = createBitbucketHookClient({ auth: BASIC, baseUrl: "http://127.0.0.1:1/2.0", retry: { ...FAST, steps: 2 } });
    const err = await client.ensure(REPO, desired()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderUnavailableError);
    expect((err as ProviderUnavailableError).apiStatus).toBe(0);
  });
});

// The Bitbucket Cloud API double, by plain HTTP.
import { afterEach, describe, expect, it } from "vitest";
import { startBitbucketApi, type BitbucketApi, type BitbucketApiOptions } from "./index.js";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function start(options: BitbucketApiOptions = {}): Promise<BitbucketApi> {
  const api = await startBitbucketApi(options);
  cleanups.push(() => api.close());
  return api;
}

function call(api: BitbucketApi, method: string, path: string, body?: unknown, auth = "Bearer oauth-token"): Promise<Response> {
  return fetch(`${api.url}${path}`, { method, headers: { Authorization: auth, "Content-Type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
}

const HOOKS = "/repositories/team/service/hooks";

describe("Bitbucket API double", () => {
  it("creates a webhook subscription with the documented fields and never returns the secret", async () => {
    const api = await start();
    const r = await call(api, "POST", HOOKS, { url: "https://x.example.com/", description: "d", events: ["repo:push"], secret: "shh" });
    expect(r.status).toBe(201);
    const hook = (await r.json()) as Record<string, unknown>;
    expect(hook).toMatchObject({ type: "webhook_subscription", url: "https://x.example.com/", description: "d", subject_type: "repository", active: true, events: ["repo:push"], secret_set: true });
    expect(hook.subject).toMatchObject({ type: "repository", full_name: "team/service" });
    expect(JSON.stringify(hook)).not.toContain("shh");
    // The uid, braces and all, raw or encoded.
    const uuid = hook.uuid as string;
    expect((await call(api, "GET", `${HOOKS}/${uuid}`)).status).toBe(200);
    expect((await call(api, "GET", `${HOOKS}/${encodeURIComponent(uuid)}`)).status).toBe(200);
    // PUT without a secret keeps it; null removes it.
    await call(api, "PUT", `${HOOKS}/${encodeURIComponent(uuid)}`, { active: false });
    expect(api.hooks[0]).toMatchObject({ active: false, secret: "shh" });
    await call(api, "PUT", `${HOOKS}/${encodeURIComponent(uuid)}`, { secret: null });
    expect(api.hooks[0].secret).toBeNull();
    expect((await call(api, "DELETE", `${HOOKS}/${encodeURIComponent(uuid)}`)).status).toBe(204);
    expect((await call(api, "DELETE", `${HOOKS}/${encodeURIComponent(uuid)}`)).status).toBe(404);
    expect(api.violations).toEqual([]);
  });

  it("answers Bitbucket's 400 with field errors for a missing url, a bad type or an unknown event, and records violations", async () => {
    const api = await start();
    const missing = await call(api, "POST", HOOKS, { events: ["repo:push"] });
    expect([missing.status, await missing.json()]).toEqual([400, { type: "error", error: { message: "Bad request", fields: { url: ["This field is required."] } } }]);
    const badType = await call(api, "POST", HOOKS, { url: "https://x/", events: ["repo:push"], active: "yes" });
    expect(((await badType.json()) as { error: { fields: unknown } }).error.fields).toEqual({ active: ["Must be a valid boolean."] });
    const badEvent = await call(api, "POST", HOOKS, { url: "https://x/", events: ["push"] });
    expect(((await badEvent.json()) as { error: { fields: unknown } }).error.fields).toEqual({ events: ["Invalid event(s): push"] });
    expect(api.violations).toHaveLength(3);
    expect(api.hooks).toEqual([]);
  });

  it("paginates with pagelen, page and next", async () => {
    const api = await start();
    for (let i = 0; i < 12; i++) await call(api, "POST", HOOKS, { url: `https://h${i}.example.com/`, events: ["repo:push"] });
    const first = (await (await call(api, "GET", HOOKS)).json()) as { size: number; page: number; pagelen: number; next: string; values: unknown[] };
    expect([first.size, first.page, first.pagelen, first.values.length]).toEqual([12, 1, 10, 10]);
    const second = (await (await fetch(first.next, { headers: { Authorization: "Bearer oauth-token" } })).json()) as { values: unknown[]; next?: string; previous?: string };
    expect(second.values).toHaveLength(2);
    expect(second.next).toBeUndefined();
    expect(second.previous).toBeDefined();
  });

  it("401 for bad credentials, 403 without admin on the repository, 404 for an unknown repository", async () => {
    const api = await start({ repositories: ["team/service", "team/other"], users: { bot: { password: "pw", access: { repositories: ["team/other"] } } } });
    const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString("base64")}`;
    expect((await call(api, "GET", HOOKS, undefined, basic("bot", "nope"))).status).toBe(401);
    expect((await call(api, "GET", HOOKS, undefined, "Bearer nope")).status).toBe(401);
    const forbidden = await call(api, "GET", HOOKS, undefined, basic("bot", "pw"));
    expect(forbidden.status).toBe(403);
    expect((await call(api, "GET", "/repositories/team/other/hooks", undefined, basic("bot", "pw"))).status).toBe(200);
    const missing = await call(api, "GET", "/repositories/team/nope/hooks");
    expect([missing.status, await missing.json()]).toEqual([404, { type: "error", error: { message: "Repository team/nope not found" } }]);
  });
});

// The GitLab API double, driven by the real @gitbeaker/rest client.
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Gitlab, GitbeakerRequestError } from "@gitbeaker/rest";
import { afterEach, describe, expect, it } from "vitest";
import { packageRoot } from "../../../src/paths.js";
import { documentedResponseFields, startGitlabApi, type GitlabApi, type GitlabApiOptions } from "./index.js";

const TOKEN = "glpat-test-token";
const push = JSON.parse(readFileSync(join(packageRoot(), "fixtures/gitlab/push.json"), "utf8")) as Record<string, unknown>;
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function start(options: GitlabApiOptions = {}): Promise<{ api: GitlabApi; gl: InstanceType<typeof Gitlab> }> {
  const api = await startGitlabApi(options);
  cleanups.push(() => api.close());
  return { api, gl: new Gitlab({ host: api.url, token: TOKEN }) };
}

interface Received {
  headers: IncomingHttpHeaders;
  body: unknown;
}
/** A local webhook receiver answering `status()`. */
async function listener(status: () => number = () => 200): Promise<{ url: string; received: Received[] }> {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push({ headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString("utf8")) });
      res.writeHead(status(), { "Content-Type": "application/json" }).end('{"ok":true}');
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/push`, received };
}

async function statusOf(p: Promise<unknown>): Promise<{ status: number; description: string }> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(GitbeakerRequestError);
  const cause = (err as GitbeakerRequestError).cause!;
  return { status: cause.response.status, description: cause.description };
}

describe("project hooks", () => {
  it("create, list, show, edit and delete by URL-encoded path; the token is never returned", async () => {
    const { api, gl } = await start();
    const created = await gl.ProjectHooks.add("cmp/al-cloud", "https://ci.example.com/gitlab", { token: "s3cret", tagPushEvents: true });
    expect(api.requests[0].path).toBe("/api/v4/projects/cmp%2Fal-cloud/hooks");
    expect(Object.keys(created).sort()).toEqual([...documentedResponseFields("project")].sort());
    expect(created).toMatchObject({ url: "https://ci.example.com/gitlab", project_id: 1, push_events: true, tag_push_events: true, issues_events: false, enable_ssl_verification: true, alert_status: "executable", disabled_until: null });
    expect(JSON.stringify(created)).not.toContain("s3cret");
    expect(api.hooks[0].token).toBe("s3cret");

    const listed = await gl.ProjectHooks.all(1);
    expect(listed.map((h) => h.id)).toEqual([created.id]);
    const edited = await gl.ProjectHooks.edit("cmp/al-cloud", created.id, "https://ci.example.com/gitlab", { pushEvents: false, issuesEvents: true });
    expect(edited).toMatchObject({ push_events: false, issues_events: true, tag_push_events: true });
    expect(api.hooks[0].token).toBe("s3cret"); // kept: neither the token nor the URL changed
    expect(await gl.ProjectHooks.show("CMP/al-cloud", created.id)).toMatchObject({ issues_events: true });

    await gl.ProjectHooks.remove("cmp/al-cloud", created.id);
    expect(await statusOf(gl.ProjectHooks.show("cmp/al-cloud", created.id))).toEqual({ status: 404, description: "404 Hook Not Found" });
    expect(api.violations).toEqual([]);
  });

  it("changing the URL without a token resets the token", async () => {
    const { api, gl } = await start();
    const h = await gl.ProjectHooks.add(1, "https://a.example.com/", { token: "t1" });
    await gl.ProjectHooks.edit(1, h.id, "https://b.example.com/");
    expect(api.hooks[0].token).toBe("");
  });

  it("paginates with Link and X-Total headers", async () => {
    const { api, gl } = await start();
    for (let i = 0; i < 25; i++) await gl.ProjectHooks.add(1, `https://h${i}.example.com/`);
    const all = await gl.ProjectHooks.all(1);
    expect(all).toHaveLength(25);
    const pages = api.requests.filter((r) => r.method === "GET");
    expect(pages.map((r) => r.query.page ?? "1")).toEqual(["1", "2"]);
  });

  it("answers 404 Project Not Found for an unknown project, numeric or path", async () => {
    const { gl } = await start();
    expect(await statusOf(gl.ProjectHooks.all("cmp/nope"))).toEqual({ status: 404, description: "404 Project Not Found" });
    expect(await statusOf(gl.ProjectHooks.all(999))).toEqual({ status: 404, description: "404 Project Not Found" });
  });

  it("refuses a missing url and a wrong type with GitLab's 400 and records a violation", async () => {
    const { api, gl } = await start();
    expect(await statusOf(gl.ProjectHooks.add(1, undefined as unknown as string))).toEqual({ status: 400, description: "url is missing" });
    expect(await statusOf(gl.ProjectHooks.add(1, "https://x.example.com/", { pushEvents: "maybe" as unknown as boolean }))).toEqual({ status: 400, description: "push_events is invalid" });
    expect(api.violations.map((v) => v.message)).toEqual(["url is missing", "push_events is invalid"]);
    expect(api.hooks).toEqual([]);
  });

  it("records an unknown parameter as a violation but accepts the request, as GitLab ignores it", async () => {
    const { api, gl } = await start();
    await gl.ProjectHooks.add(1, "https://x.example.com/", { pushEvent: true } as never);
    expect(api.violations.map((v) => v.message)).toEqual(["unknown parameter push_event (GitLab ignores it)"]);
  });
});

describe("group hooks", () => {
  it("CRUD by path, with group-only flags", async () => {
    const { api, gl } = await start();
    const h = await gl.GroupHooks.add("cmp", "https://ci.example.com/g", { subgroupEvents: true, token: "g" });
    expect(Object.keys(h).sort()).toEqual([...documentedResponseFields("group")].sort());
    expect(h).toMatchObject({ group_id: 10, subgroup_events: true, member_events: false, push_events: true });
    expect(h).not.toHaveProperty("token");
    expect(await gl.GroupHooks.all(10)).toHaveLength(1);
    await gl.GroupHooks.edit("cmp", h.id, h.url, { pushEvents: false });
    expect(api.hooks[0].flags.push_events).toBe(false);
    await gl.GroupHooks.remove("cmp", h.id);
    expect(api.hooks).toEqual([]);
    expect(await statusOf(gl.GroupHooks.all("nope"))).toEqual({ status: 404, description: "404 Group Not Found" });
  });

  it("a project hook id is not found under a group", async () => {
    const { gl } = await start();
    const h = await gl.ProjectHooks.add(1, "https://x.example.com/");
    expect((await statusOf(gl.GroupHooks.show(10, h.id))).status).toBe(404);
  });
});

describe("auth", () => {
  it("401 without a token or with an unknown one; Bearer works; 403 without access", async () => {
    const { api } = await start({ tokens: { [TOKEN]: "all", "other-token": { projects: ["someone/else"] } }, projects: [{ id: 1, path: "cmp/al-cloud" }, { id: 2, path: "someone/else" }] });
    expect(await statusOf(new Gitlab({ host: api.url, token: "wrong" }).ProjectHooks.all(1))).toEqual({ status: 401, description: "401 Unauthorized" });
    const anonymous = await fetch(`${api.apiUrl}/projects/1/hooks`);
    expect([anonymous.status, await anonymous.json()]).toEqual([401, { message: "401 Unauthorized" }]);
    expect(await new Gitlab({ host: api.url, oauthToken: TOKEN }).ProjectHooks.all(1)).toEqual([]);
    expect(api.requests.at(-1)!.headers.authorization).toBe(`Bearer ${TOKEN}`);
    const limited = new Gitlab({ host: api.url, token: "other-token" });
    expect(await statusOf(limited.ProjectHooks.all("cmp/al-cloud"))).toEqual({ status: 403, description: "403 Forbidden" });
    expect(await limited.ProjectHooks.all("someone/else")).toEqual([]);
  });
});

describe("faults", () => {
  it("answers 503 for the next N requests, then recovers", async () => {
    const { api, gl } = await start();
    api.failNext(1, { status: 503 });
    expect((await statusOf(gl.ProjectHooks.all(1))).status).toBe(503);
    expect(await gl.ProjectHooks.all(1)).toEqual([]);
  });

  it("429 carries Retry-After and GitLab's RateLimit headers", async () => {
    const { api } = await start();
    api.failNext(1, { status: 429, retryAfterSeconds: 7 });
    const r = await fetch(`${api.apiUrl}/projects/1/hooks`, { headers: { "PRIVATE-TOKEN": TOKEN } });
    expect(r.status).toBe(429);
    expect(r.headers.get("retry-after")).toBe("7");
    expect(r.headers.get("ratelimit-remaining")).toBe("0");
    expect(Number(r.headers.get("ratelimit-reset"))).toBeGreaterThan(Date.now() / 1000);
    expect(await r.text()).toBe("Retry later\n");
  });
});

describe("deliveries", () => {
  it("POSTs to every subscribed hook of the project and its groups with GitLab's headers", async () => {
    const { api, gl } = await start();
    const receiver = await listener();
    await gl.ProjectHooks.add("cmp/al-cloud", receiver.url, { token: "tok-p" });
    await gl.GroupHooks.add("cmp", receiver.url, { token: "tok-g" });
    await gl.ProjectHooks.add("cmp/al-cloud", receiver.url, { pushEvents: false, issuesEvents: true });
    const outcomes = await api.deliver({ projectId: "cmp/al-cloud", event: "Push Hook", payload: push });
    expect(outcomes.map((o) => o.statusCode)).toEqual([200, 200]);
    expect(receiver.received).toHaveLength(2);
    const fromProject = receiver.received.find((r) => r.headers["x-gitlab-token"] === "tok-p")!;
    expect(fromProject.body).toEqual(push);
    expect(fromProject.headers).toMatchObject({
      "content-type": "application/json",
      "user-agent": "GitLab/17.11.0",
      "x-gitlab-event": "Push Hook",
      "x-gitlab-instance": api.url,
    });
    expect(fromProject.headers["x-gitlab-webhook-uuid"]).toMatch(/^[0-9a-f-]{36}$/);
    const [a, b] = receiver.received;
    expect(a.headers["x-gitlab-event-uuid"]).toBe(b.headers["x-gitlab-event-uuid"]);
    expect(a.headers["idempotency-key"]).not.toBe(b.headers["idempotency-key"]);
    expect(a.headers["x-gitlab-webhook-uuid"]).not.toBe(b.headers["x-gitlab-webhook-uuid"]);
  });

  it("push_events_branch_filter limits push deliveries", async () => {
    const { api, gl } = await start();
    const receiver = await listener();
    await gl.ProjectHooks.add(1, receiver.url, { pushEventsBranchFilter: "release/*" });
    await api.deliver({ projectId: 1, event: "Push Hook", payload: { ...push, ref: "refs/heads/main" } });
    await api.deliver({ projectId: 1, event: "Push Hook", payload: { ...push, ref: "refs/heads/release/1.2" } });
    expect(receiver.received.map((r) => (r.body as { ref: string }).ref)).toEqual(["refs/heads/release/1.2"]);
  });

  it("logs events (token redacted, 'internal error' without an answer) and resends with the same Idempotency-Key", async () => {
    const { api, gl } = await start();
    const receiver = await listener(() => 503);
    const h = await gl.ProjectHooks.add(1, receiver.url, { token: "tok" });
    const dead = await gl.ProjectHooks.add(1, "http://127.0.0.1:1/closed");
    await api.deliver({ projectId: 1, event: "Push Hook", payload: push });
    const { body } = await gl.ProjectHooks.requester.get(`1/hooks/${h.id}/events`, { searchParams: { status: "server_failure" } });
    const events = body as Array<Record<string, any>>;
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ trigger: "push_hooks", response_status: "503", url: receiver.url, request_data: push });
    expect(events[0].request_headers["X-Gitlab-Token"]).toBe("[REDACTED]");
    const deadEvents = (await gl.ProjectHooks.requester.get(`1/hooks/${dead.id}/events`)).body as Array<Record<string, unknown>>;
    expect(deadEvents[0].response_status).toBe("internal error");

    const resent = await gl.ProjectHooks.requester.post(`1/hooks/${h.id}/events/${events[0].id}/resend`);
    expect(resent.body).toEqual({ response_status: 503 });
    const [first, second] = receiver.received;
    expect(second.headers["idempotency-key"]).toBe(first.headers["idempotency-key"]);
    expect(second.headers["x-gitlab-event-uuid"]).not.toBe(first.headers["x-gitlab-event-uuid"]);
    for (let i = 0; i < 4; i++) await gl.ProjectHooks.requester.post(`1/hooks/${h.id}/events/${events[0].id}/resend`);
    // The sixth within a minute is refused (gitbeaker would retry a 429 itself, so ask with fetch).
    const limited = await fetch(`${api.apiUrl}/projects/1/hooks/${h.id}/events/${events[0].id}/resend`, { method: "POST", headers: { "PRIVATE-TOKEN": TOKEN } });
    expect([limited.status, limited.headers.get("retry-after")]).toEqual([429, "60"]);
  });

  it("auto-disables after 4 consecutive failures, backs off, and disables for good after 40", async () => {
    let clock = Date.parse("2026-01-01T00:00:00Z");
    const { api, gl } = await start({ now: () => clock });
    let answer = 500;
    const receiver = await listener(() => answer);
    const h = await gl.ProjectHooks.add(1, receiver.url);
    for (let i = 0; i < 4; i++) await api.deliver({ projectId: 1, event: "Push Hook", payload: push });
    const disabled = await gl.ProjectHooks.show(1, h.id);
    expect(disabled).toMatchObject({ alert_status: "temporarily_disabled", disabled_until: new Date(clock + 60_000).toISOString() });
    expect(await api.deliver({ projectId: 1, event: "Push Hook", payload: push })).toEqual([]);
    expect(receiver.received).toHaveLength(4);

    clock += 61_000;
    expect((await gl.ProjectHooks.show(1, h.id)).alert_status).toBe("executable");
    await api.deliver({ projectId: 1, event: "Push Hook", payload: push });
    expect((await gl.ProjectHooks.show(1, h.id)).disabled_until).toBe(new Date(clock + 120_000).toISOString());

    clock += 121_000;
    answer = 200;
    await api.deliver({ projectId: 1, event: "Push Hook", payload: push });
    expect(await gl.ProjectHooks.show(1, h.id)).toMatchObject({ alert_status: "executable", disabled_until: null });

    answer = 500;
    for (let i = 0; i < 40; i++) {
      await api.deliver({ projectId: 1, event: "Push Hook", payload: push });
      clock += 25 * 60 * 60_000; // past any backoff
    }
    expect(await gl.ProjectHooks.show(1, h.id)).toMatchObject({ alert_status: "disabled", disabled_until: null });
    const before = receiver.received.length;
    await api.deliver({ projectId: 1, event: "Push Hook", payload: push });
    expect(receiver.received.length).toBe(before);
  });

  it("a successful test request re-enables a disabled hook", async () => {
    const { api, gl } = await start();
    let answer = 500;
    const receiver = await listener(() => answer);
    const h = await gl.ProjectHooks.add(1, receiver.url);
    for (let i = 0; i < 4; i++) await api.deliver({ projectId: 1, event: "Push Hook", payload: push });
    expect((await gl.ProjectHooks.show(1, h.id)).alert_status).toBe("temporarily_disabled");
    answer = 200;
    const r = await gl.ProjectHooks.requester.post(`1/hooks/${h.id}/test/push_events`);
    expect([r.status, r.body]).toEqual([201, { message: "201 Created" }]);
    expect((await gl.ProjectHooks.show(1, h.id)).alert_status).toBe("executable");
  });
});

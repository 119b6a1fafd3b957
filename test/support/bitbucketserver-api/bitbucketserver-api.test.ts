import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { signature, startBitbucketServerApi, type BitbucketServerApi, type BitbucketServerApiOptions } from "./index.js";

const TOKEN = "bbs-test-token";
let api: BitbucketServerApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

async function start(o: BitbucketServerApiOptions = {}): Promise<BitbucketServerApi> {
  api = await startBitbucketServerApi(o);
  return api;
}

function call(a: BitbucketServerApi, method: string, path: string, body?: unknown, token: string | null = TOKEN): Promise<Response> {
  const headers: Record<string, string> = {};
  if (token !== null) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  return fetch(`${a.baseUrl}/api/1.0/${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
}

const hook = (over: Record<string, unknown> = {}) => ({ name: "Argo Events", url: "https://gw.example.com/push", events: ["repo:refs_changed"], active: true, configuration: { secret: "s3" }, ...over });

describe("Bitbucket Server API double: webhooks", () => {
  it("creates (201), reads, lists, updates and deletes (204) a repository webhook", async () => {
    const a = await start();
    const created = await call(a, "POST", "projects/PROJ/repos/repo-a/webhooks", { id: 0, ...hook() });
    expect(created.status).toBe(201);
    const h = (await created.json()) as Record<string, unknown>;
    expect(h).toMatchObject({ name: "Argo Events", url: "https://gw.example.com/push", events: ["repo:refs_changed"], active: true, configuration: { secret: "s3" }, scopeType: "repository" });
    expect(h.id).toBe(1);

    expect(await (await call(a, "GET", "projects/PROJ/repos/repo-a/webhooks/1")).json()).toEqual(h);
    const list = (await (await call(a, "GET", "projects/PROJ/repos/repo-a/webhooks")).json()) as Record<string, unknown>;
    expect(list).toEqual({ size: 1, limit: 25, isLastPage: true, start: 0, values: [h] });

    const put = await call(a, "PUT", "projects/PROJ/repos/repo-a/webhooks/1", hook({ events: ["pr:opened", "repo:refs_changed"], configuration: {} }));
    expect(put.status).toBe(200);
    expect(await put.json()).toMatchObject({ id: 1, events: ["pr:opened", "repo:refs_changed"], configuration: {} });

    expect((await call(a, "DELETE", "projects/PROJ/repos/repo-a/webhooks/1")).status).toBe(204);
    expect(a.hooks).toEqual([]);
    expect(a.violations).toEqual([]);
  });

  it("pages lists with start/limit and nextPageStart, capping limit", async () => {
    const a = await start({ projects: [{ key: "BIG", repos: ["r1", "r2", "r3", "r4", "r5"] }], maxPageLimit: 2 });
    const first = (await (await call(a, "GET", "projects/BIG/repos?limit=500")).json()) as Record<string, unknown>;
    expect(first).toMatchObject({ size: 2, limit: 2, isLastPage: false, start: 0, nextPageStart: 2 });
    expect((first.values as { slug: string; project: { key: string } }[]).map((r) => [r.project.key, r.slug])).toEqual([["BIG", "r1"], ["BIG", "r2"]]);
    const last = (await (await call(a, "GET", "projects/BIG/repos?start=4&limit=2")).json()) as Record<string, unknown>;
    expect(last).toMatchObject({ size: 1, isLastPage: true, start: 4 });
    expect(last).not.toHaveProperty("nextPageStart");
  });

  it("answers 401 without or with a wrong token, 403 to a read-only token, with Bitbucket's errors body", async () => {
    const a = await start({ tokens: { [TOKEN]: "admin", reader: "read" } });
    for (const token of [null, "wrong"]) {
      const res = await call(a, "GET", "projects/PROJ/repos/repo-a/webhooks", undefined, token);
      expect(res.status).toBe(401);
      expect(((await res.json()) as { errors: { message: string }[] }).errors[0]?.message).toMatch(/Authentication failed/);
    }
    const ro = await call(a, "POST", "projects/PROJ/repos/repo-a/webhooks", hook(), "reader");
    expect(ro.status).toBe(403);
    expect(await ro.json()).toEqual({ errors: [{ context: null, message: "You are not permitted to access this resource", exceptionName: "com.atlassian.bitbucket.AuthorisationException" }] });
    expect((await call(a, "GET", "projects/PROJ/repos", undefined, "reader")).status).toBe(200);
    expect(a.hooks).toEqual([]);
  });

  it("answers 404 for an unknown project, repository or webhook", async () => {
    const a = await start();
    const cases: [string, RegExp][] = [
      ["projects/NOPE/repos", /^Project NOPE does not exist\.$/],
      ["projects/PROJ/repos/nope/webhooks", /^Repository PROJ\/nope does not exist\.$/],
      ["projects/PROJ/repos/repo-a/webhooks/42", /^Webhook 42 does not exist\.$/],
    ];
    for (const [path, message] of cases) {
      const res = await call(a, "GET", path);
      expect(res.status).toBe(404);
      expect(((await res.json()) as { errors: { message: string }[] }).errors[0]?.message).toMatch(message);
    }
  });

  it.each([
    ["no url", hook({ url: undefined }), "url"],
    ["a relative url", hook({ url: "/push" }), "url"],
    ["an unknown event key", hook({ events: ["repo:push"] }), "events"],
    ["no events", hook({ events: [] }), "events"],
    ["no name", hook({ name: "" }), "name"],
    ["a non-boolean active", hook({ active: "yes" }), "active"],
  ])("refuses a webhook with %s (400) and records the violation", async (_n, body, context) => {
    const a = await start();
    const res = await call(a, "POST", "projects/PROJ/repos/repo-a/webhooks", body);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { errors: { context: string }[] }).errors[0]?.context).toBe(context);
    expect(a.violations).toHaveLength(1);
    expect(a.violations[0]?.message).toMatch(new RegExp(`^${context}: `));
    expect(a.hooks).toEqual([]);
  });

  it("fails an empty secret with 500 as Bitbucket Server does, and a non-JSON write with 415", async () => {
    const a = await start();
    expect((await call(a, "POST", "projects/PROJ/repos/repo-a/webhooks", hook({ configuration: { secret: "" } }))).status).toBe(500);
    const form = await fetch(`${a.baseUrl}/api/1.0/projects/PROJ/repos/repo-a/webhooks`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/x-www-form-urlencoded" },
      body: "url=x",
    });
    expect(form.status).toBe(415);
    expect(a.violations.map((v) => v.message)).toEqual([
      "configuration: an empty secret makes Bitbucket Server answer 500",
      "Content-Type application/x-www-form-urlencoded instead of application/json",
    ]);
  });

  it("injects faults into the next N matching calls, then recovers", async () => {
    const a = await start();
    a.failNext(2, { status: 503, match: (r) => r.method === "GET" });
    expect((await call(a, "GET", "projects/PROJ/repos")).status).toBe(503);
    expect((await call(a, "POST", "projects/PROJ/repos/repo-a/webhooks", hook())).status).toBe(201);
    expect((await call(a, "GET", "projects/PROJ/repos")).status).toBe(503);
    expect((await call(a, "GET", "projects/PROJ/repos")).status).toBe(200);
    expect(a.requests.map((r) => r.status)).toEqual([503, 201, 503, 200]);
  });
});

describe("Bitbucket Server API double: pull requests", () => {
  const prs = [
    { project: "PROJ", repo: "repo-a", fromRef: "refs/heads/feature", commits: ["aaa", "bbb"] },
    { project: "PROJ", repo: "repo-a", fromRef: "refs/heads/old", state: "MERGED" as const, commits: ["ccc"] },
  ];

  it("lists the pull requests that contain a commit, whatever their state", async () => {
    const a = await start({ pullRequests: prs });
    const open = (await (await call(a, "GET", "projects/PROJ/repos/repo-a/commits/bbb/pull-requests?start=0&limit=500")).json()) as { values: { id: number; state: string }[] };
    expect(open.values.map((p) => [p.id, p.state])).toEqual([[1, "OPEN"]]);
    const merged = (await (await call(a, "GET", "projects/PROJ/repos/repo-a/commits/ccc/pull-requests")).json()) as { values: { id: number; state: string }[] };
    expect(merged.values.map((p) => [p.id, p.state])).toEqual([[2, "MERGED"]]);
    const none = (await (await call(a, "GET", "projects/PROJ/repos/repo-b/commits/aaa/pull-requests")).json()) as { values: unknown[] };
    expect(none.values).toEqual([]);
  });

  it("lists a repository's pull requests by state and branch (at + direction)", async () => {
    const a = await start({ pullRequests: prs });
    const ids = async (q: string) => ((await (await call(a, "GET", `projects/PROJ/repos/repo-a/pull-requests${q}`)).json()) as { values: { id: number }[] }).values.map((p) => p.id);
    expect(await ids("")).toEqual([1]);
    expect(await ids("?state=ALL")).toEqual([2, 1]);
    expect(await ids("?state=OPEN&at=refs/heads/feature&direction=OUTGOING")).toEqual([1]);
    expect(await ids("?at=feature&direction=OUTGOING")).toEqual([1]);
    expect(await ids("?at=refs/heads/main")).toEqual([1]);
    expect(await ids("?at=refs/heads/other&direction=OUTGOING")).toEqual([]);
  });
});

describe("Bitbucket Server API double: deliveries", () => {
  it("POSTs to active subscribed hooks with X-Event-Key, X-Request-Id and a sha256 X-Hub-Signature", async () => {
    const got: { headers: IncomingHttpHeaders; body: string }[] = [];
    const receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        got.push({ headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
        res.end("ok");
      });
    });
    await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
    try {
      const target = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/push`;
      const a = await start();
      await call(a, "POST", "projects/PROJ/repos/repo-a/webhooks", hook({ url: target }));
      await call(a, "POST", "projects/PROJ/repos/repo-a/webhooks", hook({ url: `${target}?off`, active: false }));
      await call(a, "POST", "projects/PROJ/repos/repo-a/webhooks", hook({ url: `${target}?pr`, events: ["pr:opened"] }));
      const payload = { eventKey: "repo:refs_changed", changes: [] };
      const outcomes = await a.deliver({ project: "PROJ", repo: "repo-a", event: "repo:refs_changed", payload });
      expect(outcomes).toHaveLength(1);
      expect(outcomes[0]).toMatchObject({ hookId: 1, status: 200, responseBody: "ok" });
      expect(got).toHaveLength(1);
      const [d] = got as [{ headers: IncomingHttpHeaders; body: string }];
      expect(d.body).toBe(JSON.stringify(payload));
      expect(d.headers["x-event-key"]).toBe("repo:refs_changed");
      expect(d.headers["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
      expect(d.headers["x-hub-signature"]).toBe(signature("s3", d.body));
      expect(d.headers["content-type"]).toBe("application/json; charset=utf-8");
    } finally {
      await new Promise<void>((r) => receiver.close(() => r()));
    }
  });

  it("reports a delivery whose target does not answer as status 0", async () => {
    const a = await start();
    await call(a, "POST", "projects/PROJ/repos/repo-a/webhooks", hook({ url: "http://127.0.0.1:1/none", configuration: {} }));
    const [o] = await a.deliver({ project: "PROJ", repo: "repo-a", event: "repo:refs_changed", payload: {} });
    expect(o).toMatchObject({ status: 0 });
    expect(o?.headers).not.toHaveProperty("X-Hub-Signature");
  });
});

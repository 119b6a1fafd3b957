import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SecretNotFoundError, SpecError } from "../errors.js";
import { packageRoot } from "../paths.js";
import { MapSecretStore } from "../config/secrets.js";
import { bitbucketServerSource } from "./bitbucketserver.js";
import type { WebhookRequest } from "./receiver.js";
import { eventSource, send, startHarness, type Harness } from "../../test/support/receiver-harness.js";
import { startBitbucketServerApi, type BitbucketServerApi } from "../../test/support/bitbucketserver-api/index.js";

const TOKEN = "bb-bearer-token";

/** A request as a source handler sees it, for the handler-level tests. */
const request = (headers: Record<string, string[]> = {}, body = "{}"): WebhookRequest => ({
  method: "POST",
  path: "/p",
  headers,
  rawBody: Buffer.from(body),
});
const noSecrets = { namespace: "argo-events", secrets: new MapSecretStore({}) };

const SERVER_DIR = join(packageRoot(), "fixtures/bitbucketserver");
const SERVER_FIXTURES = JSON.parse(readFileSync(join(SERVER_DIR, "index.json"), "utf8")) as { file: string; x_event_key: string }[];
const SECRET = "sh!";

describe("Bitbucket Server receiver", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(
      [
        eventSource("bitbucketserver", {
          bitbucketserver: {
            signed: {
              webhook: { endpoint: "/signed", port: "12000", method: "POST" },
              events: ["repo:refs_changed", "pr:opened"],
              webhookSecret: { name: "bbs", key: "secret" },
              bitbucketserverBaseURL: "https://bitbucket.example.com/rest",
            },
            open: {
              webhook: { endpoint: "/open", port: "12000", method: "POST" },
              bitbucketserverBaseURL: "https://bitbucket.example.com/rest",
            },
            nomethod: { webhook: { endpoint: "/nomethod", port: "12000" } },
          },
        }),
      ],
      { bbs: { secret: SECRET } },
    );
  });
  afterAll(() => h.close());

  const sign = (body: Buffer | string) => `sha256=${createHmac("sha256", SECRET).update(body).digest("hex")}`;

  it("the body {} signed with sh! verifies (known vector)", async () => {
    const before = h.bus.published.length;
    const res = await send(h.url("bitbucketserver/signed"), {
      headers: {
        "X-Event-Key": "repo:refs_changed",
        "X-Hub-Signature": "sha256=926ceeb8dcd67d5979fd7d726e3905af6d220f7fd6b2d8cce946906f7cf35963",
      },
      body: "{}",
    });
    expect(res.status).toBe(200);
    expect(h.bus.published.length).toBe(before + 1);
  });

  it.each(SERVER_FIXTURES)("$file ($x_event_key) is published with its body intact", async ({ file, x_event_key }) => {
    const raw = readFileSync(join(SERVER_DIR, file));
    const before = h.bus.published.length;
    const res = await send(h.url("bitbucketserver/signed"), {
      headers: { "Content-Type": "application/json; charset=utf-8", "X-Event-Key": x_event_key, "X-Request-Id": `id-${file}`, "X-Hub-Signature": sign(raw) },
      body: raw,
    });
    expect(res.status).toBe(200);
    const { subject, event } = h.bus.published[before] as (typeof h.bus.published)[number];
    expect(subject).toBe("default.argo-events.bitbucketserver.signed");
    expect(event).toMatchObject({ source: "bitbucketserver", subject: "signed", type: "bitbucketserver" });
    const data = event.data as { headers: Record<string, string[]>; body: unknown };
    expect(Object.keys(data)).toEqual(["headers", "body"]);
    expect(data.body).toEqual(JSON.parse(raw.toString("utf8")));
    expect(data.headers["X-Event-Key"]).toEqual([x_event_key]);
  });

  it.each([
    ["no signature", undefined, 401],
    ["a wrong signature", `sha256=${"0".repeat(64)}`, 403],
    ["a sha1= prefix", `sha1=${"0".repeat(40)}`, 403],
    ["no prefix at all", createHmac("sha256", SECRET).update("{}").digest("hex"), 403],
    ["a signature of another body", sign("{ }"), 403],
  ])("rejects %s", async (_n, signature, status) => {
    const before = h.bus.published.length;
    const headers: Record<string, string> = { "X-Event-Key": "repo:refs_changed" };
    if (signature !== undefined) headers["X-Hub-Signature"] = signature;
    const res = await send(h.url("bitbucketserver/signed"), { headers, body: "{}" });
    expect(res.status).toBe(status);
    expect(res.body).toMatch(/X-Hub-Signature/);
    expect(h.bus.published.length).toBe(before);
  });

  it("ignores unsubscribed events (e.g. the diagnostics ping) with 200", async () => {
    const before = h.bus.published.length;
    const res = await send(h.url("bitbucketserver/signed"), {
      headers: { "X-Event-Key": "diagnostics:ping", "X-Hub-Signature": sign("{}") },
      body: "{}",
    });
    expect(res.status).toBe(200);
    expect(h.bus.published.length).toBe(before);
  });

  it("without webhookSecret accepts unsigned deliveries and takes X-Request-Id as delivery id", async () => {
    const before = h.bus.published.length;
    for (let i = 0; i < 2; i++) {
      const res = await send(h.url("bitbucketserver/open"), { headers: { "X-Event-Key": "pr:opened", "X-Request-Id": "same" }, body: "{}" });
      expect(res.status).toBe(200);
    }
    const [a, b] = h.bus.published.slice(before).map((p) => p.event.id);
    expect(a).toBe(b);
  });

  it.each([
    ["{", /^Bitbucket Server payload is not valid JSON: /],
    ["", /^Bitbucket Server payload is empty$/],
  ])("answers 400 for the body %j, saying why", async (body, message) => {
    const before = h.bus.published.length;
    const res = await send(h.url("bitbucketserver/open"), { headers: { "X-Event-Key": "pr:opened" }, body });
    expect(res.status).toBe(400);
    expect(res.body).toMatch(message);
    expect(h.bus.published.length).toBe(before);
  });

  it("says which signature header is missing or wrong", async () => {
    const none = await send(h.url("bitbucketserver/signed"), { headers: { "X-Event-Key": "pr:opened" }, body: "{}" });
    expect(none).toMatchObject({ status: 401, body: "missing X-Hub-Signature header: a webhook secret is configured" });
    const wrong = await send(h.url("bitbucketserver/signed"), { headers: { "X-Event-Key": "pr:opened", "X-Hub-Signature": sign("{ }") }, body: "{}" });
    expect(wrong).toMatchObject({ status: 403, body: "X-Hub-Signature does not match the payload signed with the webhook secret" });
  });

  it("gives deliveries without X-Request-Id distinct event ids", async () => {
    const before = h.bus.published.length;
    for (let i = 0; i < 2; i++) await send(h.url("bitbucketserver/open"), { headers: { "X-Event-Key": "pr:opened" }, body: "{}" });
    const [a, b] = h.bus.published.slice(before).map((p) => p.event.id);
    expect(a).toMatch(/^[0-9a-f]{32}$/);
    expect(b).not.toBe(a);
  });

  it("takes POST when the webhook sets no method", async () => {
    const before = h.bus.published.length;
    expect((await send(h.url("bitbucketserver/nomethod"), { headers: { "X-Event-Key": "pr:opened" }, body: "{}" })).status).toBe(200);
    expect(h.bus.published.length).toBe(before + 1);
    const put = await send(h.url("bitbucketserver/nomethod"), { method: "PUT", headers: { "X-Event-Key": "pr:opened" }, body: "{}" });
    expect(put.status).toBe(405);
    expect(put.headers.allow).toBe("POST");
  });

  it("refuses an entry without a webhook as a spec error", async () => {
    const es = eventSource("bitbucketserver", { bitbucketserver: { nowebhook: { events: ["pr:opened"] } } });
    await expect(startHarness([es])).rejects.toThrow(SpecError);
    await expect(startHarness([es])).rejects.toThrow(/a webhook \(endpoint, port\) is required/);
  });
});

describe("Bitbucket Server source handler", () => {
  it("names the webhookSecret field and the secret when the secret cannot be read (the operator's log shows it)", async () => {
    const source = bitbucketServerSource({ webhook: { endpoint: "/p", port: "1" }, webhookSecret: { name: "absent", key: "secret" } }, noSecrets);
    const err = await source.authenticate(request({ "X-Hub-Signature": [`sha256=${"0".repeat(64)}`] })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SecretNotFoundError);
    expect((err as Error).message).toMatch(/^webhookSecret absent\/secret unavailable: /);
  });

  it("checks webhook.authSecret before the signature", async () => {
    const secrets = { namespace: "argo-events", secrets: new MapSecretStore({ bb: { token: TOKEN }, bbs: { secret: SECRET } }) };
    const spec = {
      webhook: { endpoint: "/p", port: "1", authSecret: { name: "bb", key: "token" } },
      webhookSecret: { name: "bbs", key: "secret" },
    };
    const signature = `sha256=${createHmac("sha256", SECRET).update("{}").digest("hex")}`;
    const source = bitbucketServerSource(spec, secrets);
    await expect(source.authenticate(request({ "X-Hub-Signature": [signature] }))).rejects.toThrow(
      "missing Authorization: Bearer <token> header: an auth secret is configured",
    );
    await expect(source.authenticate(request({ "X-Hub-Signature": [signature], Authorization: ["Bearer x"] }))).rejects.toThrow("invalid bearer token");
    await expect(source.authenticate(request({ "X-Hub-Signature": [signature], Authorization: [`Bearer ${TOKEN}`] }))).resolves.toBeUndefined();
  });

  it("asks for no credentials when the entry has no webhook block and no webhookSecret", async () => {
    await expect(bitbucketServerSource({ events: ["pr:opened"] }, noSecrets).authenticate(request())).resolves.toBeUndefined();
  });
});

describe("Bitbucket Server repo:refs_changed: oneEventPerChange and skipBranchRefsChangedOnOpenPR (as Argo Events)", () => {
  const FIXTURE = readFileSync(join(SERVER_DIR, "repo-refs_changed.json"), "utf8");
  const MAIN_HASH = "9f8e7d6c5b4a39281706f5e4d3c2b1a098765432";
  const API_TOKEN = "bbs-test-token";
  let api: BitbucketServerApi;
  let h: Harness;
  beforeAll(async () => {
    api = await startBitbucketServerApi({ projects: [{ key: "PAY", repos: ["payments-api"] }] });
    const skip = { accessToken: { name: "bbs-api", key: "token" }, bitbucketserverBaseURL: api.baseUrl, skipBranchRefsChangedOnOpenPR: true };
    const on = (endpoint: string, extra: Record<string, unknown>) => ({ webhook: { endpoint, port: "12000", method: "POST" }, events: ["repo:refs_changed", "pr:opened"], ...extra });
    h = await startHarness(
      [
        eventSource("bbs", {
          bitbucketserver: {
            split: on("/split", { oneEventPerChange: true }),
            tags: on("/tags", { oneEventPerChange: true, filter: { expression: 'body.changes[0].ref.type == "TAG"' } }),
            skip: on("/skip", skip),
            both: on("/both", { ...skip, oneEventPerChange: true }),
            badtoken: on("/badtoken", { ...skip, accessToken: { name: "bbs-api", key: "wrong" } }),
          },
        }),
      ],
      { "bbs-api": { token: API_TOKEN, wrong: "not-a-token" } },
    );
  });
  afterAll(async () => {
    await h.close();
    await api.close();
  });

  const push = (name: string, body: string, requestId?: string, event = "repo:refs_changed") =>
    send(h.url(`bbs/${name}`), { headers: { "Content-Type": "application/json; charset=utf-8", "X-Event-Key": event, ...(requestId ? { "X-Request-Id": requestId } : {}) }, body });
  const withChanges = (changes: unknown[]) => JSON.stringify({ ...(JSON.parse(FIXTURE) as object), changes });
  const fixtureChanges = (JSON.parse(FIXTURE) as { changes: unknown[] }).changes;
  const published = (from: number) => h.bus.published.slice(from).map((p) => p.event);
  const pullRequestCalls = () => api.requests.filter((r) => r.path.includes("/pull-requests"));

  // Argo's refsChangedWebhookEvent re-encoded: its fields only, in its order, zero values
  // (links: null slices) where the delivery has none, `commits` and `toCommit` gone.
  const argoBody = (change: unknown) => ({
    eventKey: "repo:refs_changed",
    date: "2024-05-02T12:03:11+0200",
    actor: { name: "sbuilder", emailAddress: "sam@example.com", id: 203, displayName: "Sam Builder", active: true, slug: "sbuilder", type: "NORMAL", links: { self: null } },
    repository: {
      slug: "payments-api",
      id: 87,
      name: "payments-api",
      hierarchyId: "5e7c1d2a3b4f5a6b7c8d",
      scmId: "git",
      state: "AVAILABLE",
      statusMessage: "Available",
      forkable: true,
      project: { key: "PAY", id: 12, name: "Payments", public: false, type: "NORMAL", links: { self: null } },
      public: false,
      links: { clone: null, self: null },
    },
    changes: [change],
  });

  it("oneEventPerChange: one event per change, each with the body Argo builds and its own stable id", async () => {
    const before = h.bus.published.length;
    const outcomesBefore = h.outcomes.length;
    const res = await push("split", FIXTURE, "req-1");
    expect(res).toMatchObject({ status: 200, body: "success" });
    const events = published(before);
    expect(events).toHaveLength(2);
    events.forEach((e, i) => {
      const data = e.data as { headers: Record<string, string[]>; body: unknown };
      expect(Object.keys(data)).toEqual(["headers", "body"]);
      // The exact JSON text: same keys in the same order.
      expect(JSON.stringify(data.body)).toBe(JSON.stringify(argoBody(fixtureChanges[i])));
      expect(data.headers["X-Request-Id"]).toEqual(["req-1"]);
    });
    const ids = events.map((e) => e.id);
    expect(new Set(ids).size).toBe(2);
    expect(h.outcomes.slice(outcomesBefore).map((o) => [o.reason, o.eventId])).toEqual([["published", ids[0]], ["published", ids[1]]]);

    // A redelivery of the same request: the same two event ids (deduplicated downstream).
    await push("split", FIXTURE, "req-1");
    expect(published(before + 2).map((e) => e.id)).toEqual(ids);
  });

  it("oneEventPerChange leaves other events whole, and a refs_changed without changes yields no event", async () => {
    const before = h.bus.published.length;
    const pr = readFileSync(join(SERVER_DIR, "pr-opened.json"), "utf8");
    expect((await push("split", pr, "pr-1", "pr:opened")).status).toBe(200);
    expect((published(before)[0]?.data as { body: unknown }).body).toEqual(JSON.parse(pr));
    const none = await push("split", withChanges([]));
    expect(none).toMatchObject({ status: 200, body: "no event to publish" });
    expect(h.outcomes.at(-1)).toMatchObject({ reason: "filtered", status: 200 });
    expect(h.bus.published.length).toBe(before + 1);
  });

  it("reads the body as Go does: keys in any case, and a value of the wrong type refuses the delivery (400)", async () => {
    const before = h.bus.published.length;
    const res = await push("split", JSON.stringify({ EVENTKEY: "repo:refs_changed", Changes: [{ RefId: "refs/heads/x", ref: { type: "BRANCH" } }] }));
    expect(res.status).toBe(200);
    const body = (published(before)[0]?.data as { body: { eventKey: string; changes: unknown[] } }).body;
    expect(body.eventKey).toBe("repo:refs_changed");
    expect(body.changes).toEqual([{ ref: { id: "", displayId: "", type: "BRANCH" }, refId: "refs/heads/x", fromHash: "", toHash: "", type: "" }]);
    const bad = await push("split", JSON.stringify({ actor: { id: "203" }, changes: [] }));
    expect(bad).toMatchObject({ status: 400, body: "decoding repo:refs_changed webhook: json: cannot unmarshal string into Go struct field refsChangedWebhookEvent.actor.id of type int" });
    expect(h.bus.published.length).toBe(before + 1);
  });

  it("the EventSource filter sees each change's event on its own", async () => {
    const before = h.bus.published.length;
    const outcomesBefore = h.outcomes.length;
    expect(await push("tags", FIXTURE, "req-tags")).toMatchObject({ status: 200, body: "success" });
    const events = published(before);
    expect(events.map((e) => (e.data as { body: { changes: { refId: string }[] } }).body.changes[0]?.refId)).toEqual(["refs/tags/v1.8.0"]);
    expect(h.outcomes.slice(outcomesBefore).map((o) => o.reason)).toEqual(["filtered", "published"]);
  });

  describe("skipBranchRefsChangedOnOpenPR", () => {
    beforeAll(() => {
      api.store.addPullRequest({ project: "PAY", repo: "payments-api", fromRef: "refs/heads/main", toRef: "refs/heads/release", commits: [MAIN_HASH] });
      api.store.addPullRequest({ project: "PAY", repo: "payments-api", fromRef: "refs/heads/old", state: "MERGED", commits: ["0ld"] });
    });

    it("drops a branch change whose commit is in an open pull request; with changes left the event keeps Argo's original body", async () => {
      const before = h.bus.published.length;
      const calls = pullRequestCalls().length;
      expect((await push("skip", FIXTURE, "skip-1")).status).toBe(200);
      const events = published(before);
      expect(events).toHaveLength(1);
      // As Argo: the original body, the skipped branch change included.
      expect((events[0]?.data as { body: unknown }).body).toEqual(JSON.parse(FIXTURE));
      // Only the BRANCH change is looked up (the tag is not), with the access token.
      const lookups = pullRequestCalls().slice(calls);
      expect(lookups.map((r) => r.path)).toEqual([`/rest/api/1.0/projects/PAY/repos/payments-api/commits/${MAIN_HASH}/pull-requests`]);
      expect(lookups[0]?.headers.authorization).toBe(`Bearer ${API_TOKEN}`);
    });

    it("publishes nothing (200) when every change is skipped", async () => {
      const before = h.bus.published.length;
      const res = await push("skip", withChanges([fixtureChanges[0]]), "skip-2");
      expect(res).toMatchObject({ status: 200, body: "no event to publish" });
      expect(h.bus.published.length).toBe(before);
    });

    it("keeps a branch whose pull requests are all closed, a deleted branch, and a tag", async () => {
      const before = h.bus.published.length;
      const calls = pullRequestCalls().length;
      const merged = { ref: { id: "refs/heads/old", displayId: "old", type: "BRANCH" }, refId: "refs/heads/old", fromHash: "a", toHash: "0ld", type: "UPDATE" };
      const deleted = { ref: { id: "refs/heads/main", displayId: "main", type: "BRANCH" }, refId: "refs/heads/main", fromHash: MAIN_HASH, toHash: "0".repeat(40), type: "DELETE" };
      expect((await push("both", withChanges([merged, deleted, fixtureChanges[1]]), "keep-1")).status).toBe(200);
      expect(published(before).map((e) => (e.data as { body: { changes: { refId: string; type: string }[] } }).body.changes.map((c) => `${c.refId} ${c.type}`))).toEqual([
        ["refs/heads/old UPDATE"],
        ["refs/heads/main DELETE"],
        ["refs/tags/v1.8.0 ADD"],
      ]);
      expect(pullRequestCalls().slice(calls).map((r) => r.path.split("/").at(-2))).toEqual(["0ld"]);
    });

    it("with oneEventPerChange: one event per change left", async () => {
      const before = h.bus.published.length;
      expect((await push("both", FIXTURE, "both-1")).status).toBe(200);
      const events = published(before);
      expect(events).toHaveLength(1);
      expect(JSON.stringify((events[0]?.data as { body: unknown }).body)).toBe(JSON.stringify(argoBody(fixtureChanges[1])));
    });

    it("an API failure refuses the delivery with 503 after retries, never silently (as Argo, no event)", async () => {
      const before = h.bus.published.length;
      const requestsBefore = api.requests.length;
      api.failNext(3, { status: 500 });
      const res = await push("skip", FIXTURE, "fail-1");
      expect(res.status).toBe(503);
      expect(h.outcomes.at(-1)).toMatchObject({ status: 503, reason: "internal-error" });
      expect(api.requests.slice(requestsBefore).map((r) => r.status)).toEqual([500, 500, 500]);
      expect(h.bus.published.length).toBe(before);
      // A rejected token is not the sender's fault either: 503, not 401.
      expect((await push("badtoken", FIXTURE, "fail-2")).status).toBe(503);
      expect(h.bus.published.length).toBe(before);
    });

    it("is refused at load without accessToken or bitbucketserverBaseURL", async () => {
      const es = eventSource("bbs", { bitbucketserver: { x: { webhook: { endpoint: "/x", port: "12000" }, skipBranchRefsChangedOnOpenPR: true, bitbucketserverBaseURL: api.baseUrl } } });
      await expect(startHarness([es])).rejects.toThrow(/skipBranchRefsChangedOnOpenPR: needs accessToken and bitbucketserverBaseURL/);
    });
  });
});

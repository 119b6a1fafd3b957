import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SecretNotFoundError, SpecError } from "../errors.js";
import { packageRoot } from "../paths.js";
import { MapSecretStore } from "../config/secrets.js";
import { GITLAB_EVENT_NAMES, gitlabEventNames, gitlabSource, gitlabSubscribed } from "./gitlab.js";
import { MASKED } from "./payload.js";
import { eventSource, send, startHarness, type Harness } from "../../test/support/receiver-harness.js";

interface FixtureEntry {
  file: string;
  x_gitlab_event: string;
}

// GitLab's full documented set, with the X-Gitlab-Event header of each file in index.json.
const REPO_DIR = join(packageRoot(), "fixtures/gitlab");
const FULL_DIR = REPO_DIR;
const FULL_FIXTURES = JSON.parse(readFileSync(join(FULL_DIR, "index.json"), "utf8")) as FixtureEntry[];

const TOKEN = "gl-s3cret";

describe("GitLab event names", () => {
  it.each([
    ["Push Hook", "PushEvents"],
    ["Tag Push Hook", "TagPushEvents"],
    ["Issue Hook", "IssuesEvents"],
    ["Confidential Issue Hook", "ConfidentialIssuesEvents"],
    ["Note Hook", "NoteEvents"],
    ["Confidential Note Hook", "ConfidentialNoteEvents"],
    ["Merge Request Hook", "MergeRequestsEvents"],
    ["Job Hook", "JobEvents"],
    ["Pipeline Hook", "PipelineEvents"],
    ["Wiki Page Hook", "WikiPageEvents"],
    ["Deployment Hook", "DeploymentEvents"],
    ["Release Hook", "ReleasesEvents"],
    ["Release Hook", "ReleaseEvents"],
    ["Feature Flag Hook", "FeatureFlagEvents"],
    ["Milestone Hook", "MilestoneEvents"],
    ["Emoji Hook", "EmojiEvents"],
    ["Member Hook", "MemberEvents"],
    ["Subgroup Hook", "SubGroupEvents"],
    ["Subgroup Hook", "SubgroupEvents"],
    ["Project Hook", "ProjectEvents"],
    ["Resource Access Token Hook", "ResourceAccessTokenEvents"],
    ["Vulnerability Hook", "VulnerabilityEvents"],
  ])("%s is subscribed by %s", (header, name) => {
    expect(gitlabEventNames(header)).toContain(name);
    expect(gitlabSubscribed([name], header)).toBe(true);
    expect(gitlabSubscribed(["SomethingElse"], header)).toBe(false);
  });

  it("subscribes to everything with no events list, and to nothing unknown otherwise", () => {
    expect(gitlabSubscribed(undefined, "System Hook")).toBe(true);
    expect(gitlabSubscribed([], undefined)).toBe(true);
    expect(gitlabSubscribed(["PushEvents"], "System Hook")).toBe(false);
    expect(gitlabSubscribed(["PushEvents"], undefined)).toBe(false);
    expect(gitlabEventNames("toString")).toEqual([]);
  });

  it("lists every events name it understands, each once", () => {
    expect([...GITLAB_EVENT_NAMES].sort()).toEqual(
      [
        "PushEvents", "TagPushEvents", "IssuesEvents", "ConfidentialIssuesEvents", "NoteEvents", "ConfidentialNoteEvents",
        "MergeRequestsEvents", "JobEvents", "PipelineEvents", "WikiPageEvents", "DeploymentEvents", "ReleasesEvents",
        "ReleaseEvents", "FeatureFlagEvents", "MilestoneEvents", "EmojiEvents", "MemberEvents", "SubGroupEvents",
        "SubgroupEvents", "ProjectEvents", "ResourceAccessTokenEvents", "VulnerabilityEvents",
      ].sort(),
    );
  });
});

describe("GitLab receiver", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(
      [
        eventSource("gitlab", {
          gitlab: {
            all: {
              webhook: { endpoint: "/all", port: "12000", method: "POST" },
              events: [...GITLAB_EVENT_NAMES],
              secretToken: { name: "gitlab-token", key: "token" },
            },
            pushes: {
              webhook: { endpoint: "/pushes", port: "12000", method: "POST" },
              events: ["PushEvents"],
              secretToken: { name: "gitlab-token", key: "token" },
              metadata: { source: "gitlab.example.com" },
            },
            // No secretToken, no method, no events.
            open: { webhook: { endpoint: "/open", port: "12000" } },
            emptysecret: {
              webhook: { endpoint: "/emptysecret", port: "12000", method: "POST" },
              secretToken: { name: "gitlab-empty", key: "token" },
            },
          },
        }),
      ],
      { "gitlab-token": { token: TOKEN }, "gitlab-empty": { token: "" } },
    );
  });
  afterAll(() => h.close());

  const deliver = (key: string, event: string, body: Buffer | string, extra: Record<string, string> = {}) =>
    send(h.url(key), {
      headers: { "Content-Type": "application/json", "X-Gitlab-Event": event, "X-Gitlab-Token": TOKEN, ...extra },
      body,
    });

  describe("documented fixtures", () => {
    const dir = FULL_DIR;
    expect(FULL_FIXTURES.length).toBeGreaterThan(20);
    it.each(FULL_FIXTURES)(
      "$file ($x_gitlab_event) is published with its body intact",
      async ({ file, x_gitlab_event }) => {
        const raw = readFileSync(join(dir, file));
        const before = h.bus.published.length;
        const res = await deliver("gitlab/all", x_gitlab_event, raw);
        expect(res.status).toBe(200);
        expect(h.bus.published.length).toBe(before + 1);
        const { subject, event } = h.bus.published[before];
        expect(subject).toBe("default.argo-events.gitlab.all");
        expect(event).toMatchObject({ source: "gitlab", subject: "all", type: "gitlab" });
        const data = event.data as { headers: Record<string, string[]>; body: unknown };
        expect(data.body).toEqual(JSON.parse(raw.toString("utf8")));
        expect(data.headers["X-Gitlab-Event"]).toEqual([x_gitlab_event]);
        expect(data.headers["X-Gitlab-Token"]).toEqual([MASKED]);
        expect(Object.keys(data)).toEqual(["headers", "body"]);
      },
    );
  });

  it("publishes only subscribed events: a push yes, a merge request no", async () => {
    const push = readFileSync(join(REPO_DIR, "push.json"));
    const mr = readFileSync(join(REPO_DIR, "merge-request.json"));
    const before = h.bus.published.length;
    const ok = await deliver("gitlab/pushes", "Push Hook", push, { "X-Gitlab-Event-UUID": "uuid-1" });
    expect(ok.status).toBe(200);
    const skipped = await deliver("gitlab/pushes", "Merge Request Hook", mr);
    expect(skipped.status).toBe(200);
    expect(skipped.body).toMatch(/not subscribed/);
    expect(h.bus.published.length).toBe(before + 1);
    const data = h.bus.published[before].event.data as Record<string, unknown>;
    expect(data.metadata).toEqual({ source: "gitlab.example.com" });
  });

  it("derives the event id from X-Gitlab-Event-UUID", async () => {
    const push = readFileSync(join(REPO_DIR, "push.json"));
    const before = h.bus.published.length;
    await deliver("gitlab/pushes", "Push Hook", push, { "X-Gitlab-Event-UUID": "uuid-7" });
    await deliver("gitlab/pushes", "Push Hook", push, { "X-Gitlab-Event-UUID": "uuid-7" });
    const [a, b] = h.bus.published.slice(before).map((p) => p.event.id);
    expect(a).toMatch(/^[0-9a-f]{32}$/);
    expect(b).toBe(a);
  });

  it("derives the event id from Idempotency-Key when GitLab sends one: a resend gets a new event UUID, not a new event", async () => {
    const push = readFileSync(join(REPO_DIR, "push.json"));
    const before = h.bus.published.length;
    await deliver("gitlab/pushes", "Push Hook", push, { "X-Gitlab-Event-UUID": "uuid-8", "Idempotency-Key": "key-1" });
    await deliver("gitlab/pushes", "Push Hook", push, { "X-Gitlab-Event-UUID": "uuid-9", "Idempotency-Key": "key-1" });
    await deliver("gitlab/pushes", "Push Hook", push, { "X-Gitlab-Event-UUID": "uuid-9", "Idempotency-Key": "key-2" });
    const [a, b, c] = h.bus.published.slice(before).map((p) => p.event.id);
    expect(b).toBe(a);
    expect(c).not.toBe(a);
  });

  it.each([
    ["a wrong token", { "X-Gitlab-Token": "nope" }, 403],
    ["a token differing in length", { "X-Gitlab-Token": TOKEN + "x" }, 403],
    // An empty header is present, so 403 rather than 401; it must never pass as "no token given".
    ["an empty token", { "X-Gitlab-Token": "" }, 403],
    ["a prefix of the token", { "X-Gitlab-Token": TOKEN.slice(0, -1) }, 403],
    ["no token", { "X-Gitlab-Token": undefined }, 401],
  ])("rejects %s", async (_name, override, status) => {
    const headers: Record<string, string> = { "Content-Type": "application/json", "X-Gitlab-Event": "Push Hook", "X-Gitlab-Token": TOKEN };
    for (const [k, v] of Object.entries(override)) {
      if (v === undefined) delete headers[k];
      else headers[k] = v;
    }
    const before = h.bus.published.length;
    const res = await send(h.url("gitlab/pushes"), { headers, body: "{}" });
    expect(res.status).toBe(status);
    expect(res.body).toMatch(/X-Gitlab-Token/);
    expect(h.bus.published.length).toBe(before);
  });

  it.each([
    ["{", /^GitLab payload is not valid JSON: /],
    ["", /^GitLab payload is empty$/],
    [" \r\n\t", /^GitLab payload is empty$/],
  ])("answers 400 for the body %j, saying why", async (body, message) => {
    const before = h.bus.published.length;
    const res = await deliver("gitlab/pushes", "Push Hook", body);
    expect(res.status).toBe(400);
    expect(res.body).toMatch(message);
    expect(h.bus.published.length).toBe(before);
  });

  it("says which header is missing or wrong", async () => {
    const none = await send(h.url("gitlab/pushes"), { headers: { "X-Gitlab-Event": "Push Hook" }, body: "{}" });
    expect(none).toMatchObject({ status: 401, body: "missing X-Gitlab-Token header: a secret token is configured" });
    const wrong = await deliver("gitlab/pushes", "Push Hook", "{}", { "X-Gitlab-Token": "nope" });
    expect(wrong).toMatchObject({ status: 403, body: "X-Gitlab-Token does not match the secret token" });
  });

  it("without secretToken or method: takes any POST, publishes it, answers 405 to other methods", async () => {
    const before = h.bus.published.length;
    const res = await send(h.url("gitlab/open"), { headers: { "X-Gitlab-Event": "Push Hook" }, body: '{"object_kind":"push"}' });
    expect(res).toMatchObject({ status: 200, body: "success" });
    expect(h.bus.published.length).toBe(before + 1);
    expect((h.bus.published[before].event.data as { body: unknown }).body).toEqual({ object_kind: "push" });
    const put = await send(h.url("gitlab/open"), { method: "PUT", headers: { "X-Gitlab-Event": "Push Hook" }, body: "{}" });
    expect(put.status).toBe(405);
    expect(put.headers.allow).toBe("POST");
  });

  it("masks an Authorization header as well as X-Gitlab-Token", async () => {
    const before = h.bus.published.length;
    const res = await deliver("gitlab/pushes", "Push Hook", "{}", { Authorization: "Bearer gl-other-secret" });
    expect(res.status).toBe(200);
    const data = h.bus.published[before].event.data as { headers: Record<string, string[]> };
    expect(data.headers.Authorization).toEqual([MASKED]);
    expect(data.headers["X-Gitlab-Token"]).toEqual([MASKED]);
    expect(JSON.stringify(data)).not.toContain("gl-other-secret");
  });

  it("gives deliveries without X-Gitlab-Event-UUID distinct event ids", async () => {
    const before = h.bus.published.length;
    await deliver("gitlab/pushes", "Push Hook", "{}");
    await deliver("gitlab/pushes", "Push Hook", "{}");
    const [a, b] = h.bus.published.slice(before).map((p) => p.event.id);
    expect(a).toMatch(/^[0-9a-f]{32}$/);
    expect(b).not.toBe(a);
  });

  it("fails with 500 when the configured secret token is empty, even for an empty X-Gitlab-Token", async () => {
    const before = h.bus.published.length;
    const res = await send(h.url("gitlab/emptysecret"), { headers: { "X-Gitlab-Event": "Push Hook", "X-Gitlab-Token": "" }, body: "{}" });
    expect(res).toMatchObject({ status: 500, body: "webhook secret unavailable" });
    expect(h.bus.published.length).toBe(before);
    expect(h.outcomes.at(-1)?.reason).toBe("secret-unavailable");
  });

  it("refuses an entry without a webhook as a spec error", async () => {
    const es = eventSource("gitlab", { gitlab: { nowebhook: { events: ["PushEvents"] } } });
    await expect(startHarness([es])).rejects.toThrow(SpecError);
    await expect(startHarness([es])).rejects.toThrow(/a webhook \(endpoint, port\) is required/);
  });
});

describe("GitLab source handler", () => {
  it("names the secretToken field and the secret when the token cannot be read (the operator's log shows it)", async () => {
    const source = gitlabSource(
      { webhook: { endpoint: "/p", port: "1" }, secretToken: { name: "absent", key: "token" } },
      { namespace: "argo-events", secrets: new MapSecretStore({}) },
    );
    const req = { method: "POST", path: "/p", headers: { "X-Gitlab-Token": [TOKEN] }, rawBody: Buffer.from("{}") };
    const err = await source.authenticate(req).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SecretNotFoundError);
    expect((err as Error).message).toMatch(/^secretToken absent\/token unavailable: /);
  });
});

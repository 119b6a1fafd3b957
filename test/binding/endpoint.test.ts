// The events endpoint end to end in one process: HTTP -> auth -> bus -> dispatcher -> local store.
import { createHmac } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { KubeObject } from "../../src/api/types.js";
import { MemoryEventBus } from "../../src/eventbus/memory.js";
import { startBindings, type BindingOutcome, type Bindings } from "../../src/binding/index.js";
import { silentLogger } from "../../src/logger.js";
import { packageRoot } from "../../src/paths.js";
import { LocalWorkflowStore } from "../../src/workflows/local.js";
import { submitting, template } from "../support/binding-fixtures.js";
import { waitFor } from "../support/wait.js";
import { statusBeforeBody } from "../support/raw-http.js";

const TOKEN = "t0ken-for-argo-namespace";
const OTHER_NS_TOKEN = "t0ken-for-other-namespace";
const GITHUB_SECRET = "gh-webhook-s3cret";

const SPECS = {
  bindings: [
    submitting("github-push", 'discriminator == "github" && metadata["x-github-event"] == ["push"]', "ci-build", {
      repo: "payload.repository.full_name",
      revision: "payload.after",
    }),
    submitting("any-ci", 'discriminator == "ci"', "ci-build", { repo: "payload.repo" }),
    submitting("any-ci-2", 'discriminator == "ci"', "ci-build", { repo: "payload.repo" }),
    submitting("broken", 'discriminator == "broken"', "missing"),
  ],
  workflowTemplates: [template("ci-build")],
};

interface Setup {
  dir: string;
  store: LocalWorkflowStore;
  bus: MemoryEventBus;
  bindings: Bindings;
  outcomes: BindingOutcome[];
}

async function setup(mode: "durable" | "sync"): Promise<Setup> {
  const dir = await mkdtemp(join(tmpdir(), "binding-endpoint-"));
  const secrets = join(dir, "secrets");
  // The clients of namespace argo; the same secret must not authenticate namespace other.
  await mkdir(join(secrets, "argo-workflows-webhook-clients", "argo"), { recursive: true });
  await writeFile(join(secrets, "argo-workflows-webhook-clients", "argo", "github"), `type: github\nsecret: ${GITHUB_SECRET}\n`);
  await writeFile(join(secrets, "argo-workflows-webhook-clients", "argo", "weird"), "type: gitea\nsecret: x\n");
  const tokens = join(dir, "tokens.yaml");
  await writeFile(
    tokens,
    `${TOKEN}: {serviceAccount: ci, namespace: argo}\n${OTHER_NS_TOKEN}: {serviceAccount: ci, namespace: other}\n`,
  );
  const store = new LocalWorkflowStore(join(dir, "workflows"));
  const bus = new MemoryEventBus();
  const outcomes: BindingOutcome[] = [];
  const bindings = await startBindings({
    specs: SPECS,
    bus,
    workflows: store,
    logger: silentLogger(),
    mode,
    port: 0,
    host: "127.0.0.1",
    tokensFile: tokens,
    secretsDir: secrets,
    onOutcome: (o) => outcomes.push(o),
  });
  return { dir, store, bus, bindings, outcomes };
}

const workflows = (s: Setup) => s.store.list("argoproj.io/v1alpha1", "Workflow", "argo");

function post(s: Setup, path: string, body: string, headers: Record<string, string> = {}) {
  return fetch(`${s.bindings.url}${path}`, { method: "POST", headers: { "Content-Type": "application/json", ...headers }, body });
}

describe("durable mode", () => {
  let s: Setup;
  beforeAll(async () => {
    s = await setup("durable");
  });
  afterAll(async () => {
    await s.bindings.close();
    await rm(s.dir, { recursive: true, force: true });
  });
  afterEach(async () => {
    for (const wf of await workflows(s)) await rm(join(s.store.dir, "argo", `${wf.metadata.name}.yaml`));
    s.outcomes.length = 0;
  });

  it("a signed GitHub push goes endpoint -> bus -> Workflow", async () => {
    const raw = await readFile(join(packageRoot(), "fixtures/github/push.json"), "utf8");
    const payload = JSON.parse(raw) as { after: string; repository: { full_name: string } };
    const res = await post(s, "/api/v1/events/argo/github", raw, {
      "X-GitHub-Event": "push",
      "X-GitHub-Delivery": "d-1",
      "X-Hub-Signature-256": `sha256=${createHmac("sha256", GITHUB_SECRET).update(raw).digest("hex")}`,
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({});
    const [wf] = await waitFor(async () => {
      const l = await workflows(s);
      return l.length > 0 ? l : undefined;
    });
    expect((wf as KubeObject).metadata).toMatchObject({
      generateName: "ci-build-",
      namespace: "argo",
      labels: {
        "workflows.argoproj.io/workflow-template": "ci-build",
        "workflows.argoproj.io/workflow-event-binding": "github-push",
        "workflows.argoproj.io/creator": "system-serviceaccount-argo-github",
      },
    });
    expect((wf as KubeObject).spec).toEqual({
      workflowTemplateRef: { name: "ci-build" },
      arguments: {
        parameters: [
          { name: "repo", value: payload.repository.full_name },
          { name: "revision", value: payload.after },
        ],
      },
    });
  });

  it("a redelivery with the same X-GitHub-Delivery submits nothing new", async () => {
    const body = JSON.stringify({ after: "abc", repository: { full_name: "o/r" } });
    const sig = `sha256=${createHmac("sha256", GITHUB_SECRET).update(body).digest("hex")}`;
    const h = { "X-GitHub-Event": "push", "X-GitHub-Delivery": "same", "X-Hub-Signature-256": sig };
    expect((await post(s, "/api/v1/events/argo/github", body, h)).status).toBe(200);
    expect((await post(s, "/api/v1/events/argo/github", body, h)).status).toBe(200);
    const mine = () => s.outcomes.filter((o) => o.binding === "github-push");
    await waitFor(() => (mine().length >= 2 ? true : undefined));
    expect(mine().map((o) => o.result).sort()).toEqual(["already-submitted", "submitted"]);
    expect(await workflows(s)).toHaveLength(1);
  });

  it.each([
    ["no credentials", {}, 401],
    ["an unknown bearer token", { Authorization: "Bearer nope-nope-nope-nope" }, 401],
    ["a malformed Authorization", { Authorization: "Basic abc" }, 401],
    ["a token of another namespace", { Authorization: `Bearer ${OTHER_NS_TOKEN}` }, 403],
    ["a bad GitHub signature", { "X-GitHub-Event": "push", "X-Hub-Signature-256": `sha256=${"a".repeat(64)}` }, 403],
  ])("%s is refused, nothing published", async (_n, headers, status) => {
    const res = await post(s, "/api/v1/events/argo/ci", '{"repo":"r"}', headers);
    expect(res.status).toBe(status);
    expect(await res.json()).toMatchObject({ message: expect.any(String) });
    // Anything published would be dispatched (an outcome) before the bus is idle again.
    await s.bus.whenIdle();
    expect(s.outcomes).toEqual([]);
  });

  it("answers 413 for a body over 2 MiB", async () => {
    const big = JSON.stringify({ x: "a".repeat(2 * 1024 * 1024) });
    const res = await post(s, "/api/v1/events/argo/ci", big, { Authorization: `Bearer ${TOKEN}` });
    expect(res.status).toBe(413);
  });

  it.each([
    ["GET", "/api/v1/events/argo/ci", 405],
    ["POST", "/api/v1/events/argo", 404],
    ["POST", "/api/v1/events/argo/a/b", 404],
    ["POST", "/api/v1/events/Not_A_Namespace/", 400],
  ])("%s %s -> %i", async (method, path, status) => {
    const res = await fetch(`${s.bindings.url}${path}`, { method, headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(status);
  });

  it("a trailing slash is the empty discriminator; no match is 200", async () => {
    const res = await post(s, "/api/v1/events/argo/", "{}", { Authorization: `Bearer ${TOKEN}` });
    expect(res.status).toBe(200);
    await waitFor(() => (s.outcomes.length >= 4 ? true : undefined));
    expect(s.outcomes.every((o) => o.result === "not-matched" && o.discriminator === "")).toBe(true);
  });

  it.each([
    ["an unknown bearer token", "Authorization: Bearer nope-nope-nope-nope\r\n", 401],
    ["a token of another namespace", `Authorization: Bearer ${OTHER_NS_TOKEN}\r\n`, 403],
    ["no credentials", "", 401],
  ])("%s is refused before the body is read", async (_n, auth, status) => {
    const url = new URL(`${s.bindings.url}/api/v1/events/argo/ci`);
    // Declares 1 MB and sends none of it: the answer must not wait for the body.
    const head = `POST ${url.pathname} HTTP/1.1\r\nHost: x\r\n${auth}Content-Type: application/json\r\nContent-Length: 1000000\r\n\r\n`;
    expect(await statusBeforeBody(url, head)).toMatch(new RegExp(`^HTTP/1\\.1 ${status}`));
  });

  it("a webhook client of namespace argo is refused on another namespace's URL, and nothing is published", async () => {
    const raw = '{"ref":"refs/heads/main"}';
    const published = s.outcomes.length;
    const res = await post(s, "/api/v1/events/other/github", raw, {
      "X-GitHub-Event": "push",
      "X-GitHub-Delivery": "d-cross",
      "X-Hub-Signature-256": `sha256=${createHmac("sha256", GITHUB_SECRET).update(raw).digest("hex")}`,
    });
    expect(res.status).toBe(403);
    expect(s.outcomes.length).toBe(published);
    expect(await workflows(s)).toEqual([]);
  });

  it("a namespace without bindings is 200 and publishes nothing", async () => {
    const res = await post(s, "/api/v1/events/other/ci", "{}", { Authorization: `Bearer ${OTHER_NS_TOKEN}` });
    expect(res.status).toBe(200);
  });

  it("200 concurrent posts: every matching binding fires exactly once per post", async () => {
    const N = 200;
    const results = await Promise.all(
      Array.from({ length: N }, (_, i) =>
        post(s, "/api/v1/events/argo/ci", JSON.stringify({ repo: `r${i}` }), { Authorization: `Bearer ${TOKEN}` }).then(
          (r) => r.status,
        ),
      ),
    );
    expect(results.every((st) => st === 200)).toBe(true);
    const done = () => s.outcomes.filter((o) => o.result !== "not-matched");
    await waitFor(() => (done().length >= 2 * N ? true : undefined), 20000);
    await s.bus.whenIdle();
    expect(done().every((o) => o.result === "submitted")).toBe(true);
    const all = await workflows(s);
    expect(all).toHaveLength(2 * N);
    const seen = new Map<string, number>();
    for (const wf of all) {
      const repo = (wf.spec as { arguments: { parameters: { value: string }[] } }).arguments.parameters[0]?.value;
      const key = `${wf.metadata.labels?.["workflows.argoproj.io/workflow-event-binding"]}/${repo}`;
      seen.set(key, (seen.get(key) ?? 0) + 1);
    }
    expect(seen.size).toBe(2 * N);
    expect([...seen.values()].every((c) => c === 1)).toBe(true);
  });

  it("answers 503 when the bus is unavailable", async () => {
    const bus = new MemoryEventBus();
    const dir = await mkdtemp(join(tmpdir(), "binding-503-"));
    const b = await startBindings({
      specs: SPECS,
      bus,
      workflows: new LocalWorkflowStore(dir),
      logger: silentLogger(),
      port: 0,
      host: "127.0.0.1",
      authenticator: { authenticate: async () => ({ username: "system:serviceaccount:argo:ci" }) },
    });
    try {
      await bus.close();
      const res = await fetch(`${b.url}/api/v1/events/argo/ci`, { method: "POST", headers: { Authorization: "Bearer x" }, body: "{}" });
      expect(res.status).toBe(503);
      expect(res.headers.get("retry-after")).toBe("1");
    } finally {
      await b.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("sync mode", () => {
  let s: Setup;
  beforeAll(async () => {
    s = await setup("sync");
  });
  afterAll(async () => {
    await s.bindings.close();
    await rm(s.dir, { recursive: true, force: true });
  });

  it("submits before answering", async () => {
    const res = await post(s, "/api/v1/events/argo/ci", '{"repo":"x"}', { Authorization: `Bearer ${TOKEN}` });
    expect(res.status).toBe(200);
    expect((await workflows(s)).map((w) => w.metadata.labels?.["workflows.argoproj.io/workflow-event-binding"]).sort()).toEqual([
      "any-ci",
      "any-ci-2",
    ]);
  });

  it("answers 500 with the binding errors when a binding fails", async () => {
    const res = await post(s, "/api/v1/events/argo/broken", "{}", { Authorization: `Bearer ${TOKEN}` });
    expect(res.status).toBe(500);
    const body = (await res.json()) as { code: number; message: string };
    expect(body.code).toBe(13);
    expect(body.message).toMatch(/^failed to dispatch event: \[broken: .*"missing" not found/);
    expect(s.outcomes.filter((o) => o.result === "failed").map((o) => o.binding)).toEqual(["broken"]);
  });
});

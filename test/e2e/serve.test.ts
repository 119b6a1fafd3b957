import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { startGatewayProcess, type GatewayProcess } from "../support/gateway-process.js";
import { waitFor } from "../support/wait.js";
import { send, providerHeaders } from "../../src/commands/send.js";
import { validateArgo } from "../support/argo-schemas.js";
import { packageRoot } from "../../src/paths.js";
import { parseExposition } from "../observe/support.js";

const root = packageRoot();
const fixture = (p: string) => readFile(join(root, "fixtures", p));
const SECRETS = join(root, "fixtures/e2e/secrets");

interface Wf {
  kind: string;
  metadata: { name: string; namespace: string; labels: Record<string, string>; generateName?: string };
  spec: { arguments: { parameters: { name: string; value?: string }[] }; workflowTemplateRef?: { name: string } };
}

async function workflows(store: string, ns: string): Promise<Wf[]> {
  let files: string[];
  try {
    files = (await readdir(join(store, ns))).filter((f) => f.endsWith(".yaml"));
  } catch {
    return [];
  }
  return Promise.all(files.map(async (f) => parse(await readFile(join(store, ns, f), "utf8")) as Wf));
}

const params = (wf: Wf) => Object.fromEntries(wf.spec.arguments.parameters.map((p) => [p.name, p.value]));

describe("serve end to end (embedded bus, local store)", () => {
  let gw: GatewayProcess;
  let store: string;

  beforeAll(async () => {
    store = await mkdtemp(join(tmpdir(), "tg-e2e-"));
    gw = await startGatewayProcess([
      "--config", "fixtures/quickstart", "--config", "fixtures/e2e",
      "--secrets-dir", SECRETS, "--local-store", store, "--host", "127.0.0.1",
      "--port", "12000=0", "--port", "13000=0", "--port", "13001=0", "--port", "13002=0",
    ]);
    // Warm up this process's HTTP client so the timing below measures the gateway.
    const health = await fetch(new URL("/health", gw.urls.get("github/push")!));
    expect(health.status).toBe(200);
  });

  afterAll(async () => {
    await gw?.stop();
    await rm(store, { recursive: true, force: true });
  });

  it("listens on every configured endpoint", () => {
    expect([...gw.urls.keys()].sort()).toEqual(
      ["github-prs/pull-requests", "github/push", "gitlab/merge-requests", "webhook/deploy"],
    );
  });

  it("turns a signed GitHub push into the quickstart Workflow within a second", async () => {
    const body = await fixture("github/push.json");
    const started = Date.now();
    const res = await send({ url: gw.urls.get("github/push")!, provider: "github", event: "push", secret: "e2e-github-secret", body });
    expect(res.status).toBe(200);
    const [wf] = await waitFor(async () => {
      const w = await workflows(store, "argo");
      return w.length > 0 ? w : undefined;
    }, 1000, "the push workflow");
    expect(Date.now() - started).toBeLessThan(1000);
    expect(wf.kind).toBe("Workflow");
    expect(wf.metadata.name).toMatch(/^ci-[a-z0-9]+$/);
    expect(wf.metadata.namespace).toBe("argo");
    expect(wf.metadata.labels["events.argoproj.io/sensor"]).toBe("github-ci");
    expect(wf.metadata.labels["events.argoproj.io/trigger"]).toBe("ci");
    expect(wf.metadata.labels["events.argoproj.io/action-timestamp"]).toMatch(/^\d+$/);
    expect(wf.spec.workflowTemplateRef).toEqual({ name: "ci" });
    expect(params(wf)).toEqual({
      repo: "Codertocat/Hello-World",
      revision: "6113728f27ae82c7b1a177c8d03f9e96e0adf246",
      pusher: "Codertocat",
    });
    expect(validateArgo("io.argoproj.workflow.v1alpha1.Workflow", wf)).toEqual([]);
  });

  it("turns a signed pull_request into a Workflow through a k8s create trigger", async () => {
    const body = await fixture("github/pull_request-opened.json");
    const res = await send({ url: gw.urls.get("github-prs/pull-requests")!, provider: "github", event: "pull_request", secret: "e2e-github-secret", body });
    expect(res.status).toBe(200);
    const [wf] = await waitFor(async () => {
      const w = await workflows(store, "ci");
      const pr = w.filter((x) => x.metadata.name.startsWith("pr-check-"));
      return pr.length > 0 ? pr : undefined;
    }, 2000, "the PR workflow");
    expect(wf.metadata.labels["events.argoproj.io/sensor"]).toBe("pr-checks");
    expect(params(wf)).toEqual({
      pr: "2",
      sha: "ec26c3e57ca3a959ca5aad62de7213c562f8c821",
      title: "Update the README with new information.",
    });
    expect(validateArgo("io.argoproj.workflow.v1alpha1.Workflow", wf)).toEqual([]);
  });

  it("turns a GitLab merge request into a Workflow from the WorkflowTemplate", async () => {
    const body = await fixture("gitlab/merge-request.json");
    const res = await send({ url: gw.urls.get("gitlab/merge-requests")!, provider: "gitlab", event: "Merge Request Hook", secret: "e2e-gitlab-token", body });
    expect(res.status).toBe(200);
    const [wf] = await waitFor(async () => {
      const w = (await workflows(store, "ci")).filter((x) => x.metadata.name.startsWith("mr-build-"));
      return w.length > 0 ? w : undefined;
    }, 2000, "the MR workflow");
    expect(wf.metadata.labels["events.argoproj.io/sensor"]).toBe("gitlab-mr");
    expect(params(wf)).toEqual({ repo: "gitlabhq/gitlab-test", revision: "da1560886d4f094c3e6c9ef40349f7d38b5d27d7" });
    expect(validateArgo("io.argoproj.workflow.v1alpha1.Workflow", wf)).toEqual([]);
  });

  it("turns a generic webhook with a bearer token into a Workflow in the sensor's namespace", async () => {
    const body = await fixture("webhook/message.json");
    const res = await send({ url: gw.urls.get("webhook/deploy")!, provider: "webhook", event: "", secret: "e2e-bearer", body });
    expect(res.status).toBe(200);
    const [wf] = await waitFor(async () => {
      const w = (await workflows(store, "argo-events")).filter((x) => x.metadata.name.startsWith("deploy-"));
      return w.length > 0 ? w : undefined;
    }, 2000, "the deploy workflow");
    expect(params(wf)).toEqual({ branch: "main", build: "42", tags: '["nightly","arm64"]' });
    expect(validateArgo("io.argoproj.workflow.v1alpha1.Workflow", wf)).toEqual([]);
  });

  it("creates no Workflow for a bad signature, an oversize body or bad JSON", async () => {
    const count = async () =>
      (await workflows(store, "argo")).length + (await workflows(store, "ci")).length + (await workflows(store, "argo-events")).length;
    // Events published, all sources: counted before a receiver answers 2xx, so unchanged
    // after the refusals means nothing reached the bus and no Workflow can follow.
    const admin = String(gw.logs.find((l) => l.msg === "admin listening")?.url ?? "");
    const published = async () =>
      parseExposition(await (await fetch(`${admin}/metrics`)).text())
        .samples.filter((x) => x.name === "argo_events_events_sent_total")
        .reduce((sum, x) => sum + x.value, 0);
    const before = await count();
    const publishedBefore = await published();
    const push = await fixture("github/push.json");

    const badSig = await send({ url: gw.urls.get("github/push")!, provider: "github", event: "push", secret: "wrong", body: push });
    expect(badSig.status).toBe(403);

    const unsigned = await fetch(gw.urls.get("github/push")!, {
      method: "POST",
      headers: { "content-type": "application/json", "x-github-event": "push" },
      body: push,
    });
    expect(unsigned.status).toBe(401);

    const big = Buffer.from(JSON.stringify({ build: { id: 1, branch: "main" }, pad: "x".repeat(5000) }));
    const oversize = await send({ url: gw.urls.get("webhook/deploy")!, provider: "webhook", event: "", secret: "e2e-bearer", body: big });
    expect(oversize.status).toBe(413);

    const badJson = Buffer.from('{"ref": "refs/heads/master",');
    const bad = await send({ url: gw.urls.get("github/push")!, provider: "github", event: "push", secret: "e2e-github-secret", body: badJson });
    expect(bad.status).toBe(400);

    const notFound = await fetch(gw.urls.get("github/push")! + "/nope", {
      method: "POST",
      headers: providerHeaders({ provider: "github", event: "push", secret: "e2e-github-secret", body: push }),
      body: push,
    });
    expect(notFound.status).toBe(404);

    expect(await published()).toBe(publishedBefore);
    expect(await count()).toBe(before);
    // The counter is live: a good delivery moves it by one as it is answered.
    const good = await send({ url: gw.urls.get("github/push")!, provider: "github", event: "push", secret: "e2e-github-secret", body: push });
    expect(good.status).toBe(200);
    expect(await published()).toBe(publishedBefore + 1);
  });
});

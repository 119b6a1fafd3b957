import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { argoWorkflowsValidators, crdValidators, startKubeApiServer, type KubeApiServer } from "../support/kube-api/index.js";
import { KubernetesWorkflowClient } from "../../src/workflows/kubernetes.js";
import {
  AlreadyExistsError,
  ApiUnavailableError,
  ConflictError,
  ForbiddenError,
  InvalidError,
  NotFoundError,
  SubmissionInvalidError,
  TriggerError,
} from "../../src/errors.js";
import { isRetryable } from "../../src/retry.js";
import type { KubeObject } from "../../src/api/types.js";

const V = "argoproj.io/v1alpha1";

function workflow(meta: Record<string, unknown>, labels: Record<string, string> = {}): KubeObject {
  return {
    apiVersion: V,
    kind: "Workflow",
    metadata: { namespace: "ci", labels, ...meta },
    spec: { workflowTemplateRef: { name: "ci" }, arguments: { parameters: [{ name: "repo", value: "a/b" }] } },
  };
}

let server: KubeApiServer;
let client: KubernetesWorkflowClient;

beforeAll(async () => {
  server = await startKubeApiServer({ validators: { ...argoWorkflowsValidators(), ...crdValidators() } });
  client = new KubernetesWorkflowClient(server.kubeConfig());
});
afterAll(() => server.close());

describe("KubernetesWorkflowClient CRUD", () => {
  it("creates a Workflow with generateName and the trigger labels, then gets and lists it by label", async () => {
    const created = await client.create(workflow({ generateName: "ci-" }, { "events.argoproj.io/sensor": "s1", "events.argoproj.io/trigger": "t" }));
    expect(created.metadata.name).toMatch(/^ci-[a-z0-9]{5}$/);
    expect(created.metadata.resourceVersion).toMatch(/^\d+$/);
    const stored = server.get(V, "Workflow", "ci", created.metadata.name!);
    expect(stored?.metadata.labels).toEqual({ "events.argoproj.io/sensor": "s1", "events.argoproj.io/trigger": "t" });

    const got = await client.get(V, "Workflow", "ci", created.metadata.name!);
    expect(got).toEqual(stored);
    await client.create(workflow({ name: "other" }, { "events.argoproj.io/sensor": "s2" }));
    const listed = await client.list(V, "Workflow", "ci", { labelSelector: "events.argoproj.io/sensor=s1" });
    expect(listed.map((w) => w.metadata.name)).toEqual([created.metadata.name]);
    expect(listed[0]).toMatchObject({ apiVersion: V, kind: "Workflow" });
  });

  it("updates with the current resourceVersion, and a stale one is a ConflictError", async () => {
    const wf = await client.create(workflow({ name: "upd" }));
    const updated = await client.update({ ...wf, metadata: { ...wf.metadata, labels: { a: "1" } } });
    expect(updated.metadata.labels).toEqual({ a: "1" });
    const stale = client.update({ ...wf, metadata: { ...wf.metadata, labels: { a: "2" } } });
    await expect(stale).rejects.toBeInstanceOf(ConflictError);
    expect(server.get(V, "Workflow", "ci", "upd")?.metadata.labels).toEqual({ a: "1" });
  });

  it.each([
    ["merge", { metadata: { labels: { m: "yes" } } }, (o: KubeObject) => o.metadata.labels?.m === "yes"],
    ["json", [{ op: "add", path: "/metadata/labels", value: { j: "yes" } }], (o: KubeObject) => o.metadata.labels?.j === "yes"],
  ] as const)("patches with a %s patch", async (strategy, patch, check) => {
    const name = `patch-${strategy}`;
    await client.create(workflow({ name }));
    const out = await client.patch(V, "Workflow", "ci", name, patch, strategy);
    expect(check(out)).toBe(true);
    expect(check(server.get(V, "Workflow", "ci", name)!)).toBe(true);
  });

  it("deletes, and a second delete or get is a NotFoundError", async () => {
    await client.create(workflow({ name: "gone" }));
    await client.delete(V, "Workflow", "ci", "gone");
    expect(server.get(V, "Workflow", "ci", "gone")).toBeUndefined();
    await expect(client.delete(V, "Workflow", "ci", "gone")).rejects.toBeInstanceOf(NotFoundError);
    await expect(client.get(V, "Workflow", "ci", "gone")).rejects.toThrow(/Workflow ci\/gone/);
  });

  it("reads a cluster-scoped ClusterWorkflowTemplate and core Secrets", async () => {
    server.put({ apiVersion: V, kind: "ClusterWorkflowTemplate", metadata: { name: "shared" }, spec: { entrypoint: "x", templates: [] } });
    const t = await client.get(V, "ClusterWorkflowTemplate", "", "shared");
    expect(t.metadata.name).toBe("shared");
    expect((await client.list(V, "ClusterWorkflowTemplate", "")).map((o) => o.metadata.name)).toContain("shared");

    const secret = await client.create({ apiVersion: "v1", kind: "Secret", metadata: { name: "s", namespace: "ci" }, stringData: { k: "v" } });
    expect(secret.data).toEqual({ k: Buffer.from("v").toString("base64") });
    expect((await client.get("v1", "Secret", "ci", "s")).data).toEqual({ k: "dg==" });
    const patched = await client.patch("v1", "Secret", "ci", "s", { metadata: { labels: { x: "1" } } }, "merge");
    expect(patched.metadata.labels).toEqual({ x: "1" });
    await client.delete("v1", "Secret", "ci", "s");
    await expect(client.get("v1", "Secret", "ci", "s")).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe("API errors map to typed errors the runner classifies", () => {
  it("409 AlreadyExists is an AlreadyExistsError (a redelivery's create: done, not retried)", async () => {
    await client.create(workflow({ name: "twice" }));
    const err = await client.create(workflow({ name: "twice" })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AlreadyExistsError);
    expect(isRetryable(err)).toBe(false);
  });

  it("422 from the Argo schema is an InvalidError naming the field, permanent", async () => {
    const bad = { ...workflow({ name: "bad" }), spec: { entrypoint: 7 } };
    const err = await client.create(bad).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidError);
    expect((err as Error).message).toMatch(/spec\.entrypoint/);
    expect(isRetryable(err)).toBe(false);
    expect(isRetryable(new SubmissionInvalidError("x"))).toBe(false);
    expect(isRetryable(new TriggerError("x"))).toBe(false);
  });

  it.each([
    [500, true],
    [503, true],
    [429, true],
    [403, false],
  ])("HTTP %i is transient: %s", async (code, transient) => {
    server.injectFailure({ method: "POST", path: "/apis/argoproj.io/v1alpha1/namespaces/ci/workflows", code });
    const err = await client.create(workflow({ name: `fail-${code}` })).catch((e: unknown) => e);
    expect(isRetryable(err)).toBe(transient);
    if (transient) expect((err as ApiUnavailableError).apiStatus).toBe(code);
    else expect(err).toBeInstanceOf(ForbiddenError);
    expect(server.get(V, "Workflow", "ci", `fail-${code}`)).toBeUndefined();
  });

  it("an unreachable API server is transient", async () => {
    const dead = await startKubeApiServer();
    const kc = dead.kubeConfig();
    await dead.close();
    const err = await new KubernetesWorkflowClient(kc).create(workflow({ name: "x" })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiUnavailableError);
    expect(isRetryable(err)).toBe(true);
  });
});

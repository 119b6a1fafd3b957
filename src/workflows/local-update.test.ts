import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { KubeObject } from "../api/types.js";
import { BadRequestError, ConflictError, InvalidError, NotFoundError } from "../errors.js";
import { LocalWorkflowStore } from "./local.js";

const AV = "argoproj.io/v1alpha1";

function wf(name: string, labels: Record<string, string> = {}): KubeObject {
  return { apiVersion: AV, kind: "Workflow", metadata: { name, namespace: "argo", labels }, spec: { entrypoint: "main", list: [1, 2] } };
}

describe("LocalWorkflowStore update, patch, delete, list", () => {
  let dir: string;
  let store: LocalWorkflowStore;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "tg-local-upd-"));
    store = new LocalWorkflowStore({ dir });
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("update replaces the object, keeps uid and creation time, bumps resourceVersion", async () => {
    const created = await store.create(wf("a"));
    const next = { ...created, spec: { entrypoint: "other" } };
    const updated = await store.update(next);
    expect(updated.spec).toEqual({ entrypoint: "other" });
    expect(updated.metadata.uid).toBe(created.metadata.uid);
    expect(updated.metadata.creationTimestamp).toBe(created.metadata.creationTimestamp);
    expect(Number(updated.metadata.resourceVersion)).toBeGreaterThan(Number(created.metadata.resourceVersion));
    expect(await store.get(AV, "Workflow", "argo", "a")).toEqual(updated);
  });

  it("update with a stale resourceVersion is a ConflictError and changes nothing", async () => {
    const created = await store.create(wf("a"));
    await store.update({ ...created, spec: { entrypoint: "first" } });
    await expect(store.update({ ...created, spec: { entrypoint: "second" } })).rejects.toBeInstanceOf(ConflictError);
    expect((await store.get(AV, "Workflow", "argo", "a")).spec).toEqual({ entrypoint: "first" });
  });

  it("of concurrent updates from one read exactly one wins", async () => {
    const created = await store.create(wf("a"));
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) => store.update({ ...created, spec: { n: i } })),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    for (const r of results.filter((x) => x.status === "rejected")) {
      expect((r as PromiseRejectedResult).reason).toBeInstanceOf(ConflictError);
    }
  });

  it.each([
    ["without resourceVersion (custom resource)", (o: KubeObject) => ({ ...o, metadata: { ...o.metadata, resourceVersion: undefined } }), InvalidError],
    ["of a missing object", (o: KubeObject) => ({ ...o, metadata: { ...o.metadata, name: "nope" } }), NotFoundError],
    ["in another API group (another resource)", (o: KubeObject) => ({ ...o, apiVersion: "v1" }), NotFoundError],
  ])("update %s fails", async (_n, change, cls) => {
    const created = await store.create(wf("a"));
    await expect(store.update(change(created))).rejects.toBeInstanceOf(cls);
  });

  it("update of a core kind without resourceVersion is unconditional", async () => {
    await store.create({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" }, data: { a: "1" } });
    const u = await store.update({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" }, data: { a: "2" } });
    expect(u.data).toEqual({ a: "2" });
  });

  it.each([
    ["merge", { spec: { entrypoint: "x", list: null }, metadata: { labels: { b: "2" } } }, { entrypoint: "x" }, { a: "1", b: "2" }],
    ["strategic (as merge)", { spec: { list: [3] } }, { entrypoint: "main", list: [3] }, { a: "1" }],
    ["json", [{ op: "add", path: "/spec/list/-", value: 3 }, { op: "remove", path: "/metadata/labels/a" }], { entrypoint: "main", list: [1, 2, 3] }, {}],
  ] as const)("patch %s", async (strategy, patch, spec, labels) => {
    const created = await store.create(wf("a", { a: "1" }));
    const kind = strategy.startsWith("strategic") ? "strategic" : strategy;
    const patched = await store.patch(AV, "Workflow", "argo", "a", patch, kind);
    expect(patched.spec).toEqual(spec);
    expect(patched.metadata.labels).toEqual(labels);
    expect(patched.metadata.uid).toBe(created.metadata.uid);
    expect(patched.metadata.resourceVersion).not.toBe(created.metadata.resourceVersion);
    expect(await store.get(AV, "Workflow", "argo", "a")).toEqual(patched);
  });

  it("patch: a stale resourceVersion in the patch conflicts, a renamed object is invalid, a missing one not found", async () => {
    await store.create(wf("a"));
    await expect(store.patch(AV, "Workflow", "argo", "a", { metadata: { resourceVersion: "1" } }, "merge")).rejects.toBeInstanceOf(ConflictError);
    await expect(store.patch(AV, "Workflow", "argo", "a", { metadata: { name: "b" } }, "merge")).rejects.toBeInstanceOf(InvalidError);
    await expect(store.patch(AV, "Workflow", "argo", "zz", { spec: {} }, "merge")).rejects.toBeInstanceOf(NotFoundError);
  });

  it("delete removes the file; a second delete is NotFoundError", async () => {
    await store.create(wf("a"));
    await store.delete(AV, "Workflow", "argo", "a");
    await expect(store.get(AV, "Workflow", "argo", "a")).rejects.toBeInstanceOf(NotFoundError);
    await expect(store.delete(AV, "Workflow", "argo", "a")).rejects.toBeInstanceOf(NotFoundError);
    expect(await readdir(join(dir, "argo"))).toEqual([".tmp"]);
  });

  it.each([
    ["", ["a", "b", "c"]],
    ["app=web", ["a", "b"]],
    ["app=web,tier!=back", ["a"]],
    ["tier", ["b", "c"]],
    ["!tier", ["a"]],
    ["tier in (back,x)", ["b"]],
    ["tier notin (back)", ["a", "c"]],
  ])("list with labelSelector %j", async (selector, names) => {
    await store.create(wf("a", { app: "web" }));
    await store.create(wf("b", { app: "web", tier: "back" }));
    await store.create(wf("c", { app: "db", tier: "front" }));
    const listed = await store.list(AV, "Workflow", "argo", { labelSelector: selector });
    expect(listed.map((o) => o.metadata.name)).toEqual(names);
  });

  it("cluster-scoped kinds live under _cluster/ without a namespace", async () => {
    const c = await store.create({ apiVersion: AV, kind: "ClusterWorkflowTemplate", metadata: { name: "ct", namespace: "ignored" }, spec: {} });
    expect(c.metadata.namespace).toBeUndefined();
    expect(await readdir(join(dir, "_cluster", "clusterworkflowtemplates"))).toEqual([".tmp", "ct.yaml"]);
    expect((await store.get(AV, "ClusterWorkflowTemplate", "", "ct")).metadata.name).toBe("ct");
    expect((await store.list(AV, "ClusterWorkflowTemplate", "")).map((o) => o.metadata.name)).toEqual(["ct"]);
    await store.patch(AV, "ClusterWorkflowTemplate", "", "ct", { spec: { x: 1 } }, "merge");
    await store.delete(AV, "ClusterWorkflowTemplate", "", "ct");
    await expect(store.get(AV, "ClusterWorkflowTemplate", "", "ct")).rejects.toBeInstanceOf(NotFoundError);
  });

  it("specs from --config are visible, copied on write, never deleted", async () => {
    const wt: KubeObject = { apiVersion: AV, kind: "WorkflowTemplate", metadata: { name: "build", namespace: "argo" }, spec: { a: 1 } };
    const cwt: KubeObject = { apiVersion: AV, kind: "ClusterWorkflowTemplate", metadata: { name: "shared" }, spec: {} };
    const s = new LocalWorkflowStore({ dir, specs: [wt, cwt] });
    expect((await s.get(AV, "WorkflowTemplate", "argo", "build")).spec).toEqual({ a: 1 });
    expect((await s.get(AV, "ClusterWorkflowTemplate", "", "shared")).metadata.name).toBe("shared");
    expect((await s.list(AV, "WorkflowTemplate", "argo")).map((o) => o.metadata.name)).toEqual(["build"]);
    await expect(s.delete(AV, "WorkflowTemplate", "argo", "build")).rejects.toBeInstanceOf(BadRequestError);
    await s.patch(AV, "WorkflowTemplate", "argo", "build", { spec: { a: 2 } }, "merge");
    expect((await s.get(AV, "WorkflowTemplate", "argo", "build")).spec).toEqual({ a: 2 });
    expect(await readdir(join(dir, "argo", "workflowtemplates"))).toEqual([".tmp", "build.yaml"]);
  });

  it("setSpecs replaces the --config objects (a reload); stored objects stay", async () => {
    const wt = (name: string, a: number): KubeObject => ({ apiVersion: AV, kind: "WorkflowTemplate", metadata: { name, namespace: "argo" }, spec: { a } });
    const s = new LocalWorkflowStore({ dir, specs: [wt("old", 1), wt("kept", 1)] });
    await s.create(wt("stored", 1));
    s.setSpecs([wt("kept", 2), wt("new", 1)]);
    expect((await s.list(AV, "WorkflowTemplate", "argo")).map((o) => [o.metadata.name, o.spec])).toEqual([
      ["kept", { a: 2 }],
      ["new", { a: 1 }],
      ["stored", { a: 1 }],
    ]);
    await expect(s.get(AV, "WorkflowTemplate", "argo", "old")).rejects.toBeInstanceOf(NotFoundError);
  });
});

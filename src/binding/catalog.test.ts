import { describe, expect, it } from "vitest";
import { LiveBindingCatalog, SpecBindingCatalog } from "./catalog.js";
import { clusterTemplate, submitting, template } from "./test-support.js";

describe("catalogs", () => {
  const a = submitting("a", "true", "t");
  const b = submitting("b", "true", "t", {}, { namespace: "other" });

  it("SpecBindingCatalog: bindings by namespace, templates namespaced or cluster-scoped", async () => {
    const c = new SpecBindingCatalog({ bindings: [a, b], workflowTemplates: [template("t"), clusterTemplate("shared")] });
    expect((await c.bindings("argo")).map((x) => x.name)).toEqual(["a"]);
    expect(await c.bindings("none")).toEqual([]);
    expect(await c.namespaces()).toEqual(["argo", "other"]);
    expect((await c.template("argo", { name: "t", clusterScope: false })).metadata.name).toBe("t");
    expect((await c.template("x", { name: "shared", clusterScope: true })).kind).toBe("ClusterWorkflowTemplate");
    await expect(c.template("other", { name: "t", clusterScope: false })).rejects.toThrow(/"t" not found in namespace other/);
    await expect(c.template("argo", { name: "t", clusterScope: true })).rejects.toThrow(/clusterworkflowtemplates.argoproj.io "t" not found/);
  });

  it("LiveBindingCatalog follows the current specs and compiles each binding object once", async () => {
    let specs = { bindings: [a], workflowTemplates: [template("t")] };
    const c = new LiveBindingCatalog(() => specs);
    const first = (await c.bindings("argo"))[0];
    expect((await c.bindings("argo"))[0]).toBe(first);
    expect(await c.namespaces()).toEqual(["argo"]);
    specs = { bindings: [a, b], workflowTemplates: [] };
    expect(await c.namespaces()).toEqual(["argo", "other"]);
    expect((await c.bindings("argo")).map((x) => x.name)).toEqual(["a"]);
    expect((await c.bindings("other")).map((x) => x.name)).toEqual(["b"]);
    expect(await c.bindings("none")).toEqual([]);
    await expect(c.template("argo", { name: "t", clusterScope: false })).rejects.toThrow(/not found/);
  });
});

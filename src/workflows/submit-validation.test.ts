import { describe, expect, it } from "vitest";
import type { KubeObject, WorkflowTemplate } from "../api/types.js";
import { NotFoundError, SubmissionInvalidError } from "../errors.js";
import { isRetryable } from "../retry.js";
import type { WorkflowClient } from "./client.js";
import {
  firstFound,
  templateLookupFromClient,
  templateLookupFromList,
  validateSubmission,
  ValidatingWorkflowClient,
} from "./submit-validation.js";

const V = "argoproj.io/v1alpha1";

const templates: WorkflowTemplate[] = [
  {
    apiVersion: V,
    kind: "WorkflowTemplate",
    metadata: { name: "ci", namespace: "argo" },
    spec: {
      arguments: {
        parameters: [
          { name: "repo" },
          { name: "revision", value: "HEAD" },
          { name: "event", default: "push", enum: ["push", "pull_request"] },
        ],
      },
    },
  },
  { apiVersion: V, kind: "ClusterWorkflowTemplate", metadata: { name: "shared" }, spec: { arguments: { parameters: [{ name: "x", value: "1" }] } } },
  { apiVersion: V, kind: "WorkflowTemplate", metadata: { name: "bare", namespace: "argo" }, spec: {} },
];
const lookup = templateLookupFromList(() => templates);

function wf(ref: Record<string, unknown>, params: Record<string, unknown>[] | undefined, namespace = "argo"): KubeObject {
  return {
    apiVersion: V,
    kind: "Workflow",
    metadata: { generateName: "ci-", namespace },
    spec: { workflowTemplateRef: ref, ...(params ? { arguments: { parameters: params } } : {}) },
  };
}

describe("validateSubmission", () => {
  it.each([
    ["all declared, required given", wf({ name: "ci" }, [{ name: "repo", value: "a/b" }, { name: "event", value: "pull_request" }])],
    ["required given through valueFrom", wf({ name: "ci" }, [{ name: "repo", valueFrom: { configMapKeyRef: { name: "c", key: "k" } } }])],
    ["cluster template", wf({ name: "shared", clusterScope: true }, [{ name: "x", value: "2" }], "other")],
    ["template without parameters, none supplied", wf({ name: "bare" }, undefined)],
    ["no template reference", { apiVersion: V, kind: "Workflow", metadata: { name: "w" }, spec: { entrypoint: "main" } }],
    ["another kind", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" } }],
  ])("accepts: %s", async (_name, obj) => {
    await expect(validateSubmission(lookup, obj as KubeObject)).resolves.toBeUndefined();
  });

  it.each([
    ["missing template", wf({ name: "nope" }, []), /^WorkflowTemplate argo\/nope not found$/],
    ["template in another namespace", wf({ name: "ci" }, [{ name: "repo", value: "r" }], "ci"), /WorkflowTemplate ci\/ci not found/],
    ["missing cluster template", wf({ name: "ci", clusterScope: true }, []), /ClusterWorkflowTemplate ci not found/],
    ["undeclared parameter", wf({ name: "ci" }, [{ name: "repo", value: "r" }, { name: "branch", value: "main" }]), /parameter "branch" is not declared \(declared: repo, revision, event\)/],
    ["enum violated", wf({ name: "ci" }, [{ name: "repo", value: "r" }, { name: "event", value: "tag" }]), /parameter "event" value "tag" is not one of push, pull_request/],
    ["required not supplied", wf({ name: "ci" }, [{ name: "revision", value: "x" }]), /parameter "repo" is required \(no value or default\) but not supplied/],
    ["required named without a value", wf({ name: "ci" }, [{ name: "repo" }]), /parameter "repo" is required/],
    ["undeclared on a template without parameters", wf({ name: "bare" }, [{ name: "a", value: "1" }]), /"a" is not declared \(declared: none\)/],
  ])("rejects: %s", async (_name, obj, message) => {
    const err = await validateSubmission(lookup, obj).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SubmissionInvalidError);
    expect((err as Error).message).toMatch(message);
    expect(isRetryable(err)).toBe(false);
  });

  it("names every violation in one error", async () => {
    const err = await validateSubmission(lookup, wf({ name: "ci" }, [{ name: "b", value: "1" }, { name: "event", value: "x" }])).catch((e: Error) => e);
    expect((err as Error).message.split("; ")).toHaveLength(3);
  });
});

class FakeClient implements WorkflowClient {
  created: KubeObject[] = [];
  gets = 0;
  constructor(private readonly stored: KubeObject[] = []) {}
  async create(obj: KubeObject) {
    this.created.push(obj);
    return obj;
  }
  async get(_a: string, kind: string, ns: string, name: string) {
    this.gets++;
    const o = this.stored.find((s) => s.kind === kind && s.metadata.name === name && (s.metadata.namespace ?? "") === ns);
    if (!o) throw new NotFoundError(`${kind} ${name} not found`);
    return o;
  }
  async list() {
    return [];
  }
  async update(o: KubeObject) {
    return o;
  }
  async patch(): Promise<KubeObject> {
    throw new Error("unused");
  }
  async delete() {}
}

describe("ValidatingWorkflowClient", () => {
  it("creates a valid Workflow and refuses an invalid one without calling the wrapped client", async () => {
    const inner = new FakeClient();
    const client = new ValidatingWorkflowClient(inner, { templates: lookup });
    await client.create(wf({ name: "ci" }, [{ name: "repo", value: "r" }]));
    await expect(client.create(wf({ name: "ci" }, [{ name: "nope", value: "r" }]))).rejects.toBeInstanceOf(SubmissionInvalidError);
    await expect(client.create(wf({ name: "missing" }, []))).rejects.toThrow("WorkflowTemplate argo/missing not found");
    expect(inner.created).toHaveLength(1);
  });

  it("with missingTemplate allow, submits a Workflow of an unknown template but still checks known ones", async () => {
    const inner = new FakeClient();
    const client = new ValidatingWorkflowClient(inner, { templates: lookup, missingTemplate: "allow" });
    await client.create(wf({ name: "unknown" }, [{ name: "anything", value: "1" }]));
    await expect(client.create(wf({ name: "ci" }, [{ name: "nope", value: "r" }]))).rejects.toBeInstanceOf(SubmissionInvalidError);
    expect(inner.created).toHaveLength(1);
  });
});

describe("template lookups", () => {
  it("through the API: one GET per template and TTL, misses remembered too, falling back after a cache", async () => {
    let now = 0;
    const api = new FakeClient([templates[0]]);
    const viaApi = templateLookupFromClient(api, 1000, () => now);
    const ref = { namespace: "argo", name: "ci", clusterScope: false };
    expect((await viaApi(ref))?.metadata.name).toBe("ci");
    await viaApi(ref);
    expect(api.gets).toBe(1);
    expect(await viaApi({ ...ref, name: "none" })).toBeUndefined();
    await viaApi({ ...ref, name: "none" });
    expect(api.gets).toBe(2);
    now = 1001;
    await viaApi(ref);
    expect(api.gets).toBe(3);

    const cache = templateLookupFromList(() => [templates[2]]);
    const both = firstFound(cache, viaApi);
    expect((await both({ ...ref, name: "bare" }))?.metadata.name).toBe("bare");
    expect(api.gets).toBe(3);
  });
});

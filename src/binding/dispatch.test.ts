import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { KubeObject, WorkflowEventBinding } from "../api/types.js";
import { ApiUnavailableError } from "../errors.js";
import { silentLogger } from "../logger.js";
import { LocalWorkflowStore } from "../workflows/local.js";
import { LiveBindingCatalog, SpecBindingCatalog, type BindingCatalog, type BindingSpecs } from "./catalog.js";
import { BindingDispatcher } from "./dispatch.js";
import type { BindingEventData } from "./event.js";
import type { BindingOutcome } from "./outcome.js";
import type { EventRecorder } from "./recorder.js";
import { binding, clusterTemplate, submitting, template } from "../../test/support/binding-fixtures.js";

const BINDINGS: WorkflowEventBinding[] = [
  submitting("ci", 'payload.repo != "" && discriminator == "ci"', "ci-build", { repo: "payload.repo", rev: "payload.revision" }),
  submitting("ci-too", 'discriminator == "ci" && "push" in metadata["x-github-event"]', "ci-build", { all: "payload" }),
  submitting("cluster", 'discriminator == "cluster"', "shared", { d: "discriminator", ns: "namespace" }, { clusterScope: true }),
  submitting("not-bool", 'discriminator == "bad" ? payload.repo : false', "ci-build"),
  submitting("bad-label", 'discriminator == "bad"', "ci-build", {}, { metadata: { labels: { n: "1" } } }),
  submitting("no-template", 'discriminator == "bad"', "missing"),
  binding("no-value-from", {
    event: { selector: 'discriminator == "bad"' },
    submit: { workflowTemplateRef: { name: "ci-build" }, arguments: { parameters: [{ name: "p" }] } },
  }),
  binding("no-compile", { event: { selector: 'discriminator == == "x"' } }),
  binding("no-submit", { event: { selector: "true" } }),
  submitting("other-ns", "true", "ci-build", {}, { namespace: "other" }),
];

const EVENT = (discriminator: string, payload: unknown, metadata: Record<string, string[]> = {}): BindingEventData => ({
  namespace: "argo",
  discriminator,
  payload,
  metadata,
});

const SPECS: BindingSpecs = {
  bindings: BINDINGS,
  workflowTemplates: [template("ci-build"), template("ci-build", {}, "other"), clusterTemplate("shared")],
};

// serve uses LiveBindingCatalog (specs that change); files-only callers SpecBindingCatalog.
// Both must give the dispatcher the same bindings: only the event's namespace.
describe.each<[string, () => BindingCatalog]>([
  ["SpecBindingCatalog", () => new SpecBindingCatalog(SPECS)],
  ["LiveBindingCatalog", () => new LiveBindingCatalog(() => SPECS)],
])("BindingDispatcher over %s", (_kind, catalog) => {
  let dir: string;
  let store: LocalWorkflowStore;
  let outcomes: BindingOutcome[];
  let warnings: { binding: string; reason: string; message: string }[];
  let dispatcher: BindingDispatcher;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "bindings-"));
    store = new LocalWorkflowStore(dir);
    outcomes = [];
    warnings = [];
    const recorder: EventRecorder = {
      warning: async (b, reason, message) => {
        warnings.push({ binding: b.metadata.name ?? "", reason, message });
      },
    };
    dispatcher = new BindingDispatcher({
      catalog: catalog(),
      workflows: store,
      logger: silentLogger(),
      recorder,
      onOutcome: (o) => outcomes.push(o),
    });
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  const byBinding = (wfs: KubeObject[]) =>
    Object.fromEntries(wfs.map((w) => [w.metadata.labels?.["workflows.argoproj.io/workflow-event-binding"], w]));

  it.each([
    {
      name: "one match with parameters",
      event: EVENT("ci", { repo: "argoproj/argo", revision: "abc" }),
      submitted: { ci: [{ name: "repo", value: "argoproj/argo" }, { name: "rev", value: "abc" }] },
      failed: ["no-compile"],
    },
    {
      name: "two matching bindings -> one Workflow each",
      event: EVENT("ci", { repo: "r", revision: 1 }, { "x-github-event": ["push"] }),
      submitted: {
        ci: [{ name: "repo", value: "r" }, { name: "rev", value: "1" }],
        "ci-too": [{ name: "all", value: '{"repo":"r","revision":1}' }],
      },
      failed: ["no-compile"],
    },
    {
      name: "no match",
      event: EVENT("nothing", { repo: "r" }),
      submitted: {},
      failed: ["no-compile"],
    },
    {
      name: "a cluster template",
      event: EVENT("cluster", {}),
      submitted: { cluster: [{ name: "d", value: "cluster" }, { name: "ns", value: "argo" }] },
      failed: ["no-compile"],
    },
    {
      name: "erroring bindings fail alone",
      event: EVENT("bad", { repo: "r" }),
      submitted: {},
      failed: ["bad-label", "no-compile", "no-template", "no-value-from", "not-bool"],
    },
  ])("$name", async ({ event, submitted, failed }) => {
    const result = await dispatcher.dispatch(event, "event-1");
    const wfs = await store.list("argoproj.io/v1alpha1", "Workflow", "argo");
    const got = byBinding(wfs);
    expect(Object.keys(got).sort()).toEqual(Object.keys(submitted).sort());
    for (const [b, params] of Object.entries(submitted)) {
      expect((got[b]?.spec as { arguments?: { parameters: unknown } }).arguments?.parameters ?? []).toEqual(params);
    }
    const cluster = got.cluster;
    if (cluster) {
      expect(cluster.spec).toMatchObject({ workflowTemplateRef: { name: "shared", clusterScope: true } });
      expect(cluster.metadata.labels).toMatchObject({ "workflows.argoproj.io/cluster-workflow-template": "shared" });
    }
    expect(result.failures.map((f) => f.binding).sort()).toEqual(failed);
    expect(result.workflows.sort()).toEqual(wfs.map((w) => w.metadata.name).sort());
    expect(warnings.map((w) => w.binding).sort()).toEqual(failed);
    expect(new Set(warnings.map((w) => w.reason))).toEqual(new Set(failed.length ? ["WorkflowEventBindingError"] : []));
    expect(outcomes.filter((o) => o.result === "failed").map((o) => o.binding).sort()).toEqual(failed);
    expect(outcomes.filter((o) => o.result === "submitted").map((o) => o.binding).sort()).toEqual(Object.keys(submitted).sort());
  });

  it.each([
    ["not-bool", /unable to cast expression result 'r' to bool/],
    ["bad-label", /label "n" expression must evaluate to a string, not a number/],
    ["no-template", /workflowtemplates.argoproj.io "missing" not found/],
    ["no-value-from", /malformed workflow template parameter "p": valueFrom is nil/],
    ["no-compile", /failed to compile selector/],
  ])("reports why %s failed", async (name, message) => {
    const result = await dispatcher.dispatch(EVENT("bad", { repo: "r" }), "e");
    expect(result.failures.find((f) => f.binding === name)?.error).toMatch(message);
    expect(warnings.find((w) => w.binding === name)?.message).toMatch(/^failed to dispatch event: /);
  });

  it("dispatches only the bindings of the event's namespace, and submits there", async () => {
    const result = await dispatcher.dispatch({ ...EVENT("ci", { repo: "r" }), namespace: "other" }, "event-ns");
    const inOther = await store.list("argoproj.io/v1alpha1", "Workflow", "other");
    expect(Object.keys(byBinding(inOther))).toEqual(["other-ns"]);
    expect(await store.list("argoproj.io/v1alpha1", "Workflow", "argo")).toEqual([]);
    expect(result.failures).toEqual([]);
    expect(outcomes.filter((o) => o.result !== "not-matched").map((o) => o.binding)).toEqual(["other-ns"]);
  });

  it("submits once per event: a redelivered event finds its Workflow", async () => {
    const event = EVENT("ci", { repo: "r", revision: "x" });
    const first = await dispatcher.dispatch(event, "same-id");
    const again = await dispatcher.dispatch(event, "same-id", { redelivery: true });
    expect(again.workflows).toEqual(first.workflows);
    expect(await store.list("argoproj.io/v1alpha1", "Workflow", "argo")).toHaveLength(1);
    expect(outcomes.map((o) => o.result).filter((r) => r !== "not-matched" && r !== "failed")).toEqual(["submitted", "already-submitted"]);
    await dispatcher.dispatch(event, "other-id");
    expect(await store.list("argoproj.io/v1alpha1", "Workflow", "argo")).toHaveLength(2);
  });

  it("returns a transient failure unreported when not final, and retries inside the dispatch", async () => {
    let calls = 0;
    const flaky = new BindingDispatcher({
      catalog: new SpecBindingCatalog({ bindings: [BINDINGS[0] as WorkflowEventBinding], workflowTemplates: [template("ci-build")] }),
      workflows: {
        ...store,
        create: async () => {
          calls++;
          throw new ApiUnavailableError("API down", 503);
        },
      } as unknown as LocalWorkflowStore,
      logger: silentLogger(),
      onOutcome: (o) => outcomes.push(o),
    });
    const r = await flaky.dispatch(EVENT("ci", { repo: "r" }), "e", { final: false });
    expect(calls).toBe(5);
    expect(r.failures).toEqual([{ binding: "ci", error: expect.stringMatching(/API down/), transient: true }]);
    expect(outcomes).toEqual([]);
    await flaky.dispatch(EVENT("ci", { repo: "r" }), "e", { final: true });
    expect(outcomes.map((o) => o.result)).toEqual(["failed"]);
  });
});

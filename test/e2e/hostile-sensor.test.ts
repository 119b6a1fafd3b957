// A careless or hostile Sensor author, replayed against the real process: a parameter
// template that asks for a 60-million-element list killed the process (heap), and two
// nested `until 12000` loops stalled it for 15 s. Now each firing fails with a clear
// budget error, goes to the dead letter without retry, and the process keeps serving.
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGatewayProcess, type GatewayProcess } from "../support/gateway-process.js";
import { waitFor } from "../support/wait.js";

const SPECS = `
apiVersion: argoproj.io/v1alpha1
kind: EventSource
metadata: {name: hooks, namespace: argo-events}
spec:
  webhook:
    in: {port: "12000", endpoint: /in, method: POST}
---
apiVersion: argoproj.io/v1alpha1
kind: WorkflowTemplate
metadata: {name: echo, namespace: argo}
spec:
  entrypoint: main
  arguments: {parameters: [{name: n}]}
  templates: [{name: main, container: {image: "alpine:3.20"}}]
---
apiVersion: argoproj.io/v1alpha1
kind: Sensor
metadata: {name: careless, namespace: argo-events}
spec:
  dependencies: [{name: d, eventSourceName: hooks, eventName: in}]
  triggers:
    - template:
        name: big-list
        argoWorkflow:
          operation: submit
          source:
            resource:
              apiVersion: argoproj.io/v1alpha1
              kind: Workflow
              metadata: {generateName: big-, namespace: argo}
              spec: {workflowTemplateRef: {name: echo}, arguments: {parameters: [{name: n}]}}
          parameters:
            - src: {dependencyName: d, dataTemplate: "{{ len (until (int .Input.body.n)) }}"}
              dest: spec.arguments.parameters.0.value
    - template:
        name: nested
        argoWorkflow:
          operation: submit
          source:
            resource:
              apiVersion: argoproj.io/v1alpha1
              kind: Workflow
              metadata: {generateName: nested-, namespace: argo}
              spec: {workflowTemplateRef: {name: echo}, arguments: {parameters: [{name: n}]}}
          parameters:
            - src:
                dependencyName: d
                dataTemplate: "{{ range (until (int .Input.body.m)) }}{{ range (until (int $.Input.body.m)) }}{{ end }}{{ end }}{{ .Input.body.m }}"
              dest: spec.arguments.parameters.0.value
`;

let gw: GatewayProcess;
let dir: string;
let store: string;

const post = (body: unknown) =>
  fetch(gw.urls.get("hooks/in")!, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
const failures = (trigger: string) =>
  gw.logs.filter((l) => l.msg === "trigger failed" && l.trigger === trigger).map((l) => String((l.err as { message?: string }).message));
const files = async () => {
  try {
    return (await readdir(join(store, "argo"))).filter((f) => f.endsWith(".yaml"));
  } catch {
    return [];
  }
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "tg-hostile-"));
  store = join(dir, "store");
  await writeFile(join(dir, "specs.yaml"), SPECS);
  gw = await startGatewayProcess(["--config", join(dir, "specs.yaml"), "--local-store", store, "--host", "127.0.0.1", "--port", "12000=0"]);
});

afterAll(async () => {
  await gw?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe("a hostile parameter template", () => {
  it("a 60-million-element list fails the firing with a budget error; the process lives on", async () => {
    expect((await post({ n: 60_000_000, m: 1 })).status).toBe(200);
    const [err] = await waitFor(() => (failures("big-list").length > 0 ? failures("big-list") : undefined), 15_000, "the failure");
    expect(err).toContain("template exceeded its budget");
    expect(gw.logs.filter((l) => l.msg === "trigger failed, will retry" && l.trigger === "big-list")).toEqual([]);
    expect(gw.child.exitCode).toBeNull();
    expect((await fetch(new URL("/health", gw.urls.get("hooks/in")!))).status).toBe(200);
  });

  it("nested loops of 144 million steps fail the same way, and a sane event still becomes a Workflow", async () => {
    expect((await post({ n: 60_000_000, m: 12_000 })).status).toBe(200);
    const [err] = await waitFor(() => (failures("nested").length > 0 ? failures("nested") : undefined), 15_000, "the failure");
    expect(err).toContain("template exceeded its budget of 1000000 steps");

    expect((await post({ n: 3, m: 2 })).status).toBe(200);
    // Only the sane event gets through the big-list trigger: exactly one of its Workflows.
    const big = await waitFor(async () => {
      const f = (await files()).filter((x) => x.startsWith("big-"));
      return f.length > 0 ? f : undefined;
    }, 15_000, "the sane event's Workflow");
    expect(big).toHaveLength(1);
    expect(gw.child.exitCode).toBeNull();
  });
});

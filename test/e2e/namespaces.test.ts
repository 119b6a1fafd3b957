// Two teams that both keep Argo's example name for their EventSource (`webhook`): each
// team's Sensor fires on its own namespace's deliveries only, as in Argo Events, where
// every namespace has its own bus. Before the namespace was in the bus subject, a
// delivery to team-b's receiver fired team-a's Sensor.
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGatewayProcess, type GatewayProcess } from "../support/gateway-process.js";
import { waitFor } from "../support/wait.js";

const eventSource = (namespace: string, port: string) => `apiVersion: argoproj.io/v1alpha1
kind: EventSource
metadata: {name: webhook, namespace: ${namespace}}
spec:
  webhook:
    example: {port: "${port}", endpoint: /${namespace}, method: POST}
`;

const sensor = (namespace: string) => `apiVersion: argoproj.io/v1alpha1
kind: Sensor
metadata: {name: builds, namespace: ${namespace}}
spec:
  dependencies: [{name: d, eventSourceName: webhook, eventName: example}]
  triggers:
    - template:
        name: build
        argoWorkflow:
          operation: submit
          source:
            resource:
              apiVersion: argoproj.io/v1alpha1
              kind: Workflow
              metadata: {generateName: build-}
              spec: {entrypoint: main, templates: [{name: main, container: {image: alpine}}]}
`;

let gw: GatewayProcess;
let dir: string;
let store: string;

const urlOf = (namespace: string) => {
  const rec = gw.logs.find((l) => l.msg === "listening" && String(l.url).endsWith(`/${namespace}`));
  return String(rec?.url);
};
const workflows = async (namespace: string) => {
  try {
    return (await readdir(join(store, namespace))).filter((f) => f.endsWith(".yaml"));
  } catch {
    return [];
  }
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "tg-namespaces-"));
  store = join(dir, "store");
  await writeFile(join(dir, "specs.yaml"), [eventSource("team-a", "12000"), eventSource("team-b", "12001"), sensor("team-a")].join("---\n"));
  gw = await startGatewayProcess(["--config", join(dir, "specs.yaml"), "--local-store", store, "--host", "127.0.0.1", "--port", "12000=0", "--port", "12001=0"]);
});

afterAll(async () => {
  await gw?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe("same-named EventSources in two namespaces", () => {
  it("a delivery to team-b's receiver does not fire team-a's Sensor; one to team-a's does", async () => {
    const post = (namespace: string) => fetch(urlOf(namespace), { method: "POST", headers: { "Content-Type": "application/json" }, body: "{}" });
    expect((await post("team-b")).status).toBe(200);
    expect((await post("team-a")).status).toBe(200);
    const fired = await waitFor(async () => ((await workflows("team-a")).length > 0 ? workflows("team-a") : undefined), 15_000, "team-a's Workflow");
    expect(fired).toHaveLength(1);
    // Both events are on the bus and routed by now: team-b's produced nothing anywhere.
    await new Promise((r) => setTimeout(r, 500));
    expect(await workflows("team-a")).toHaveLength(1);
    expect(await workflows("team-b")).toEqual([]);
    expect(gw.logs.filter((l) => l.msg === "trigger fired")).toHaveLength(1);
  });
});

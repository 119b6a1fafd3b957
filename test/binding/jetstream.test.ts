// Durable mode over a real nats-server: two gateway "processes" share the
// `bindings` consumer; every post fires every matching binding exactly once.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { JetStreamEventBus } from "../../src/eventbus/jetstream.js";
import { startBindings, type BindingOutcome, type Bindings } from "../../src/binding/index.js";
import { submitting, template } from "../support/binding-fixtures.js";
import { silentLogger } from "../../src/logger.js";
import { LocalWorkflowStore } from "../../src/workflows/local.js";
import { natsUrlForTests } from "../support/nats-server.js";
import { waitFor } from "../support/wait.js";
import { waitForJetStreamQuiet } from "../support/jetstream-quiet.js";

const SPECS = {
  bindings: [
    submitting("one", "true", "t", { n: "payload.n" }),
    submitting("two", "payload.n % 2 == 0", "t", { n: "payload.n" }),
  ],
  workflowTemplates: [template("t")],
};

describe("bindings over JetStream", () => {
  let nats: { url: string; stop(): Promise<void> };
  let dir: string;
  const gateways: Bindings[] = [];
  const buses: JetStreamEventBus[] = [];
  const outcomes: BindingOutcome[] = [];
  let store: LocalWorkflowStore;
  let name: string;

  beforeAll(async () => {
    nats = await natsUrlForTests();
    dir = await mkdtemp(join(tmpdir(), "bindings-js-"));
    store = new LocalWorkflowStore(join(dir, "wf"));
    name = `bindings${Date.now()}`;
    for (let i = 0; i < 2; i++) {
      const bus = await JetStreamEventBus.connect({ name, servers: [nats.url], connectTimeoutMs: 5000 });
      buses.push(bus);
      gateways.push(
        await startBindings({
          specs: SPECS,
          bus,
          workflows: store,
          logger: silentLogger(),
          port: 0,
          host: "127.0.0.1",
          authenticator: { authenticate: async () => ({ username: "system:serviceaccount:argo:ci" }) },
          onOutcome: (o) => outcomes.push(o),
        }),
      );
    }
  }, 60_000);

  afterAll(async () => {
    for (const g of gateways) await g.close();
    for (const b of buses) await b.close();
    await nats?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("60 posts spread over two processes: each binding fires once per post", async () => {
    const N = 60;
    const statuses = await Promise.all(
      Array.from({ length: N }, (_, n) =>
        fetch(`${gateways[n % 2]?.url}/api/v1/events/argo/`, {
          method: "POST",
          headers: { Authorization: "Bearer x" },
          body: JSON.stringify({ n }),
        }).then((r) => r.status),
      ),
    );
    expect(statuses.every((s) => s === 200)).toBe(true);
    const fired = () => outcomes.filter((o) => o.result === "submitted");
    await waitFor(() => (fired().length >= N + N / 2 ? true : undefined), 30_000);
    // Nothing pending or un-acked on the bus: a second firing could no longer come.
    await waitForJetStreamQuiet(nats.url, { streams: [name] });
    expect(fired()).toHaveLength(N + N / 2);
    const wfs = await store.list("argoproj.io/v1alpha1", "Workflow", "argo");
    const keys = wfs.map((w) => {
      const b = w.metadata.labels?.["workflows.argoproj.io/workflow-event-binding"];
      return `${b}/${(w.spec as { arguments: { parameters: { value: string }[] } }).arguments.parameters[0]?.value}`;
    });
    expect(new Set(keys).size).toBe(N + N / 2);
    expect(keys).toHaveLength(N + N / 2);
  }, 60_000);
});

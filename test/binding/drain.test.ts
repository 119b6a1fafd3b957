// The events endpoint while the process drains: new posts refused, the one in flight answered.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { MemoryEventBus } from "../../src/eventbus/memory.js";
import type { CloudEvent } from "../../src/eventbus/cloudevent.js";
import { startBindings } from "../../src/binding/index.js";
import { submitting, template } from "../support/binding-fixtures.js";
import { silentLogger } from "../../src/logger.js";
import { LocalWorkflowStore } from "../../src/workflows/local.js";
import { waitFor } from "../support/wait.js";

const TOKEN = "t0ken-for-argo-namespace";

/** The in-process bus, its publishes held until released. */
class HeldBus extends MemoryEventBus {
  readonly held: (() => void)[] = [];
  override publish(subject: string, event: CloudEvent): Promise<void> {
    return new Promise((resolve, reject) => {
      this.held.push(() => super.publish(subject, event).then(resolve, reject));
    });
  }
}

it("answers 503 with Retry-After to new posts while the post in flight still gets its 200", async () => {
  const dir = await mkdtemp(join(tmpdir(), "binding-drain-"));
  const tokens = join(dir, "tokens.yaml");
  await writeFile(tokens, `${TOKEN}: {serviceAccount: ci, namespace: argo}\n`);
  const bus = new HeldBus();
  const bindings = await startBindings({
    specs: { bindings: [submitting("any-ci", 'discriminator == "ci"', "ci-build", { repo: "payload.repo" })], workflowTemplates: [template("ci-build")] },
    bus,
    workflows: new LocalWorkflowStore(join(dir, "workflows")),
    logger: silentLogger(),
    mode: "durable",
    port: 0,
    host: "127.0.0.1",
    tokensFile: tokens,
  });
  const post = () =>
    fetch(`${bindings.url}/api/v1/events/argo/ci`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${TOKEN}` },
      body: '{"repo":"a/b"}',
    });
  try {
    const first = post();
    await waitFor(() => (bus.held.length === 1 ? true : undefined), 5000, "the held publish");
    bindings.drain();
    expect(bindings.inFlight()).toBe(1);

    const refused = await post();
    expect(refused.status).toBe(503);
    expect(refused.headers.get("retry-after")).toBe("5");
    expect(refused.headers.get("connection")).toBe("close");
    expect(await refused.json()).toMatchObject({ code: 14 });
    expect(bus.held).toHaveLength(1);

    let finished = false;
    const finishing = bindings.finish().then(() => (finished = true));
    // A round trip through the same endpoint (refused) lets a finish() that did not wait resolve.
    expect((await post()).status).toBe(503);
    expect(finished).toBe(false);
    bus.held[0]!();
    expect((await first).status).toBe(200);
    await finishing;
    // Finished but not closed: the port still answers, refusing.
    expect((await post()).status).toBe(503);
  } finally {
    await bindings.close();
    await rm(dir, { recursive: true, force: true });
  }
});

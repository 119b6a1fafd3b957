// Two replicas, one hook manager: the lease in a real JetStream KV bucket; and the GitHub
// secret fingerprints kept there, so a restarted manager writes nothing.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { JetStreamEventBus } from "../../src/eventbus/jetstream.js";
import { KvLease } from "../../src/hooks/lease.js";
import { HookManager, KvFingerprints, type HookSyncOutcome } from "../../src/hooks/index.js";
import { MapSecretStore } from "../../src/config/secrets.js";
import { silentLogger } from "../../src/logger.js";
import type { EventSource } from "../../src/api/types.js";
import { startGithubApi } from "../support/github-api/index.js";
import { natsUrlForTests } from "../support/nats-server.js";

let nats: { url: string; stop(): Promise<void> };
const buses: JetStreamEventBus[] = [];
beforeAll(async () => {
  nats = await natsUrlForTests();
});
afterAll(async () => {
  for (const b of buses) await b.close();
  await nats.stop();
});

async function bucket(name: string) {
  const bus = await JetStreamEventBus.connect({ name, servers: [nats.url], connectTimeoutMs: 5000 });
  buses.push(bus);
  return bus.openKv(`lease-${name}`);
}

describe("KvLease", () => {
  it("one holder at a time; the other takes over once the lease lapses or is released", async () => {
    const name = `l${Date.now()}`;
    let now = 1_000_000;
    const a = new KvLease(await bucket(name), 30_000, () => now);
    const b = new KvLease(await bucket(name), 30_000, () => now);
    expect(await a.acquire()).toBe(true);
    expect(await b.acquire()).toBe(false);
    now += 20_000;
    expect(await a.acquire(), "the holder renews").toBe(true);
    now += 20_000;
    expect(await b.acquire(), "renewed 20 s ago: still held").toBe(false);
    now += 31_000;
    expect(await b.acquire(), "lapsed: taken over").toBe(true);
    expect(await a.acquire(), "the old holder has lost it").toBe(false);
    await b.release();
    expect(await a.acquire(), "released: taken at once").toBe(true);
  });

  it("two replicas racing for a free lease: exactly one wins", async () => {
    const name = `r${Date.now()}`;
    const leases = await Promise.all([1, 2, 3, 4].map(async () => new KvLease(await bucket(name), 30_000)));
    const won = await Promise.all(leases.map((l) => l.acquire()));
    expect(won.filter(Boolean)).toHaveLength(1);
  });

  it("a restarted manager finds the GitHub secret it set in KV and leaves the hook alone", async () => {
    const api = await startGithubApi({ tokens: ["ghp_ok"] });
    try {
      const name = `f${Date.now()}`;
      const es = {
        apiVersion: "argoproj.io/v1alpha1",
        kind: "EventSource",
        metadata: { name: "gh", namespace: "ci" },
        spec: {
          github: {
            push: {
              githubBaseURL: api.url,
              apiToken: { name: "gh", key: "token" },
              webhookSecret: { name: "gh", key: "hook" },
              repositories: [{ owner: "octo-org", names: ["hello-world"] }],
              webhook: { endpoint: "/push", port: "12000", url: "https://hooks.example.com" },
            },
          },
        },
      } as unknown as EventSource;
      const secrets = new MapSecretStore({ gh: { token: "ghp_ok", hook: "s3cret" } });
      const run = async (): Promise<HookSyncOutcome[]> => {
        const outcomes: HookSyncOutcome[] = [];
        const manager = new HookManager({
          eventSources: () => [es],
          secrets,
          logger: silentLogger(),
          secretFingerprints: new KvFingerprints(await bucket(name)),
          onSync: (o) => outcomes.push(o),
        });
        await manager.check();
        await manager.stop({ removeHooks: false });
        return outcomes;
      };
      expect((await run()).map((o) => o.action)).toEqual(["created"]);
      const writes = () => api.requests.filter((r) => r.method !== "GET").length;
      const before = writes();
      expect((await run()).map((o) => o.action), "restarted: unchanged").toEqual(["unchanged"]);
      expect(writes()).toBe(before);
      api.assertNoViolations();
    } finally {
      await api.close();
    }
  });
});

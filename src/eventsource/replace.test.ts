import { describe, expect, it } from "vitest";
import { silentLogger } from "../logger.js";
import { MapSecretStore } from "../config/secrets.js";
import { startReceivers } from "./server.js";
import { eventSource, RecordingBus } from "../../test/support/receiver-harness.js";

const hook = (endpoint: string, port = "12000") => ({ endpoint, port, method: "POST" });

async function start() {
  const bus = new RecordingBus();
  const server = await startReceivers({
    eventSources: [eventSource("a", { webhook: { one: hook("/a") } }), eventSource("b", { webhook: { one: hook("/b") } })],
    bus,
    secrets: new MapSecretStore({}),
    logger: silentLogger(),
    host: "127.0.0.1",
    portOverride: () => 0,
  });
  return { server, bus };
}

const post = (url: string) => fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" }).then((r) => r.status);

describe("ReceiverServer.replace", () => {
  it("keeps unchanged EventSources' receivers and ports, swaps changed ones, closes a port no route uses", async () => {
    const { server } = await start();
    try {
      const base = server.addresses()[0].url;
      const keptB = server.receivers.find((r) => r.eventSourceName === "b");
      const failures = await server.replace([
        eventSource("a", { webhook: { one: hook("/a2"), two: hook("/x", "12001") } }),
        eventSource("b", { webhook: { one: hook("/b") } }),
      ]);
      expect(failures).toEqual([]);
      expect(server.receivers.find((r) => r.eventSourceName === "b")).toBe(keptB);
      expect(server.addresses().find((a) => a.port === "12000")?.url).toBe(base);
      expect(await post(`${base}/a`)).toBe(404);
      expect(await post(`${base}/a2`)).toBe(200);
      expect(await post(`${base}/b`)).toBe(200);
      const other = server.addresses().find((a) => a.port === "12001")!.url;
      expect(await post(`${other}/x`)).toBe(200);

      expect(await server.replace([eventSource("b", { webhook: { one: hook("/b") } })])).toEqual([]);
      expect(server.addresses().map((a) => a.port)).toEqual(["12000"]);
      expect(await post(`${base}/a2`)).toBe(404);
      await expect(post(`${other}/x`)).rejects.toThrow();
    } finally {
      await server.close();
    }
  });

  it("reports an EventSource whose route clashes or that fails to build, and keeps its previous receivers", async () => {
    const { server } = await start();
    try {
      const base = server.addresses()[0].url;
      const failures = await server.replace([
        eventSource("a", { webhook: { one: hook("/b") } }),
        eventSource("b", { webhook: { one: hook("/b") } }),
      ]);
      // The unchanged "b" keeps /b; the changed "a" is refused and keeps its previous route.
      expect(failures.map((f) => [f.eventSource.metadata.name, f.error.message])).toEqual([["a", expect.stringMatching(/already served by b\/one/)]]);
      expect(server.endpoints().map((e) => `${e.eventSource} ${new URL(e.url).pathname}`).sort()).toEqual(["a /a", "b /b"]);
      expect(await post(`${base}/a`)).toBe(200);

      const bad = await server.replace([eventSource("b", { webhook: { one: { endpoint: "/b", port: "not-a-port" } } })]);
      expect(bad.map((f) => f.eventSource.metadata.name)).toEqual(["b"]);
      expect(await post(`${base}/b`)).toBe(200);
      expect(await post(`${base}/a`)).toBe(404);
    } finally {
      await server.close();
    }
  });
});

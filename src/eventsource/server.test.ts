import { describe, expect, it } from "vitest";
import { NotSupportedError, SpecError } from "../errors.js";
import { silentLogger } from "../logger.js";
import { MapSecretStore } from "../config/secrets.js";
import { startReceivers } from "./server.js";
import { eventSource, RecordingBus, send, startHarness } from "../../test/support/receiver-harness.js";

const start = (sources: Parameters<typeof startReceivers>[0]["eventSources"]) =>
  startReceivers({
    eventSources: sources,
    bus: new RecordingBus(),
    secrets: new MapSecretStore({}),
    logger: silentLogger(),
    host: "127.0.0.1",
    portOverride: () => 0,
  });

describe("startReceivers", () => {
  it("serves each configured port on its own server and lists endpoints and addresses", async () => {
    const h = await startHarness([
      eventSource("a", {
        webhook: {
          one: { endpoint: "/one", port: "12000", method: "POST" },
          two: { endpoint: "two", port: "12000", method: "POST" },
          three: { endpoint: "/one", port: "12001", method: "POST" },
        },
      }),
    ]);
    try {
      const addresses = h.server.addresses();
      expect(addresses.map((a) => a.port).sort()).toEqual(["12000", "12001"]);
      for (const a of addresses) expect(a.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(new Set(addresses.map((a) => a.url)).size).toBe(2);
      const urls = h.server.endpoints().map((e) => [e.eventName, e.type, e.url] as const);
      const base = (port: string) => addresses.find((a) => a.port === port)!.url;
      expect(urls).toEqual([
        ["one", "webhook", `${base("12000")}/one`],
        ["two", "webhook", `${base("12000")}/two`],
        ["three", "webhook", `${base("12001")}/one`],
      ]);
      expect((await send(h.url("a/two"), { body: "{}" })).status).toBe(200);
      expect((await send(h.url("a/three"), { body: "{}" })).status).toBe(200);
      expect(h.bus.published.map((p) => p.subject)).toEqual(["default.argo-events.a.two", "default.argo-events.a.three"]);
      expect((await send(`${base("12001")}/health`, { method: "GET" })).body).toBe("OK");
    } finally {
      await h.close();
    }
  });

  it("an endpoint that needs percent-encoding is reached by its encoded path, as Go's server decodes it", async () => {
    const h = await startHarness([eventSource("enc", { webhook: { spaced: { endpoint: "/x y", port: "1", method: "POST" } } })]);
    try {
      const url = h.server.addresses()[0]?.url as string;
      expect((await send(`${url}/x%20y`, { body: "{}" })).status).toBe(200);
      expect((await send(`${url}/x%2`, { body: "{}" })).status).toBe(404);
      expect(h.bus.published.map((p) => p.event.subject)).toEqual(["spaced"]);
    } finally {
      await h.close();
    }
  });

  it("routes one path to different generic webhooks by method", async () => {
    const h = await startHarness([
      eventSource("m", {
        webhook: {
          get: { endpoint: "/x", port: "1", method: "GET" },
          post: { endpoint: "/x", port: "1", method: "POST" },
        },
      }),
    ]);
    try {
      await send(h.url("m/get"), { method: "GET" });
      await send(h.url("m/post"), { body: "{}" });
      expect(h.bus.published.map((p) => p.event.subject)).toEqual(["get", "post"]);
      expect((await send(h.url("m/get"), { method: "DELETE" })).status).toBe(405);
    } finally {
      await h.close();
    }
  });

  it("refuses two receivers on the same port, path and method", async () => {
    const sources = [
      eventSource("a", { github: { x: { webhook: { endpoint: "/push", port: "1", method: "POST" } } } }),
      eventSource("b", { webhook: { y: { endpoint: "/push", port: "1", method: "POST" } } }),
    ];
    await expect(start(sources)).rejects.toBeInstanceOf(SpecError);
    await expect(start(sources)).rejects.toThrow(/already served by a\/x/);
  });

  it.each([
    ["no webhook on a git source", { github: { x: {} } }, SpecError],
    ["a non-numeric port", { webhook: { x: { endpoint: "/x", port: "http" } } }, SpecError],
    ["a zero maxPayloadSize", { webhook: { x: { endpoint: "/x", port: "1", maxPayloadSize: 0 } } }, SpecError],
    [
      "TLS in the receiver",
      { webhook: { x: { endpoint: "/x", port: "1", serverCertSecret: { name: "c", key: "k" } } } },
      NotSupportedError,
    ],
  ])("refuses %s", async (_n, spec, errorClass) => {
    await expect(start([eventSource("bad", spec)])).rejects.toBeInstanceOf(errorClass);
  });

  it("applies the EventSource filter (expr-lang) to the payload", async () => {
    const h = await startHarness([
      eventSource("f", {
        webhook: {
          main: {
            endpoint: "/f",
            port: "1",
            method: "POST",
            filter: { expression: 'body.branch == "main" && header["X-Kind"][0] == "ci" && "env" in metadata' },
            metadata: { env: "prod" },
          },
        },
      }),
    ]);
    try {
      const post = (branch: string) =>
        send(h.url("f/main"), { headers: { "X-Kind": "ci" }, body: JSON.stringify({ branch }) });
      expect((await post("main")).status).toBe(200);
      expect((await post("dev")).status).toBe(200);
      expect(h.bus.published).toHaveLength(1);
      expect(h.outcomes.map((o) => o.reason)).toEqual(["published", "filtered"]);
    } finally {
      await h.close();
    }
  });

  it("refuses a filter expression that does not compile, naming where it is", async () => {
    const spec = { webhook: { x: { endpoint: "/x", port: "1", filter: { expression: "body.a ==" } } } };
    await expect(start([eventSource("f", spec)])).rejects.toBeInstanceOf(SpecError);
    await expect(start([eventSource("f", spec)])).rejects.toThrow(/spec\.webhook\.x filter\.expression/);
  });
});

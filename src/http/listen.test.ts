import { connect } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { silentLogger } from "../logger.js";
import { MapSecretStore } from "../config/secrets.js";
import { WEBHOOK_HEADERS_TIMEOUT_MS, WEBHOOK_MAX_CONNECTIONS, WEBHOOK_REQUEST_TIMEOUT_MS } from "./listen.js";
import { startReceivers, type ReceiverServer } from "../eventsource/server.js";
import { eventSource, RecordingBus } from "../../test/support/receiver-harness.js";

describe("webhook ports", () => {
  let server: ReceiverServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it("webhook ports bound headers, requests and connections", async () => {
    server = await startReceivers({
      eventSources: [eventSource("es", { webhook: { ev: { endpoint: "/ev", port: "12000", method: "POST" } } })],
      bus: new RecordingBus(),
      secrets: new MapSecretStore({}),
      logger: silentLogger(),
      host: "127.0.0.1",
      portOverride: () => 0,
    });
    expect(WEBHOOK_HEADERS_TIMEOUT_MS).toBeLessThanOrEqual(10_000);
    expect(WEBHOOK_REQUEST_TIMEOUT_MS).toBeLessThanOrEqual(30_000);
    expect(WEBHOOK_MAX_CONNECTIONS).toBeGreaterThan(0);
    // A client that never finishes its headers is cut after the header deadline, not left for minutes.
    const url = new URL(server.endpoints()[0]!.url);
    const socket = connect(Number(url.port), url.hostname);
    socket.write("POST /ev HTTP/1.1\r\nHost: x\r\n");
    // Flowing, so the server's 408 and close are read.
    socket.resume();
    const started = Date.now();
    await new Promise<void>((resolve) => socket.on("close", () => resolve()).on("error", () => undefined));
    expect(Date.now() - started).toBeLessThan(WEBHOOK_HEADERS_TIMEOUT_MS + 3_000);
  }, 20_000);
});

import { connect, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { silentLogger } from "../logger.js";
import { MapSecretStore } from "../config/secrets.js";
import { BodyBudget } from "./body-budget.js";
import { startReceivers, type ReceiverServer } from "../eventsource/server.js";
import { eventSource, RecordingBus, send } from "../../test/support/receiver-harness.js";
import { statusBeforeBody } from "../../test/support/raw-http.js";

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Starts a request of `total` body bytes and sends `sent` of them; resolves with the socket and what it reads. */
function partial(url: URL, total: number, sent: number): { socket: Socket; answer: Promise<string> } {
  const socket = connect(Number(url.port), url.hostname);
  socket.write(`POST ${url.pathname} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${total}\r\n\r\n`);
  socket.write(`"${"a".repeat(sent - 1)}`);
  let text = "";
  const answer = new Promise<string>((resolve) => {
    socket.on("data", (c: Buffer) => {
      text += c.toString();
      if (text.includes("\r\n\r\n")) resolve(text);
    });
    socket.on("close", () => resolve(text));
    socket.on("error", () => resolve(text));
  });
  return { socket, answer };
}

describe("a budget for unverified bodies", () => {
  let server: ReceiverServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it("past the budget a request gets 503 with Retry-After, the others complete, and the budget is given back", async () => {
    const budget = new BodyBudget(100_000);
    const bus = new RecordingBus();
    server = await startReceivers({
      eventSources: [eventSource("es", { webhook: { ev: { endpoint: "/ev", port: "12000", method: "POST" } } })],
      bus,
      secrets: new MapSecretStore({}),
      logger: silentLogger(),
      host: "127.0.0.1",
      portOverride: () => 0,
      bodyBudget: budget,
    });
    const url = new URL(server.endpoints()[0]!.url);
    const a = partial(url, 45_001, 45_000);
    const b = partial(url, 45_001, 45_000);
    await sleep(200);
    expect(budget.inUse).toBe(90_000);
    const c = partial(url, 45_001, 45_000);
    const refused = await c.answer;
    expect(refused).toMatch(/^HTTP\/1\.1 503/);
    expect(refused).toMatch(/retry-after: 1/i);
    // Another small delivery still fits meanwhile.
    expect((await send(url.href, { headers: { "Content-Type": "application/json" }, body: "{}" })).status).toBe(200);
    for (const p of [a, b]) p.socket.end('"');
    for (const p of [a, b]) expect(await p.answer).toMatch(/^HTTP\/1\.1 200/);
    for (const p of [a, b, c]) p.socket.destroy();
    await sleep(100);
    expect(bus.published).toHaveLength(3);
    expect(budget.inUse).toBe(0);
  });

  it("a token that is wrong or missing is refused before the body is read, so it holds no budget", async () => {
    const budget = new BodyBudget(100_000);
    const outcomes: string[] = [];
    server = await startReceivers({
      eventSources: [eventSource("gl", { gitlab: { push: { webhook: { endpoint: "/gl", port: "12000", method: "POST" }, projects: ["1"], events: ["PushEvents"], secretToken: { name: "gl", key: "token" } } } })],
      bus: new RecordingBus(),
      secrets: new MapSecretStore({ gl: { token: "right" } }),
      logger: silentLogger(),
      host: "127.0.0.1",
      portOverride: () => 0,
      bodyBudget: budget,
      onOutcome: (o) => outcomes.push(`${o.status} ${o.reason}`),
    });
    const url = new URL(server.endpoints()[0]!.url);
    for (const [token, status] of [["wrong", 403], [undefined, 401]] as const) {
      // Declares 90 KB and sends none of it: the answer must not wait for the body.
      const head = `POST ${url.pathname} HTTP/1.1\r\nHost: x\r\nX-Gitlab-Event: Push Hook\r\n${token ? `X-Gitlab-Token: ${token}\r\n` : ""}Content-Length: 90000\r\n\r\n`;
      expect(await statusBeforeBody(url, head)).toMatch(new RegExp(`^HTTP/1\\.1 ${status}`));
      expect(budget.inUse).toBe(0);
    }
    expect(outcomes).toEqual(["403 forbidden", "401 unauthorized"]);
  });

  it.each([
    ["github", { github: { e: { webhook: { endpoint: "/h", port: "12000", method: "POST" }, events: ["push"], webhookSecret: { name: "s", key: "k" } } } }, "X-GitHub-Event: push\r\n"],
    ["bitbucketserver", { bitbucketserver: { e: { webhook: { endpoint: "/h", port: "12000", method: "POST" }, events: ["repo:refs_changed"], webhookSecret: { name: "s", key: "k" } } } }, "X-Event-Key: repo:refs_changed\r\n"],
    ["bitbucket", { bitbucket: { e: { webhook: { endpoint: "/h", port: "12000", method: "POST", authSecret: { name: "s", key: "k" } }, events: ["repo:push"] } } }, "X-Event-Key: repo:push\r\n"],
  ] as const)("%s: a delivery without its signature or token is refused (401) before the body", async (_type, spec, head) => {
    const budget = new BodyBudget(100_000);
    const bus = new RecordingBus();
    server = await startReceivers({
      eventSources: [eventSource("es", spec as never)],
      bus,
      secrets: new MapSecretStore({ s: { k: "secret" } }),
      logger: silentLogger(),
      host: "127.0.0.1",
      portOverride: () => 0,
      bodyBudget: budget,
    });
    const url = new URL(server.endpoints()[0]!.url);
    const request = `POST ${url.pathname} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n${head}Content-Length: 90000\r\n\r\n`;
    expect(await statusBeforeBody(url, request)).toMatch(/^HTTP\/1\.1 401/);
    expect(budget.inUse).toBe(0);
    expect(bus.published).toEqual([]);
  });
});

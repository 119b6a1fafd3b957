// One cap on unverified body bytes per process: a sender holding bodies on a webhook
// port leaves the events endpoint less to hold, and the other way round. Refusals on
// the events endpoint are counted by status code.
import { connect, type Socket } from "node:net";
import { cp, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serveCommand } from "../../src/gateway/serve.js";
import type { Gateway } from "../../src/gateway/gateway.js";
import { captureLogger } from "../kube/support.js";
import { Observer } from "../../src/observe/index.js";
import { packageRoot } from "../../src/paths.js";
import { parseExposition, valueOf } from "../observe/support.js";
import { statusBeforeBody } from "../support/raw-http.js";
import { waitFor } from "../support/wait.js";

const KiB = 1024;
let gateway: Gateway;
let observer: Observer;
let dir: string;
let eventsUrl: URL;
const sockets: Socket[] = [];

/** Sends the head and `sent` bytes of a `declared`-byte body, then holds the connection open. */
async function holdBody(url: URL, path: string, headers: string, declared: number, sent: number): Promise<Socket> {
  const socket = connect(Number(url.port), url.hostname);
  sockets.push(socket);
  socket.on("error", () => undefined);
  socket.resume();
  socket.write(`POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${declared}\r\n${headers}\r\n`);
  await new Promise<void>((resolve) => socket.write(Buffer.alloc(sent, 0x20), () => resolve()));
  return socket;
}

async function eventsCount(code: string): Promise<number> {
  return valueOf(parseExposition((await observer.metrics.exposition()).body), "trigger_gateway_events_requests_total", { code }) ?? 0;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "tg-budget-"));
  // The quickstart's GitHub secret, and a webhook client in namespace argo (whose signature
  // the events endpoint can only check after reading the body).
  const secrets = join(dir, "secrets");
  await cp(join(packageRoot(), "fixtures/quickstart/secrets"), secrets, { recursive: true });
  await mkdir(join(secrets, "argo-workflows-webhook-clients", "argo"), { recursive: true });
  await writeFile(join(secrets, "argo-workflows-webhook-clients", "argo", "github"), "type: github\nsecret: client-secret\n");
  observer = new Observer({ defaultMetrics: false });
  const log = captureLogger();
  ({ gateway } = await serveCommand({
    config: [join(packageRoot(), "fixtures/quickstart")],
    secretsDir: secrets,
    localStore: join(dir, "workflows"),
    host: "127.0.0.1",
    ports: ["12000=0"],
    events: { port: 0 },
    bodyBudgetBytes: 1024 * KiB,
    observer,
    logger: log.logger,
  }));
  eventsUrl = new URL(String(log.lines.find((l) => l.msg === "events endpoint listening")?.url));
});

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await gateway?.close();
  await rm(dir, { recursive: true, force: true });
});

describe("the body budget is one per process", () => {
  it("bodies held on a webhook port make the events endpoint answer 503, counted; released, it reads again", async () => {
    const push = new URL(gateway.endpoints().find((e) => e.eventSource === "github")!.url);
    // An unverified GitHub delivery (signature header present, so the body must be read) holding 900 KiB.
    const held = await holdBody(push, push.pathname, "X-GitHub-Event: push\r\nX-Hub-Signature-256: sha256=00\r\n", 1000 * KiB, 900 * KiB);
    await new Promise((r) => setTimeout(r, 200));

    const webhookClient = (body: string) =>
      fetch(new URL("/api/v1/events/argo/x", eventsUrl), {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-Hub-Signature-256": "sha256=00" },
        body,
      });
    const busy = await webhookClient(" ".repeat(300 * KiB));
    expect(busy.status).toBe(503);
    expect(busy.headers.get("retry-after")).toBe("1");
    expect(await eventsCount("503")).toBe(1);

    held.destroy();
    // The held bytes come back when that request closes; then the same request is read and judged on its signature.
    const judged = await waitFor(async () => {
      const r = await webhookClient(" ".repeat(300 * KiB));
      return r.status === 503 ? undefined : r.status;
    }, 5_000, "the budget given back");
    expect(judged).toBe(403);
    expect(await eventsCount("403")).toBeGreaterThanOrEqual(1);
  });

  it("counts refusals before the body (no credentials at all)", async () => {
    const before = await eventsCount("401");
    const r = await fetch(new URL("/api/v1/events/argo/x", eventsUrl), { method: "POST", body: "{}" });
    expect(r.status).toBe(401);
    await waitFor(async () => ((await eventsCount("401")) === before + 1 ? true : undefined), 2_000, "the 401 counted");
  });

  it("a signature header for a namespace without webhook clients is refused before the body", async () => {
    // Declares 1 MB and sends none of it: the answer must not wait for the body.
    const head = "POST /api/v1/events/other/x HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nX-Hub-Signature-256: sha256=00\r\nContent-Length: 1000000\r\n\r\n";
    expect(await statusBeforeBody(eventsUrl, head)).toMatch(/^HTTP\/1\.1 403/);
  });
});

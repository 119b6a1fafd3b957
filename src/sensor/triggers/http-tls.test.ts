import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { silentLogger } from "../../logger.js";
import { MapSecretStore } from "../../config/secrets.js";
import { LocalWorkflowStore } from "../../workflows/local.js";
import { skipWithout } from "../../../test/support/required-tool.js";
import { Where } from "../where.js";
import { HttpRequestError } from "./http-request.js";
import { compileTriggerAction } from "./registry.js";
import { newTriggerMemory } from "./memory.js";
import type { Firing, TriggerRuntime } from "./types.js";

function hasOpenssl(): boolean {
  try {
    execFileSync("openssl", ["version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

const firing: Firing = { sensorNamespace: "argo", sensorName: "s", triggerName: "t", events: {}, now: new Date() };

describe.skipIf(skipWithout("openssl", hasOpenssl()))("http trigger over TLS", () => {
  let dir: string;
  let server: Server;
  let url: string;
  let cert: string;
  let runtime: TriggerRuntime;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "tg-tls-"));
    execFileSync("openssl", [
      "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
      "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem"),
    ], { stdio: "ignore" });
    cert = readFileSync(join(dir, "cert.pem"), "utf8");
    server = createServer({ key: readFileSync(join(dir, "key.pem")), cert }, (_req, res) => res.writeHead(200).end());
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    runtime = { workflows: new LocalWorkflowStore(dir), secrets: new MapSecretStore({ tls: { ca: cert } }), logger: silentLogger(), memory: newTriggerMemory() };
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    rmSync(dir, { recursive: true, force: true });
  });

  async function fire(tls?: Record<string, unknown>) {
    const action = compileTriggerAction({ name: "t", http: { url, method: "GET", ...(tls ? { tls } : {}) } }, new Where("argo", "s"), "t");
    return action.execute(action.plan(firing), runtime);
  }

  it.each([
    ["an unknown CA fails", undefined, false],
    ["caCertSecret trusts it", { caCertSecret: { name: "tls", key: "ca" } }, true],
    ["insecureSkipVerify skips the check", { insecureSkipVerify: true }, true],
  ])("%s", async (_n, tls, ok) => {
    if (ok) await expect(fire(tls)).resolves.toEqual({ httpStatus: 200 });
    else await expect(fire(tls)).rejects.toBeInstanceOf(HttpRequestError);
  });
});

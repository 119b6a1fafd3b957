import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Observer, startAdminServer, type AdminServer } from "../../src/observe/index.js";
import { hostAllowed } from "../../src/observe/admin-server.js";
import { silentLogger } from "../../src/logger.js";

/** GET with exactly this Host header (fetch would not send it). */
function get(port: number, path: string, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, headers: { Host: host }, agent: false }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("the admin port answers only Host names a rebinding page cannot own", () => {
  let admin: AdminServer;
  beforeAll(async () => {
    admin = await startAdminServer({ observer: new Observer({ logger: silentLogger(), version: "test" }), port: 0, host: "127.0.0.1", allowedHosts: ["gateway.argo-events.svc"] });
  });
  afterAll(() => admin.close());

  it.each([
    ["localhost:7777", 200],
    ["127.0.0.1:7777", 200],
    ["10.1.2.3", 200],
    ["[::1]:7777", 200],
    ["gateway.argo-events.svc:7777", 200],
    ["GATEWAY.argo-events.svc.", 200],
    ["evil.example.com:7777", 421],
    ["localhost.evil.example.com", 421],
    ["127.0.0.1.nip.io", 421],
  ])("/api/events with Host %s -> %i", async (host, status) => {
    expect(await get(admin.port, "/api/events", host)).toBe(status);
    expect(await get(admin.port, "/", host)).toBe(status);
  });

  it("probes and scrapes answer whatever the Host", async () => {
    for (const path of ["/healthz", "/metrics"]) expect(await get(admin.port, path, "evil.example.com")).toBe(200);
  });

  it("no Host at all is refused for the page", () => {
    expect(hostAllowed(undefined)).toBe(false);
    expect(hostAllowed("")).toBe(false);
  });
});

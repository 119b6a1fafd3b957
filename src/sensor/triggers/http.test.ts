import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Trigger, TriggerTemplate } from "../../api/types.js";
import { SpecError, TriggerError } from "../../errors.js";
import { silentLogger } from "../../logger.js";
import { MapSecretStore } from "../../config/secrets.js";
import { LocalWorkflowStore } from "../../workflows/local.js";
import type { SensorEvent } from "../event.js";
import { Where } from "../where.js";
import { HttpRequestError } from "./http-request.js";
import { compileTriggerAction } from "./registry.js";
import { newTriggerMemory } from "./memory.js";
import type { Firing, TriggerResult, TriggerRuntime } from "./types.js";

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: string;
}

const where = new Where("argo", "s");
const event: SensorEvent = {
  context: { id: "e1", source: "es", subject: "hook", specversion: "1.0", type: "webhook", datacontenttype: "application/json", time: "2024-05-01T10:00:00Z" },
  data: { body: { repo: "r1", count: 3, obj: { a: 1 } } },
};
const firing: Firing = { sensorNamespace: "argo", sensorName: "s", triggerName: "t", events: { dep: event }, now: new Date() };

describe("http trigger", () => {
  let server: Server;
  let base: string;
  let seen: Seen[] = [];
  let status = 200;
  let delayMs = 0;
  let dir: string;
  let runtime: TriggerRuntime;

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        seen.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks).toString() });
        setTimeout(() => res.writeHead(status).end("ok"), delayMs);
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });
  beforeEach(async () => {
    seen = [];
    status = 200;
    delayMs = 0;
    dir = await mkdtemp(join(tmpdir(), "tg-http-"));
    const store = new LocalWorkflowStore({ dir });
    await store.create({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "hdr", namespace: "argo" }, data: { team: "platform" } });
    runtime = { workflows: store, secrets: new MapSecretStore({ creds: { user: "bob", pass: "s3cret", token: "tok" } }), logger: silentLogger(), memory: newTriggerMemory() };
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function fire(http: Record<string, unknown>, trigger: Pick<Trigger, "policy"> = {}): Promise<TriggerResult> {
    const template: TriggerTemplate = { name: "t", http: { url: `${base}/hook`, ...http } };
    const action = compileTriggerAction(template, where, "spec.triggers[0].template", trigger);
    return action.execute(action.plan(firing), runtime);
  }

  it("POSTs the payload built from parameters, with plain, dynamic and secure headers and basic auth", async () => {
    const r = await fire({
      headers: { "X-Plain": "p" },
      dynamicHeaders: [{ src: { dependencyName: "dep", dataKey: "body.repo" }, dest: "X-Repo" }],
      secureHeaders: [
        { name: "X-Token", valueFrom: { secretKeyRef: { name: "creds", key: "token" } } },
        { name: "X-Team", valueFrom: { configMapKeyRef: { name: "hdr", key: "team" } } },
      ],
      basicAuth: { username: { name: "creds", key: "user" }, password: { name: "creds", key: "pass" } },
      payload: [
        { src: { dependencyName: "dep", dataKey: "body.repo" }, dest: "repository.name" },
        { src: { dependencyName: "dep", dataKey: "body.count" }, dest: "count" },
        { src: { dependencyName: "dep", dataKey: "body.obj", useRawData: true }, dest: "raw" },
      ],
    });
    expect(r).toEqual({ httpStatus: 200 });
    expect(seen).toHaveLength(1);
    const s = seen[0];
    expect(s.method).toBe("POST");
    expect(s.url).toBe("/hook");
    expect(JSON.parse(s.body)).toEqual({ repository: { name: "r1" }, count: "3", raw: { a: 1 } });
    expect(s.headers).toMatchObject({
      "x-plain": "p",
      "x-repo": "r1",
      "x-token": "tok",
      "x-team": "platform",
      "content-type": "application/json",
      authorization: `Basic ${Buffer.from("bob:s3cret").toString("base64")}`,
    });
  });

  it("a payload parameter without dest is the whole body; method and url come from trigger parameters", async () => {
    await fire({
      method: "put",
      parameters: [{ src: { dependencyName: "dep", dataKey: "body.repo" }, dest: "url", operation: "append" }],
      payload: [{ src: { dependencyName: "dep", dataKey: "body.obj" }, dest: "" }],
    });
    expect(seen[0]).toMatchObject({ method: "PUT", url: "/hookr1", body: '{"a":1}' });
  });

  it("no payload parameters: an empty body", async () => {
    await fire({ method: "GET" });
    expect(seen[0]).toMatchObject({ method: "GET", body: "" });
  });

  it.each([
    [200, undefined, "ok"],
    [404, undefined, TriggerError],
    [503, undefined, HttpRequestError],
    [404, [200, 404], "ok"],
    [201, [200], TriggerError],
    [500, [200], HttpRequestError],
  ] as const)("status %i with allow %j -> %s", async (code, allow, want) => {
    status = code;
    const p = fire({}, allow ? { policy: { status: { allow: [...allow] } } } : {});
    if (want === "ok") await expect(p).resolves.toEqual({ httpStatus: code });
    else await expect(p).rejects.toBeInstanceOf(want);
  });

  it("times out after `timeout` seconds with a retryable error", async () => {
    delayMs = 1500;
    const started = Date.now();
    await expect(fire({ timeout: 1 })).rejects.toBeInstanceOf(HttpRequestError);
    expect(Date.now() - started).toBeLessThan(1400);
  });

  it("the plan shows method, url, headers and payload without secrets", () => {
    const template: TriggerTemplate = {
      name: "t",
      http: {
        url: `${base}/x`,
        secureHeaders: [{ name: "X-Token", valueFrom: { secretKeyRef: { name: "creds", key: "token" } } }],
        payload: [{ src: { dependencyName: "dep", dataKey: "body.repo" }, dest: "r" }],
      },
    };
    const plan = compileTriggerAction(template, where, "t").plan(firing);
    expect(plan.summary).toEqual({
      method: "POST",
      url: `${base}/x`,
      headers: { "Content-Type": "application/json" },
      payload: { r: "r1" },
      secureHeaders: ["X-Token"],
    });
  });

  it.each([
    [{ url: "" }],
    [{ url: "ftp://x" }],
    [{ url: "http://x", method: "FETCH" }],
    [{ url: "http://x", secureHeaders: [{ name: "a", valueFrom: {} }] }],
  ])("rejects %j at load", (http) => {
    expect(() => compileTriggerAction({ name: "t", http }, where, "t")).toThrow(SpecError);
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SecretNotFoundError } from "../errors.js";
import { MapSecretStore } from "../config/secrets.js";
import { MASKED } from "./payload.js";
import { webhookSource } from "./webhook.js";
import { eventSource, send, startHarness, type Harness } from "../../test/support/receiver-harness.js";

const TOKEN = "bearer-s3cret";
const auth = { Authorization: `Bearer ${TOKEN}` };

describe("generic webhook receiver", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(
      [
        eventSource("webhook", {
          webhook: {
            deploy: {
              endpoint: "/deploy",
              port: "12000",
              method: "POST",
              authSecret: { name: "webhook-auth", key: "token" },
              metadata: { env: "prod" },
            },
            query: { endpoint: "/query", port: "12000", method: "GET" },
            open: { endpoint: "/open", port: "12001", method: "PUT" },
            nomethod: { endpoint: "/nomethod", port: "12001" },
          },
        }),
      ],
      { "webhook-auth": { token: TOKEN } },
    );
  });
  afterAll(() => h.close());

  const last = () => h.bus.published.at(-1)!;

  it("publishes a bearer-authenticated JSON post as {header, body, metadata} with the token masked", async () => {
    const before = h.bus.published.length;
    const body = JSON.stringify({ build: { id: 42, branch: "main" } });
    const res = await send(h.url("webhook/deploy"), {
      headers: { ...auth, "Content-Type": "application/json", "X-Request-Id": "req-1" },
      body,
    });
    expect(res.status).toBe(200);
    expect(h.bus.published.length).toBe(before + 1);
    const { subject, event } = last();
    expect(subject).toBe("default.argo-events.webhook.deploy");
    expect(event).toMatchObject({ source: "webhook", subject: "deploy", type: "webhook", specversion: "1.0" });
    expect(event.data).toEqual({
      header: {
        "Authorization": [MASKED],
        "Connection": ["close"],
        "Content-Length": [String(body.length)],
        "Content-Type": ["application/json"],
        "X-Request-Id": ["req-1"],
      },
      body: { build: { id: 42, branch: "main" } },
      metadata: { env: "prod" },
    });
    expect(JSON.stringify(event)).not.toContain(TOKEN);
  });

  it("derives the event id from X-Request-Id / X-Request-UUID", async () => {
    const ids: string[] = [];
    const variants: Record<string, string>[] = [{ "X-Request-Id": "r-9" }, { "X-Request-Id": "r-9" }, { "X-Request-UUID": "r-9" }, {}];
    for (const hdr of variants) {
      expect((await send(h.url("webhook/deploy"), { headers: { ...auth, ...hdr }, body: "{}" })).status).toBe(200);
      ids.push(last().event.id);
    }
    expect(ids[1]).toBe(ids[0]);
    expect(ids[2]).toBe(ids[0]);
    expect(ids[3]).not.toBe(ids[0]);
  });

  const MISSING = "missing Authorization: Bearer <token> header: an auth secret is configured";
  it.each([
    ["no Authorization", {}, 401, MISSING],
    ["a Basic scheme", { Authorization: `Basic ${TOKEN}` }, 401, MISSING],
    ["a wrong token", { Authorization: "Bearer nope" }, 403, "invalid bearer token"],
    ["a token prefix", { Authorization: `Bearer ${TOKEN.slice(0, 5)}` }, 403, "invalid bearer token"],
  ])("rejects %s, saying why", async (_name, headers, status, message) => {
    const before = h.bus.published.length;
    const res = await send(h.url("webhook/deploy"), { headers, body: "{}" });
    expect(res.status).toBe(status);
    expect(res.body).toBe(message);
    expect(h.bus.published.length).toBe(before);
    expect(h.outcomes.at(-1)?.reason).toBe(status === 401 ? "unauthorized" : "forbidden");
  });

  it("answers 405 with Allow for another method than the configured one", async () => {
    const before = h.bus.published.length;
    const res = await send(h.url("webhook/deploy"), { method: "PUT", headers: auth, body: "{}" });
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe("POST");
    expect(h.bus.published.length).toBe(before);
  });

  it.each([
    ["not JSON", "application/json", "hello", 400, undefined],
    ["no content type and not JSON", undefined, "a=b", 400, undefined],
    ["an empty body", "application/json", "", 200, null],
    ["a body of only white space", "application/json", " \r\n\t ", 200, null],
    ["a JSON string", "text/plain", '"hi"', 200, "hi"],
    ["a form", "application/x-www-form-urlencoded", "a=1&a=2&b=x+y", 200, { a: ["1", "2"], b: ["x y"] }],
  ])("body: %s", async (_name, contentType, body, status, expected) => {
    const headers: Record<string, string> = contentType ? { "Content-Type": contentType } : {};
    const before = h.bus.published.length;
    const res = await send(h.url("webhook/open"), { method: "PUT", headers, body });
    expect(res.status).toBe(status);
    if (status === 200) expect((last().event.data as { body: unknown }).body).toEqual(expected);
    else {
      expect(res.body).toMatch(/^request body is not valid JSON: /);
      expect(h.bus.published.length).toBe(before);
    }
  });

  it("takes POST when the webhook sets no method", async () => {
    const before = h.bus.published.length;
    expect((await send(h.url("webhook/nomethod"), { headers: { "Content-Type": "application/json" }, body: "[1]" })).status).toBe(200);
    expect(h.bus.published.length).toBe(before + 1);
    expect((last().event.data as { body: unknown }).body).toEqual([1]);
    const get = await send(h.url("webhook/nomethod"), { method: "GET" });
    expect(get.status).toBe(405);
    expect(get.headers.allow).toBe("POST");
  });

  it("publishes every one of many concurrent deliveries", async () => {
    const before = h.bus.published.length;
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        send(h.url("webhook/deploy"), { headers: { ...auth, "X-Request-Id": `c-${i}` }, body: JSON.stringify({ i }) }),
      ),
    );
    expect(results.every((r) => r.status === 200)).toBe(true);
    const got = h.bus.published.slice(before);
    expect(new Set(got.map((p) => p.event.id)).size).toBe(100);
    expect(got.map((p) => (p.event.data as { body: { i: number } }).body.i).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 100 }, (_, i) => i),
    );
  });

  it("turns a GET query into {key: [values]} and omits empty metadata", async () => {
    const res = await send(`${h.url("webhook/query")}?a=1&a=2&b=%20x`, { method: "GET" });
    expect(res.status).toBe(200);
    const data = last().event.data as Record<string, unknown>;
    expect(data.body).toEqual({ a: ["1", "2"], b: [" x"] });
    expect(Object.keys(data)).toEqual(["header", "body"]);
  });
});

describe("generic webhook source handler", () => {
  const ctx = { namespace: "argo-events", secrets: new MapSecretStore({}) };

  it("names the authSecret field and the secret when the secret cannot be read (the operator's log shows it)", async () => {
    const source = webhookSource({ endpoint: "/p", port: "1", authSecret: { name: "absent", key: "token" } }, ctx);
    const req = { method: "POST", path: "/p", headers: { Authorization: [`Bearer ${TOKEN}`] }, rawBody: Buffer.from("{}") };
    const err = await source.authenticate(req).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SecretNotFoundError);
    expect((err as Error).message).toMatch(/^authSecret absent\/token unavailable: /);
  });

  it("reads a GET without a query string as an empty form", () => {
    const source = webhookSource({ endpoint: "/p", port: "1", method: "GET" }, ctx);
    const parsed = source.parse({ method: "GET", path: "/p", headers: {}, rawBody: Buffer.alloc(0) });
    expect(parsed.data).toEqual({ header: {}, body: {} });
  });
});

import { createHmac } from "node:crypto";
import { MASKED } from "./payload.js";
import { createRequire } from "node:module";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BusUnavailableError, SecretNotFoundError } from "../errors.js";
import { toJsonText } from "../eventbus/json-text.js";
import { MapSecretStore } from "../config/secrets.js";
import { githubSource, githubSubscribed } from "./github.js";
import { eventSource, send, startHarness, type Harness } from "../../test/support/receiver-harness.js";

// Real payloads published by GitHub, via @octokit/webhooks-examples.
interface WebhookDefinition {
  name: string;
  examples: Record<string, unknown>[];
}
const definitions = createRequire(import.meta.url)("@octokit/webhooks-examples") as WebhookDefinition[];
const example = (name: string, i = 0) => {
  const def = definitions.find((d) => d.name === name);
  if (!def) throw new Error(`no example ${name}`);
  return def.examples[i];
};

const SECRET = "It's a Secret to Everybody";
const push = example("push", 4);
const pushRaw = Buffer.from(JSON.stringify(push));
const hmac = (alg: "sha1" | "sha256", body: Buffer | string, secret = SECRET) =>
  `${alg}=${createHmac(alg, secret).update(body).digest("hex")}`;

function githubHeaders(body: Buffer | string, event = "push", delivery = "72d3162e-cc78-11e3-81ab-4c9367dc0958") {
  return {
    "Content-Type": "application/json",
    "X-GitHub-Event": event,
    "X-GitHub-Delivery": delivery,
    "X-Hub-Signature-256": hmac("sha256", body),
    "User-Agent": "GitHub-Hookshot/044aadd",
  };
}

describe("githubSubscribed", () => {
  it.each([
    [undefined, "push", true],
    [[], "push", true],
    [["*"], "issues", true],
    [["push", "*"], undefined, true],
    [["push"], "push", true],
    [["push"], "issues", false],
    [["push"], undefined, false],
  ])("%j subscribes %s: %s", (events, event, ok) => {
    expect(githubSubscribed(events, event)).toBe(ok);
  });
});

describe("GitHub receiver", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(
      [
        eventSource("github", {
          github: {
            push: {
              webhook: { endpoint: "/push", port: "12000", method: "POST" },
              events: ["push"],
              webhookSecret: { name: "github-webhook", key: "secret" },
              metadata: { team: "platform" },
            },
            small: {
              webhook: { endpoint: "/small", port: "12000", method: "POST", maxPayloadSize: 1024 },
              webhookSecret: { name: "github-webhook", key: "secret" },
            },
            open: { webhook: { endpoint: "/open", port: "12001", method: "POST" } },
            // No method: POST, as in Argo Events.
            nomethod: { webhook: { endpoint: "/nomethod", port: "12001" } },
            nosecret: {
              webhook: { endpoint: "/nosecret", port: "12001", method: "POST" },
              webhookSecret: { name: "absent", key: "secret" },
            },
          },
        }),
      ],
      { "github-webhook": { secret: SECRET } },
    );
  });
  afterAll(() => h.close());

  const published = () => h.bus.published.length;

  it("publishes a signed JSON push as exactly the Argo Events CloudEvent", async () => {
    const before = published();
    const res = await send(h.url("github/push"), { headers: githubHeaders(pushRaw), body: pushRaw });
    expect(res.status).toBe(200);
    expect(res.body).toBe("success");
    expect(published()).toBe(before + 1);
    const { subject, event } = h.bus.published[before];
    expect(subject).toBe("default.argo-events.github.push");
    expect(event).toEqual({
      specversion: "1.0",
      id: expect.stringMatching(/^[0-9a-f]{32}$/),
      source: "github",
      subject: "push",
      type: "github",
      time: expect.any(String),
      datacontenttype: "application/json",
      data: {
        headers: {
          "Connection": ["close"],
          "Content-Length": [String(pushRaw.length)],
          "Content-Type": ["application/json"],
          "User-Agent": ["GitHub-Hookshot/044aadd"],
          "X-Github-Delivery": ["72d3162e-cc78-11e3-81ab-4c9367dc0958"],
          "X-Github-Event": ["push"],
          // Argo Events passes the signature on; we mask it (it lets anyone holding it replay the body).
          "X-Hub-Signature-256": [MASKED],
        },
        body: { ...push, "X-GitHub-Event": "push", "X-GitHub-Delivery": "72d3162e-cc78-11e3-81ab-4c9367dc0958" },
        metadata: { team: "platform" },
      },
    });
    expect(Number.isNaN(Date.parse(event.time))).toBe(false);
    expect(h.outcomes.at(-1)).toMatchObject({
      type: "github",
      eventSourceName: "github",
      eventName: "push",
      namespace: "argo-events",
      status: 200,
      reason: "published",
      eventId: event.id,
    });
  });

  it("accepts a form-encoded delivery (payload=<json>) signed over the raw form body", async () => {
    const form = Buffer.from(new URLSearchParams({ payload: JSON.stringify(push) }).toString());
    const before = published();
    const headers = { ...githubHeaders(form, "push", "form-1"), "Content-Type": "application/x-www-form-urlencoded" };
    const res = await send(h.url("github/push"), { headers, body: form });
    expect(res.status).toBe(200);
    const data = h.bus.published[before].event.data as { body: unknown };
    expect(data.body).toEqual({ ...push, "X-GitHub-Event": "push", "X-GitHub-Delivery": "form-1" });
  });

  it("falls back to the SHA-1 X-Hub-Signature when no SHA-256 one is sent", async () => {
    const headers: Record<string, string> = { ...githubHeaders(pushRaw), "X-Hub-Signature": hmac("sha1", pushRaw) };
    delete headers["X-Hub-Signature-256"];
    const before = published();
    expect((await send(h.url("github/push"), { headers, body: pushRaw })).status).toBe(200);
    expect(published()).toBe(before + 1);
  });

  it.each([
    ["a wrong SHA-256 signature", { "X-Hub-Signature-256": hmac("sha256", pushRaw, "wrong") }, 403],
    ["a signature of another body", { "X-Hub-Signature-256": hmac("sha256", "{}") }, 403],
    ["a malformed signature", { "X-Hub-Signature-256": "sha256=abc" }, 403],
    ["a wrong SHA-1 fallback", { "X-Hub-Signature-256": undefined, "X-Hub-Signature": hmac("sha1", "{}") }, 403],
    ["no signature at all", { "X-Hub-Signature-256": undefined }, 401],
  ])("rejects %s and publishes nothing", async (_name, override, status) => {
    const headers: Record<string, string> = { ...githubHeaders(pushRaw) };
    for (const [k, v] of Object.entries(override)) {
      if (v === undefined) delete headers[k];
      else headers[k] = v;
    }
    const before = published();
    const res = await send(h.url("github/push"), { headers, body: pushRaw });
    expect(res.status).toBe(status);
    expect(res.body).toMatch(/X-Hub-Signature/);
    expect(published()).toBe(before);
    expect(h.outcomes.at(-1)?.reason).toBe(status === 401 ? "unauthorized" : "forbidden");
  });

  it.each([
    ["not JSON", "application/json", '{"ref": "refs/heads/master",', /^GitHub payload is not valid JSON: /],
    ["a JSON array", "application/json", "[1,2]", /^GitHub payload must be a JSON object$/],
    ["JSON null", "application/json", "null", /^GitHub payload must be a JSON object$/],
    ["a JSON number", "application/json", "42", /^GitHub payload must be a JSON object$/],
    ["a JSON string", "application/json", '"push"', /^GitHub payload must be a JSON object$/],
    ["a form whose payload is not JSON", "application/x-www-form-urlencoded", "payload=%7B", /^GitHub payload is not valid JSON: /],
    [
      "an unsupported content type",
      "text/plain",
      "{}",
      /^unsupported Content-Type "text\/plain": expected application\/json or application\/x-www-form-urlencoded$/,
    ],
    ["a form without payload", "application/x-www-form-urlencoded", "other=1", /^form-encoded body has no payload field$/],
  ])("answers 400 for %s, saying why", async (_name, contentType, text, message) => {
    const before = published();
    const headers = { ...githubHeaders(text), "Content-Type": contentType };
    const res = await send(h.url("github/push"), { headers, body: text });
    expect(res.status).toBe(400);
    expect(res.body).toMatch(message);
    expect(published()).toBe(before);
    expect(h.outcomes.at(-1)?.reason).toBe("bad-request");
  });

  it("adds X-GitHub-Event and X-GitHub-Delivery to the body as empty strings when the headers are absent", async () => {
    const before = published();
    const res = await send(h.url("github/open"), { headers: { "Content-Type": "application/json" }, body: '{"zen":"Keep it simple."}' });
    expect(res.status).toBe(200);
    const data = h.bus.published[before].event.data as { body: unknown };
    expect(data.body).toEqual({ zen: "Keep it simple.", "X-GitHub-Event": "", "X-GitHub-Delivery": "" });
  });

  it("puts the delivery's own JSON text on the wire: numbers keep the digits the sender wrote", async () => {
    const text = '{"id": 12345678901234567890, "ratio": 1.50, "nested": {"n": 1e3}}';
    const before = published();
    const res = await send(h.url("github/open"), {
      headers: { "Content-Type": "application/json", "X-GitHub-Event": "ping", "X-GitHub-Delivery": "d-wire" },
      body: text,
    });
    expect(res.status).toBe(200);
    const { event } = h.bus.published[before];
    // toJsonText is what the JetStream bus sends.
    const wire = toJsonText(event) as string;
    expect(wire).toContain('"id": 12345678901234567890, "ratio": 1.50, "nested": {"n": 1e3}');
    expect(JSON.parse(wire)).toEqual(JSON.parse(JSON.stringify(event)));
    expect((JSON.parse(wire) as { data: { body: unknown } }).data.body).toEqual({
      ...(JSON.parse(text) as object),
      "X-GitHub-Event": "ping",
      "X-GitHub-Delivery": "d-wire",
    });
  });

  it("takes POST when the webhook sets no method", async () => {
    const before = published();
    const res = await send(h.url("github/nomethod"), { headers: { "Content-Type": "application/json", "X-GitHub-Event": "ping" }, body: "{}" });
    expect(res.status).toBe(200);
    expect(published()).toBe(before + 1);
    const put = await send(h.url("github/nomethod"), { method: "PUT", headers: { "Content-Type": "application/json" }, body: "{}" });
    expect(put.status).toBe(405);
    expect(put.headers.allow).toBe("POST");
  });

  it("answers 200 without publishing an event that is not in `events`", async () => {
    const issues = Buffer.from(JSON.stringify(example("issues")));
    const before = published();
    const res = await send(h.url("github/push"), { headers: githubHeaders(issues, "issues"), body: issues });
    expect(res.status).toBe(200);
    expect(res.body).toMatch(/not subscribed/);
    expect(published()).toBe(before);
    expect(h.outcomes.at(-1)?.reason).toBe("not-subscribed");
  });

  it("gives a redelivery (same X-GitHub-Delivery) the same event id, and a new delivery a new one", async () => {
    const before = published();
    for (const delivery of ["d-1", "d-1", "d-2"]) {
      const res = await send(h.url("github/push"), { headers: githubHeaders(pushRaw, "push", delivery), body: pushRaw });
      expect(res.status).toBe(200);
    }
    const [a, b, c] = h.bus.published.slice(before).map((p) => p.event.id);
    expect(a).toBe(b);
    expect(c).not.toBe(a);
  });

  it("answers 413 for a body over maxPayloadSize, declared or streamed, and publishes nothing", async () => {
    const big = Buffer.from(JSON.stringify({ pad: "x".repeat(5000) }));
    const before = published();
    const declared = await send(h.url("github/small"), { headers: githubHeaders(big), body: big });
    expect(declared.status).toBe(413);
    const chunks = Array.from({ length: 8 }, () => Buffer.alloc(512, 0x20));
    const streamed = await send(h.url("github/small"), { headers: githubHeaders(Buffer.concat(chunks)), body: chunks });
    expect(streamed.status).toBe(413);
    expect(published()).toBe(before);
    expect(h.outcomes.at(-1)?.reason).toBe("payload-too-large");
  });

  it("publishes unsigned deliveries when no secret is configured, without metadata", async () => {
    const before = published();
    const res = await send(h.url("github/open"), {
      headers: { "Content-Type": "application/json", "X-GitHub-Event": "ping" },
      body: "{}",
    });
    expect(res.status).toBe(200);
    const data = h.bus.published[before].event.data as Record<string, unknown>;
    expect(Object.keys(data).sort()).toEqual(["body", "headers"]);
    expect(data.body).toEqual({ "X-GitHub-Event": "ping", "X-GitHub-Delivery": "" });
  });

  it("fails with 500 rather than skip verification when the configured secret is missing", async () => {
    const before = published();
    const res = await send(h.url("github/nosecret"), { headers: githubHeaders(pushRaw), body: pushRaw });
    expect(res.status).toBe(500);
    expect(res.body).toBe("webhook secret unavailable");
    expect(published()).toBe(before);
    expect(h.outcomes.at(-1)?.reason).toBe("secret-unavailable");
  });

  it("answers 503 with Retry-After when the bus does not take the event", async () => {
    h.bus.failWith = new BusUnavailableError("nats down");
    try {
      const res = await send(h.url("github/push"), { headers: githubHeaders(pushRaw), body: pushRaw });
      expect(res.status).toBe(503);
      expect(res.headers["retry-after"]).toBe("1");
      h.bus.failWith = new Error("socket closed");
      const other = await send(h.url("github/push"), { headers: githubHeaders(pushRaw), body: pushRaw });
      expect(other.status).toBe(503);
      expect(h.outcomes.at(-1)).toMatchObject({ reason: "bus-unavailable", eventId: expect.stringMatching(/^[0-9a-f]{32}$/) });
    } finally {
      h.bus.failWith = undefined;
    }
  });

  it("routes exact paths only, answers /health, and rejects other methods with 405", async () => {
    expect((await send(h.url("github/push") + "/x", { headers: githubHeaders(pushRaw), body: pushRaw })).status).toBe(404);
    expect((await send(h.url("github/push").replace("/push", "/nope"), { body: "{}" })).status).toBe(404);
    const health = await send(h.url("github/push").replace("/push", "/health"), { method: "GET" });
    expect(health).toMatchObject({ status: 200, body: "OK" });
    const get = await send(h.url("github/push"), { method: "GET" });
    expect(get.status).toBe(405);
    expect(get.headers.allow).toBe("POST");
  });
});

describe("GitHub source handler", () => {
  it("names the webhookSecret field and the secret when the secret cannot be read (the operator's log shows it)", async () => {
    const source = githubSource(
      { webhook: { endpoint: "/p", port: "1" }, webhookSecret: { name: "absent", key: "secret" } },
      { namespace: "argo-events", secrets: new MapSecretStore({}) },
    );
    const req = { method: "POST", path: "/p", headers: { "X-Hub-Signature-256": [hmac("sha256", "{}")] }, rawBody: Buffer.from("{}") };
    const err = await source.authenticate(req).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SecretNotFoundError);
    expect((err as Error).message).toMatch(/^webhookSecret absent\/secret unavailable: /);
  });
});

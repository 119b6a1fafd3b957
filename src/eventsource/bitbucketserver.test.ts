import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SecretNotFoundError, SpecError } from "../errors.js";
import { packageRoot } from "../paths.js";
import { MapSecretStore } from "../config/secrets.js";
import { bitbucketServerSource } from "./bitbucketserver.js";
import type { WebhookRequest } from "./receiver.js";
import { eventSource, send, startHarness, type Harness } from "../../test/support/receiver-harness.js";

const TOKEN = "bb-bearer-token";

/** A request as a source handler sees it, for the handler-level tests. */
const request = (headers: Record<string, string[]> = {}, body = "{}"): WebhookRequest => ({
  method: "POST",
  path: "/p",
  headers,
  rawBody: Buffer.from(body),
});
const noSecrets = { namespace: "argo-events", secrets: new MapSecretStore({}) };

const SERVER_DIR = join(packageRoot(), "fixtures/bitbucketserver");
const SERVER_FIXTURES = JSON.parse(readFileSync(join(SERVER_DIR, "index.json"), "utf8")) as { file: string; x_event_key: string }[];
const SECRET = "sh!";

describe("Bitbucket Server receiver", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(
      [
        eventSource("bitbucketserver", {
          bitbucketserver: {
            signed: {
              webhook: { endpoint: "/signed", port: "12000", method: "POST" },
              events: ["repo:refs_changed", "pr:opened"],
              webhookSecret: { name: "bbs", key: "secret" },
              bitbucketserverBaseURL: "https://bitbucket.example.com/rest",
            },
            open: {
              webhook: { endpoint: "/open", port: "12000", method: "POST" },
              bitbucketserverBaseURL: "https://bitbucket.example.com/rest",
            },
            nomethod: { webhook: { endpoint: "/nomethod", port: "12000" } },
          },
        }),
      ],
      { bbs: { secret: SECRET } },
    );
  });
  afterAll(() => h.close());

  const sign = (body: Buffer | string) => `sha256=${createHmac("sha256", SECRET).update(body).digest("hex")}`;

  it("the body {} signed with sh! verifies (known vector)", async () => {
    const before = h.bus.published.length;
    const res = await send(h.url("bitbucketserver/signed"), {
      headers: {
        "X-Event-Key": "repo:refs_changed",
        "X-Hub-Signature": "sha256=926ceeb8dcd67d5979fd7d726e3905af6d220f7fd6b2d8cce946906f7cf35963",
      },
      body: "{}",
    });
    expect(res.status).toBe(200);
    expect(h.bus.published.length).toBe(before + 1);
  });

  it.each(SERVER_FIXTURES)("$file ($x_event_key) is published with its body intact", async ({ file, x_event_key }) => {
    const raw = readFileSync(join(SERVER_DIR, file));
    const before = h.bus.published.length;
    const res = await send(h.url("bitbucketserver/signed"), {
      headers: { "Content-Type": "application/json; charset=utf-8", "X-Event-Key": x_event_key, "X-Request-Id": `id-${file}`, "X-Hub-Signature": sign(raw) },
      body: raw,
    });
    expect(res.status).toBe(200);
    const { subject, event } = h.bus.published[before] as (typeof h.bus.published)[number];
    expect(subject).toBe("default.bitbucketserver.signed");
    expect(event).toMatchObject({ source: "bitbucketserver", subject: "signed", type: "bitbucketserver" });
    const data = event.data as { headers: Record<string, string[]>; body: unknown };
    expect(Object.keys(data)).toEqual(["headers", "body"]);
    expect(data.body).toEqual(JSON.parse(raw.toString("utf8")));
    expect(data.headers["X-Event-Key"]).toEqual([x_event_key]);
  });

  it.each([
    ["no signature", undefined, 401],
    ["a wrong signature", `sha256=${"0".repeat(64)}`, 403],
    ["a sha1= prefix", `sha1=${"0".repeat(40)}`, 403],
    ["no prefix at all", createHmac("sha256", SECRET).update("{}").digest("hex"), 403],
    ["a signature of another body", sign("{ }"), 403],
  ])("rejects %s", async (_n, signature, status) => {
    const before = h.bus.published.length;
    const headers: Record<string, string> = { "X-Event-Key": "repo:refs_changed" };
    if (signature !== undefined) headers["X-Hub-Signature"] = signature;
    const res = await send(h.url("bitbucketserver/signed"), { headers, body: "{}" });
    expect(res.status).toBe(status);
    expect(res.body).toMatch(/X-Hub-Signature/);
    expect(h.bus.published.length).toBe(before);
  });

  it("ignores unsubscribed events (e.g. the diagnostics ping) with 200", async () => {
    const before = h.bus.published.length;
    const res = await send(h.url("bitbucketserver/signed"), {
      headers: { "X-Event-Key": "diagnostics:ping", "X-Hub-Signature": sign("{}") },
      body: "{}",
    });
    expect(res.status).toBe(200);
    expect(h.bus.published.length).toBe(before);
  });

  it("without webhookSecret accepts unsigned deliveries and takes X-Request-Id as delivery id", async () => {
    const before = h.bus.published.length;
    for (let i = 0; i < 2; i++) {
      const res = await send(h.url("bitbucketserver/open"), { headers: { "X-Event-Key": "pr:opened", "X-Request-Id": "same" }, body: "{}" });
      expect(res.status).toBe(200);
    }
    const [a, b] = h.bus.published.slice(before).map((p) => p.event.id);
    expect(a).toBe(b);
  });

  it.each([
    ["{", /^Bitbucket Server payload is not valid JSON: /],
    ["", /^Bitbucket Server payload is empty$/],
  ])("answers 400 for the body %j, saying why", async (body, message) => {
    const before = h.bus.published.length;
    const res = await send(h.url("bitbucketserver/open"), { headers: { "X-Event-Key": "pr:opened" }, body });
    expect(res.status).toBe(400);
    expect(res.body).toMatch(message);
    expect(h.bus.published.length).toBe(before);
  });

  it("says which signature header is missing or wrong", async () => {
    const none = await send(h.url("bitbucketserver/signed"), { headers: { "X-Event-Key": "pr:opened" }, body: "{}" });
    expect(none).toMatchObject({ status: 401, body: "missing X-Hub-Signature header: a webhook secret is configured" });
    const wrong = await send(h.url("bitbucketserver/signed"), { headers: { "X-Event-Key": "pr:opened", "X-Hub-Signature": sign("{ }") }, body: "{}" });
    expect(wrong).toMatchObject({ status: 403, body: "X-Hub-Signature does not match the payload signed with the webhook secret" });
  });

  it("gives deliveries without X-Request-Id distinct event ids", async () => {
    const before = h.bus.published.length;
    for (let i = 0; i < 2; i++) await send(h.url("bitbucketserver/open"), { headers: { "X-Event-Key": "pr:opened" }, body: "{}" });
    const [a, b] = h.bus.published.slice(before).map((p) => p.event.id);
    expect(a).toMatch(/^[0-9a-f]{32}$/);
    expect(b).not.toBe(a);
  });

  it("takes POST when the webhook sets no method", async () => {
    const before = h.bus.published.length;
    expect((await send(h.url("bitbucketserver/nomethod"), { headers: { "X-Event-Key": "pr:opened" }, body: "{}" })).status).toBe(200);
    expect(h.bus.published.length).toBe(before + 1);
    const put = await send(h.url("bitbucketserver/nomethod"), { method: "PUT", headers: { "X-Event-Key": "pr:opened" }, body: "{}" });
    expect(put.status).toBe(405);
    expect(put.headers.allow).toBe("POST");
  });

  it("refuses an entry without a webhook as a spec error", async () => {
    const es = eventSource("bitbucketserver", { bitbucketserver: { nowebhook: { events: ["pr:opened"] } } });
    await expect(startHarness([es])).rejects.toThrow(SpecError);
    await expect(startHarness([es])).rejects.toThrow(/a webhook \(endpoint, port\) is required/);
  });
});

describe("Bitbucket Server source handler", () => {
  it("names the webhookSecret field and the secret when the secret cannot be read (the operator's log shows it)", async () => {
    const source = bitbucketServerSource({ webhook: { endpoint: "/p", port: "1" }, webhookSecret: { name: "absent", key: "secret" } }, noSecrets);
    const err = await source.authenticate(request({ "X-Hub-Signature": [`sha256=${"0".repeat(64)}`] })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SecretNotFoundError);
    expect((err as Error).message).toMatch(/^webhookSecret absent\/secret unavailable: /);
  });

  it("checks webhook.authSecret before the signature", async () => {
    const secrets = { namespace: "argo-events", secrets: new MapSecretStore({ bb: { token: TOKEN }, bbs: { secret: SECRET } }) };
    const spec = {
      webhook: { endpoint: "/p", port: "1", authSecret: { name: "bb", key: "token" } },
      webhookSecret: { name: "bbs", key: "secret" },
    };
    const signature = `sha256=${createHmac("sha256", SECRET).update("{}").digest("hex")}`;
    const source = bitbucketServerSource(spec, secrets);
    await expect(source.authenticate(request({ "X-Hub-Signature": [signature] }))).rejects.toThrow(
      "missing Authorization: Bearer <token> header: an auth secret is configured",
    );
    await expect(source.authenticate(request({ "X-Hub-Signature": [signature], Authorization: ["Bearer x"] }))).rejects.toThrow("invalid bearer token");
    await expect(source.authenticate(request({ "X-Hub-Signature": [signature], Authorization: [`Bearer ${TOKEN}`] }))).resolves.toBeUndefined();
  });

  it("asks for no credentials when the entry has no webhook block and no webhookSecret", async () => {
    await expect(bitbucketServerSource({ events: ["pr:opened"] }, noSecrets).authenticate(request())).resolves.toBeUndefined();
  });
});

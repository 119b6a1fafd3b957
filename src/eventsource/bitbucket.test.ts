import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SecretNotFoundError, SpecError } from "../errors.js";
import { packageRoot } from "../paths.js";
import { MapSecretStore } from "../config/secrets.js";
import { bitbucketSource, bitbucketSubscribed } from "./bitbucket.js";
import type { WebhookRequest } from "./receiver.js";
import { MASKED } from "./payload.js";
import { eventSource, send, startHarness, type Harness } from "../../test/support/receiver-harness.js";

const DIR = join(packageRoot(), "fixtures/bitbucket");
const FIXTURES = JSON.parse(readFileSync(join(DIR, "index.json"), "utf8")) as { file: string; x_event_key: string }[];
const TOKEN = "bb-bearer-token";

/** A request as a source handler sees it, for the handler-level tests. */
const request = (headers: Record<string, string[]> = {}, body = "{}"): WebhookRequest => ({
  method: "POST",
  path: "/p",
  headers,
  rawBody: Buffer.from(body),
});
const noSecrets = { namespace: "argo-events", secrets: new MapSecretStore({}) };

describe("bitbucketSubscribed", () => {
  it.each([
    [undefined, "repo:push", true],
    [[], "repo:push", true],
    [["*"], "anything", true],
    [["repo:push"], "repo:push", true],
    [["repo:push"], "pullrequest:created", false],
    [["repo:push"], undefined, false],
  ])("%j subscribes %s: %s", (events, key, ok) => {
    expect(bitbucketSubscribed(events as string[] | undefined, key)).toBe(ok);
  });
});

describe("Bitbucket Cloud receiver", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(
      [
        eventSource("bitbucket", {
          bitbucket: {
            all: {
              webhook: { endpoint: "/all", port: "12000", method: "POST" },
              events: ["repo:push", "pullrequest:created"],
              metadata: { provider: "bitbucket.org" },
            },
            pushes: {
              webhook: { endpoint: "/pushes", port: "12000", method: "POST", authSecret: { name: "bb", key: "token" } },
              events: ["repo:push"],
            },
            nomethod: { webhook: { endpoint: "/nomethod", port: "12000" } },
          },
        }),
      ],
      { bb: { token: TOKEN } },
    );
  });
  afterAll(() => h.close());

  it.each(FIXTURES)("$file ($x_event_key) is published as {headers, body, metadata}", async ({ file, x_event_key }) => {
    const raw = readFileSync(join(DIR, file));
    const before = h.bus.published.length;
    const res = await send(h.url("bitbucket/all"), {
      headers: { "Content-Type": "application/json", "X-Event-Key": x_event_key, "X-Hook-UUID": "{hook}", "X-Request-UUID": `req-${file}` },
      body: raw,
    });
    expect(res.status).toBe(200);
    const { subject, event } = h.bus.published[before] as (typeof h.bus.published)[number];
    expect(subject).toBe("default.argo-events.bitbucket.all");
    expect(event).toMatchObject({ source: "bitbucket", subject: "all", type: "bitbucket" });
    const data = event.data as { headers: Record<string, string[]>; body: unknown; metadata: unknown };
    expect(Object.keys(data)).toEqual(["headers", "body", "metadata"]);
    expect(data.body).toEqual(JSON.parse(raw.toString("utf8")));
    expect(data.headers["X-Event-Key"]).toEqual([x_event_key]);
    expect(data.metadata).toEqual({ provider: "bitbucket.org" });
  });

  it("derives the event id from X-Request-UUID, so Bitbucket's retries are one event", async () => {
    const before = h.bus.published.length;
    const headers = { "X-Event-Key": "repo:push", "X-Request-UUID": "r-1" };
    await send(h.url("bitbucket/all"), { headers, body: "{}" });
    await send(h.url("bitbucket/all"), { headers: { ...headers, "X-Attempt-Number": "2" }, body: "{}" });
    const [a, b] = h.bus.published.slice(before).map((p) => p.event.id);
    expect(a).toBe(b);
  });

  it("filters on X-Event-Key", async () => {
    const before = h.bus.published.length;
    const res = await send(h.url("bitbucket/pushes"), {
      headers: { "X-Event-Key": "pullrequest:created", Authorization: `Bearer ${TOKEN}` },
      body: "{}",
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatch(/not subscribed/);
    expect(h.bus.published.length).toBe(before);
  });

  it("checks webhook.authSecret and masks the Authorization header", async () => {
    const before = h.bus.published.length;
    const ok = await send(h.url("bitbucket/pushes"), {
      headers: { "X-Event-Key": "repo:push", Authorization: `Bearer ${TOKEN}` },
      body: "{}",
    });
    expect(ok.status).toBe(200);
    const data = h.bus.published[before]?.event.data as { headers: Record<string, string[]> };
    expect(data.headers.Authorization).toEqual([MASKED]);
    const wrong = await send(h.url("bitbucket/pushes"), { headers: { "X-Event-Key": "repo:push", Authorization: "Bearer x" }, body: "{}" });
    const none = await send(h.url("bitbucket/pushes"), { headers: { "X-Event-Key": "repo:push" }, body: "{}" });
    expect([wrong.status, none.status]).toEqual([403, 401]);
    expect(h.bus.published.length).toBe(before + 1);
  });

  it.each([
    ["no Authorization", {}, 401, "missing Authorization: Bearer <token> header: an auth secret is configured"],
    ["a Basic scheme", { Authorization: `Basic ${TOKEN}` }, 401, "missing Authorization: Bearer <token> header: an auth secret is configured"],
    ["the token without the Bearer scheme", { Authorization: TOKEN }, 401, "missing Authorization: Bearer <token> header: an auth secret is configured"],
    ["a wrong bearer token", { Authorization: "Bearer x" }, 403, "invalid bearer token"],
  ])("refuses %s, saying why", async (_name, auth, status, message) => {
    const before = h.bus.published.length;
    const res = await send(h.url("bitbucket/pushes"), { headers: { "X-Event-Key": "repo:push", ...auth }, body: "{}" });
    expect(res).toMatchObject({ status, body: message });
    expect(h.bus.published.length).toBe(before);
  });

  it.each([
    ["{", /^Bitbucket payload is not valid JSON: /],
    ["", /^Bitbucket payload is empty$/],
    ["  \n", /^Bitbucket payload is empty$/],
  ])("answers 400 for the body %j, saying why", async (body, message) => {
    const before = h.bus.published.length;
    const res = await send(h.url("bitbucket/all"), { headers: { "X-Event-Key": "repo:push" }, body });
    expect(res.status).toBe(400);
    expect(res.body).toMatch(message);
    expect(h.bus.published.length).toBe(before);
  });

  it("gives deliveries without X-Request-UUID distinct event ids", async () => {
    const before = h.bus.published.length;
    for (let i = 0; i < 2; i++) await send(h.url("bitbucket/all"), { headers: { "X-Event-Key": "repo:push" }, body: "{}" });
    const [a, b] = h.bus.published.slice(before).map((p) => p.event.id);
    expect(a).toMatch(/^[0-9a-f]{32}$/);
    expect(b).not.toBe(a);
  });

  it("takes POST when the webhook sets no method", async () => {
    const before = h.bus.published.length;
    expect((await send(h.url("bitbucket/nomethod"), { headers: { "X-Event-Key": "repo:push" }, body: "{}" })).status).toBe(200);
    expect(h.bus.published.length).toBe(before + 1);
    const put = await send(h.url("bitbucket/nomethod"), { method: "PUT", headers: { "X-Event-Key": "repo:push" }, body: "{}" });
    expect(put.status).toBe(405);
    expect(put.headers.allow).toBe("POST");
  });

  it("refuses an entry without a webhook as a spec error", async () => {
    const es = eventSource("bitbucket", { bitbucket: { nowebhook: { events: ["repo:push"] } } });
    await expect(startHarness([es])).rejects.toThrow(SpecError);
    await expect(startHarness([es])).rejects.toThrow(/a webhook \(endpoint, port\) is required/);
  });
});

describe("Bitbucket Cloud source handler", () => {
  it("names the webhook.authSecret field and the secret when the secret cannot be read (the operator's log shows it)", async () => {
    const source = bitbucketSource({ webhook: { endpoint: "/p", port: "1", authSecret: { name: "absent", key: "token" } } }, noSecrets);
    const err = await source.authenticate(request({ Authorization: [`Bearer ${TOKEN}`] })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SecretNotFoundError);
    expect((err as Error).message).toMatch(/^webhook\.authSecret absent\/token unavailable: /);
  });

  it("asks for no credentials when the entry has no webhook block", async () => {
    await expect(bitbucketSource({ events: ["repo:push"] }, noSecrets).authenticate(request())).resolves.toBeUndefined();
  });
});

import { describe, expect, test } from "vitest";
import { nanos } from "nats";
import type { EventBus } from "../api/types.js";
import { SpecError } from "../errors.js";
import { MapSecretStore } from "../config/secrets.js";
import {
  authFromSecret,
  jetStreamOptionsFromSpec,
  parseStreamConfig,
  splitServers,
} from "./jetstream-options.js";
import { streamConfigFor } from "./jetstream.js";
import { consumerName } from "./jetstream-consumer.js";
import { parseGoDuration } from "../expr/duration.js";

describe("parseGoDuration", () => {
  test.each([
    ["168h", 168 * 3_600_000],
    ["300s", 300_000],
    ["4h35m", (4 * 60 + 35) * 60_000],
    ["1.5h", 5_400_000],
    ["500ms", 500],
    ["2m30s", 150_000],
    ["1500us", 1.5],
    ["0", 0],
  ])("%s = %d ms", (text, ms) => {
    expect(parseGoDuration(text)).toBeCloseTo(ms, 6);
  });

  test.each(["", "5", "h", "1d", "1h junk", "-"])("%j is rejected", (text) => {
    expect(() => parseGoDuration(text)).toThrow(/invalid duration/);
  });
});

describe("parseStreamConfig", () => {
  test("reads Argo Events' keys, case-insensitively", () => {
    expect(parseStreamConfig("maxMsgs: 10\nMAXBYTES: 2048\nmaxage: 72h\nReplicas: 5\nduplicates: 5m\nretention: 1\nDiscard: 1\nother: x")).toEqual({
      maxMsgs: 10,
      maxBytes: 2048,
      maxAge: 72 * 3_600_000,
      replicas: 5,
      duplicates: 300_000,
      retention: 1,
      discard: 1,
    });
  });

  test("a bare number for a duration is nanoseconds, as Go reads it", () => {
    expect(parseStreamConfig("maxAge: 60000000000")).toEqual({ maxAge: 60_000 });
  });

  test("empty text means no override", () => {
    expect(parseStreamConfig("")).toEqual({});
    expect(parseStreamConfig("# only a comment\n")).toEqual({});
  });

  test.each([
    ["maxMsgs: lots", /maxMsgs: expected an integer/],
    ["retention: 3", /retention: expected 0, 1 or 2/],
    ["maxAge: 3 days", /maxAge: expected a duration like "72h", got "3 days"/],
    ["- a\n- b", /YAML mapping/],
  ])("%j is rejected", (text, message) => {
    expect(() => parseStreamConfig(text)).toThrow(message);
  });
});

describe("streamConfigFor", () => {
  test("defaults are argo-events' controller-config ones, file storage, subjects <bus>.>", () => {
    expect(streamConfigFor("default")).toEqual({
      name: "default",
      subjects: ["default.>"],
      storage: "file",
      retention: "limits",
      discard: "old",
      max_msgs: 50_000,
      max_bytes: -1,
      max_age: nanos(168 * 3_600_000),
      num_replicas: 3,
      duplicate_window: nanos(300_000),
    });
  });

  test("the dedup window never exceeds the max age", () => {
    expect(streamConfigFor("b", { maxAge: "1m" }).duplicate_window).toBe(nanos(60_000));
  });
});

describe("authFromSecret", () => {
  test.each([
    ["username: js\npassword: pw", { user: "js", pass: "pw" }],
    ["Username: js\nPassword: pw\n", { user: "js", pass: "pw" }],
    ["token: abc", { token: "abc" }],
    ["plain-secret-value\n", { token: "plain-secret-value" }],
    ["s3cret: with colon", { token: "s3cret: with colon" }],
  ])("%j", (value, auth) => {
    expect(authFromSecret(value)).toEqual(auth);
  });
});

test("splitServers", () => {
  expect(splitServers(" nats://a:4222, nats://b:4222 ,")).toEqual(["nats://a:4222", "nats://b:4222"]);
});

function bus(spec: Record<string, unknown>, name = "default", namespace: string | null = "argo-events"): EventBus {
  return { apiVersion: "argoproj.io/v1alpha1", kind: "EventBus", metadata: { name, namespace: namespace ?? undefined }, spec };
}

describe("jetStreamOptionsFromSpec", () => {
  const secrets = new MapSecretStore({
    "nats-auth": { password: "username: u\npassword: p", token: "tok" },
    "eventbus-default-js-client-auth": { "client-auth": "username: gen\npassword: genpw" },
    tls: { ca: "CA-PEM", crt: "CRT-PEM", key: "KEY-PEM" },
  });

  test("jetstreamExotic: url list, access secret, streamConfig and tls", async () => {
    const o = await jetStreamOptionsFromSpec(
      bus({
        jetstreamExotic: {
          url: "nats://n1:4222,nats://n2:4222",
          accessSecret: { name: "nats-auth", key: "password" },
          streamConfig: "maxAge: 24h\nreplicas: 1",
          tls: { caCertSecret: { name: "tls", key: "ca" }, clientCertSecret: { name: "tls", key: "crt" }, clientKeySecret: { name: "tls", key: "key" } },
        },
      }),
      secrets,
    );
    expect(o).toMatchObject({
      name: "default",
      servers: ["nats://n1:4222", "nats://n2:4222"],
      auth: { user: "u", pass: "p" },
      stream: { name: "default", maxAge: 24 * 3_600_000, replicas: 1 },
      tls: { ca: "CA-PEM", cert: "CRT-PEM", key: "KEY-PEM", insecureSkipVerify: false },
    });
  });

  test("jetstream (managed): the controller's Service and client secret, replicas bounded by the servers", async () => {
    const o = await jetStreamOptionsFromSpec(bus({ jetstream: { version: "latest", replicas: 1, streamConfig: "maxMsgs: 7" } }), secrets);
    expect(o).toMatchObject({
      servers: ["nats://eventbus-default-js-svc.argo-events.svc:4222"],
      auth: { user: "gen", pass: "genpw" },
      stream: { name: "default", maxMsgs: 7, replicas: 1 },
      tls: { insecureSkipVerify: true },
    });
  });

  test("jetstream without a namespace uses the short service name", async () => {
    const o = await jetStreamOptionsFromSpec(bus({ jetstream: {} }, "main", null), new MapSecretStore({}));
    expect(o.servers).toEqual(["nats://eventbus-main-js-svc:4222"]);
    expect(o.auth).toBeUndefined();
    expect(o.stream?.replicas).toBeUndefined(); // the default, 3, fits the default 3 servers
  });

  test("--nats-url overrides the spec's URL; without a spec it stands alone", async () => {
    const withSpec = await jetStreamOptionsFromSpec(bus({ jetstream: {} }), secrets, { natsUrl: "nats://127.0.0.1:4222" });
    expect(withSpec.servers).toEqual(["nats://127.0.0.1:4222"]);
    expect(withSpec.tls).toBeUndefined();
    const alone = await jetStreamOptionsFromSpec(undefined, secrets, { natsUrl: "nats://x:1,nats://y:2" });
    expect(alone).toMatchObject({ name: "default", servers: ["nats://x:1", "nats://y:2"], stream: { name: "default" } });
  });

  test.each([
    ["a nats (STAN) bus", { nats: { native: {} } }, /only jetstream and jetstreamExotic/],
    ["a missing secret", { jetstreamExotic: { url: "nats://x", accessSecret: { name: "nope", key: "k" } } }, /jetstreamExotic\.accessSecret: secret nope\/k not found/],
    ["a bad streamConfig", { jetstreamExotic: { url: "nats://x", streamConfig: "maxMsgs: many" } }, /streamConfig: maxMsgs: expected an integer/],
    ["no url", { jetstreamExotic: {} }, /no NATS URL/],
  ])("%s is a SpecError", async (_what, spec, message) => {
    const err = await jetStreamOptionsFromSpec(bus(spec), secrets).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SpecError);
    expect((err as Error).message).toMatch(message);
    expect((err as Error).message).toMatch(/^EventBus\/default /);
  });
});

describe("consumerName", () => {
  test("one subject: the durable itself", () => {
    expect(consumerName("sensor-a_t1", "default.es.ev", 1)).toBe("sensor-a_t1");
  });

  test("a name past the server's 255 characters keeps its head and a hash; two such names stay apart", () => {
    const a = consumerName(`ns-sensor-${"t".repeat(300)}`, "default.es.ev", 1);
    const b = consumerName(`ns-sensor-${"t".repeat(299)}u`, "default.es.ev", 1);
    expect(a.length).toBe(255);
    expect(a.startsWith("ns-sensor-ttt")).toBe(true);
    expect(a).not.toBe(b);
  });

  test("several subjects: one name per subject, all valid and distinct", () => {
    const names = ["default.es.a", "default.es.b"].map((s) => consumerName("s", s, 2));
    expect(new Set(names).size).toBe(2);
    for (const n of names) expect(n).toMatch(/^s_[0-9a-f]{10}$/);
  });

  test("invalid characters are replaced, with a hash so names stay distinct", () => {
    const a = consumerName("my.sensor/t", "x", 1);
    const b = consumerName("my_sensor_t", "x", 1);
    expect(a).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(a).not.toBe(b);
  });
});

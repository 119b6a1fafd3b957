// The registries and the names in api/extension-points.ts agree with each other, with
// the CRDs, with the `not supported` table, and with `send`: a delivery `send` makes
// for a type is one that type's receiver accepts.
import { describe, expect, it } from "vitest";
import {
  FILTER_KIND_NAMES,
  SOURCE_TYPE_NAMES,
  TRIGGER_SOURCE_KINDS,
  TRIGGER_TYPE_NAMES,
  type SourceTypeName,
} from "../../src/api/extension-points.js";
import { crdSchema } from "../../src/api/schema.js";
import { findUnsupported } from "../../src/api/unsupported.js";
import { SOURCE_TYPES, type SourceSpecs } from "../../src/eventsource/registry.js";
import { goHeaders } from "../../src/http/headers.js";
import { providerHeaders } from "../../src/commands/send.js";
import { MapSecretStore } from "../../src/config/secrets.js";
import { FILTER_KINDS } from "../../src/sensor/filters/registry.js";
import { TRIGGER_SOURCES } from "../../src/sensor/sources/registry.js";
import { TRIGGER_TYPES } from "../../src/sensor/triggers/registry.js";

type Schema = { properties?: Record<string, Schema>; additionalProperties?: Schema; items?: Schema };

function at(schema: Schema, ...keys: string[]): Schema | undefined {
  let s: Schema | undefined = schema;
  for (const k of keys) s = k === "*" ? s?.additionalProperties : k === "[]" ? s?.items : s?.properties?.[k];
  return s;
}

const route = { endpoint: "/push", port: "12000", method: "POST" };
const selector = { name: "hook", key: "secret" };
// Each type's entry with a secret its receiver checks (the secret field differs per type).
const SECURED: { [K in SourceTypeName]: SourceSpecs[K] } = {
  github: { webhook: route, webhookSecret: selector },
  gitlab: { webhook: route, secretToken: selector },
  bitbucket: { webhook: { ...route, authSecret: selector } },
  bitbucketserver: { webhook: route, webhookSecret: selector },
  webhook: { ...route, authSecret: selector },
};

describe("extension points", () => {
  it("every registry has exactly the names api/ defines", () => {
    expect(Object.keys(SOURCE_TYPES).sort()).toEqual([...SOURCE_TYPE_NAMES].sort());
    expect(Object.keys(TRIGGER_TYPES).sort()).toEqual([...TRIGGER_TYPE_NAMES].sort());
    expect(Object.keys(TRIGGER_SOURCES).sort()).toEqual([...TRIGGER_SOURCE_KINDS].sort());
    expect(Object.keys(FILTER_KINDS)).toEqual([...FILTER_KIND_NAMES]);
    for (const name of TRIGGER_TYPE_NAMES) expect(TRIGGER_TYPES[name].type).toBe(name);
  });

  it("each name is in the CRD schema and not refused by the not-supported table", () => {
    const es = crdSchema("EventSource") as Schema;
    const sensor = crdSchema("Sensor") as Schema;
    for (const name of SOURCE_TYPE_NAMES) {
      expect(at(es, "spec", name, "*"), `EventSource spec.${name}`).toBeDefined();
      const doc = { spec: { [name]: { e: SECURED[name] } } };
      expect(findUnsupported("EventSource", doc)).toEqual([]);
    }
    const template = at(sensor, "spec", "triggers", "[]", "template");
    for (const name of TRIGGER_TYPE_NAMES) expect(at(template ?? {}, name), `template.${name}`).toBeDefined();
    for (const kind of TRIGGER_SOURCE_KINDS) {
      expect(at(template ?? {}, "argoWorkflow", "source", kind), `source.${kind}`).toBeDefined();
      const doc = { spec: { triggers: [{ template: { argoWorkflow: { source: { [kind]: {} } } } }] } };
      expect(findUnsupported("Sensor", doc)).toEqual([]);
    }
    const filters = at(sensor, "spec", "dependencies", "[]", "filters");
    for (const kind of FILTER_KIND_NAMES) expect(at(filters ?? {}, kind), `filters.${kind}`).toBeDefined();
  });

  it.each(SOURCE_TYPE_NAMES)("%s: a delivery `send` makes is accepted by the receiver, and a wrong secret is not", async (type) => {
    const body = Buffer.from(JSON.stringify({ ref: "refs/heads/main" }));
    const entry = SOURCE_TYPES[type] as (typeof SOURCE_TYPES)[SourceTypeName];
    const handler = (entry.handler as (s: unknown, c: unknown) => ReturnType<typeof entry.handler>)(SECURED[type], {
      namespace: "default",
      secrets: new MapSecretStore({ hook: { secret: "s3cret" } }),
    });
    const request = (secret: string) => {
      const h = providerHeaders({ provider: type, event: entry.event?.example ?? "", secret, body, deliveryId: "d-1" });
      const headersDistinct = Object.fromEntries(Object.entries(h).map(([k, v]) => [k, [v]]));
      return { method: "POST", path: "/push", query: "", headers: goHeaders({ headersDistinct }), rawBody: body };
    };
    await handler.authenticate(request("s3cret"));
    const parsed = handler.parse(request("s3cret"));
    expect(parsed.subscribed).toBe(true);
    expect((parsed.data as { body: unknown }).body).toMatchObject({ ref: "refs/heads/main" });
    if (type !== "webhook") expect(parsed.deliveryId).toBe("d-1");
    await expect(handler.authenticate(request("wrong"))).rejects.toMatchObject({ status: 403 });
  });
});

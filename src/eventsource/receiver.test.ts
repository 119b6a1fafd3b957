import { describe, expect, it } from "vitest";
import type { CompiledExpression } from "../expr/govaluate.js";
import { ExpressionError } from "../errors.js";
import { silentLogger } from "../logger.js";
import { createReceiver, filterEnv, type ReceiverOutcome, type SourceHandler, type WebhookRequest } from "./receiver.js";
import { RecordingBus } from "../../test/support/receiver-harness.js";

const source: SourceHandler = {
  type: "webhook",
  method: "POST",
  authenticate: async () => undefined,
  parse: (req) => ({
    data: { header: req.headers, body: JSON.parse(req.rawBody.toString()) as unknown },
    subscribed: true,
  }),
};

const request = (body: unknown): WebhookRequest => ({
  method: "POST",
  path: "/hook",
  headers: { "X-Request-Id": ["r-1"] },
  rawBody: Buffer.from(JSON.stringify(body)),
});

/** A stand-in for a compiled expr-lang filter, recording the env it saw. */
function fakeFilter(evaluate: (env: Record<string, unknown>) => unknown): CompiledExpression & { seen: unknown[] } {
  const seen: unknown[] = [];
  return {
    source: "fake",
    variables: [],
    seen,
    evaluate: (env) => {
      seen.push(env);
      return evaluate(env);
    },
  };
}

function receiverWith(filter?: CompiledExpression) {
  const bus = new RecordingBus();
  const outcomes: ReceiverOutcome[] = [];
  const receiver = createReceiver(
    { eventSourceName: "es", eventName: "ev", namespace: "ns", endpoint: "/hook", port: "1", maxPayloadSize: 64, filter },
    source,
    { bus, logger: silentLogger(), onOutcome: (o) => outcomes.push(o) },
  );
  return { bus, outcomes, receiver };
}

describe("filterEnv", () => {
  it("replaces - by _ in top-level keys only, as Argo Events does", () => {
    expect(filterEnv({ "a-b": { "c-d": 1 }, body: 2 })).toEqual({ a_b: { "c-d": 1 }, body: 2 });
  });
});

describe("receiver pipeline", () => {
  const table: [string, () => unknown, number, string, number][] = [
    ["true", () => true, 200, "published", 1],
    ["false", () => false, 200, "filtered", 0],
    ["a non-boolean", () => "yes", 200, "filter-error", 0],
    ["an evaluation error", () => { throw new ExpressionError("no such field"); }, 200, "filter-error", 0],
  ];
  it.each(table)("a filter returning %s", async (_n, fn, status, reason, count) => {
    const filter = fakeFilter(fn);
    const { bus, outcomes, receiver } = receiverWith(filter);
    const res = await receiver.handle(request({ ok: 1 }));
    expect(res.status).toBe(status);
    expect(bus.published).toHaveLength(count);
    expect(outcomes).toHaveLength(1);
    expect(outcomes[0]).toMatchObject({ status, reason, eventId: expect.stringMatching(/^[0-9a-f]{32}$/) });
    expect(filter.seen[0]).toEqual({ header: { "X-Request-Id": ["r-1"] }, body: { ok: 1 } });
  });

  it("checks size even when the server did not (defence in depth)", async () => {
    const { bus, receiver } = receiverWith();
    const res = await receiver.handle(request({ pad: "x".repeat(100) }));
    expect(res.status).toBe(413);
    expect(bus.published).toHaveLength(0);
  });

  it("turns an unexpected error into a 500 without leaking its message", async () => {
    const bus = new RecordingBus();
    const broken: SourceHandler = { ...source, parse: () => { throw new Error("secret internals"); } };
    const r = createReceiver(
      { eventSourceName: "es", eventName: "ev", namespace: "ns", endpoint: "/hook", port: "1", maxPayloadSize: 64 },
      broken,
      { bus, logger: silentLogger() },
    );
    expect(await r.handle(request({}))).toMatchObject({ status: 500, body: "internal error" });
  });

  it("survives a throwing outcome listener", async () => {
    const bus = new RecordingBus();
    const r = createReceiver(
      { eventSourceName: "es", eventName: "ev", namespace: "ns", endpoint: "/hook", port: "1", maxPayloadSize: 64 },
      source,
      { bus, logger: silentLogger(), onOutcome: () => { throw new Error("metrics down"); } },
    );
    expect((await r.handle(request({}))).status).toBe(200);
    expect(bus.published).toHaveLength(1);
  });
});

import { Writable } from "node:stream";
import { pino } from "pino";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { SpecError } from "../../errors.js";
import { MapSecretStore } from "../../config/secrets.js";
import { LocalWorkflowStore } from "../../workflows/local.js";
import { Where } from "../where.js";
import { newTriggerMemory } from "./memory.js";
import { compileTriggerAction } from "./registry.js";
import type { Firing, TriggerRuntime } from "./types.js";

const where = new Where("argo", "s");
const firing = (id: string): Firing => ({
  sensorNamespace: "argo",
  sensorName: "s",
  triggerName: "t",
  events: {
    dep: { context: { id, source: "es", subject: "hook", specversion: "1.0", type: "webhook", datacontenttype: "application/json", time: "" }, data: { n: id } },
  },
  now: new Date(),
});

describe("log trigger", () => {
  let lines: Record<string, unknown>[];
  let runtime: TriggerRuntime;
  beforeEach(() => {
    lines = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
        cb();
      },
    });
    runtime = { workflows: new LocalWorkflowStore("/nonexistent"), secrets: new MapSecretStore({}), logger: pino(sink), memory: newTriggerMemory() };
  });

  async function fire(intervalSeconds: number | undefined, id: string, on: TriggerRuntime = runtime): Promise<void> {
    const action = compileTriggerAction({ name: "t", log: intervalSeconds === undefined ? {} : { intervalSeconds } }, where, "t");
    await action.execute(action.plan(firing(id)), on);
  }

  it("logs every event of every firing without an interval", async () => {
    await fire(undefined, "a");
    await fire(undefined, "b");
    expect(lines.map((l) => [l.msg, l.dependencyName, (l.data as { n: string }).n])).toEqual([
      ["log trigger", "dep", "a"],
      ["log trigger", "dep", "b"],
    ]);
  });

  it("with intervalSeconds logs at most once per interval", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    try {
      vi.setSystemTime(new Date("2024-05-01T10:00:00Z"));
      await fire(10, "a");
      vi.setSystemTime(new Date("2024-05-01T10:00:05Z"));
      await fire(10, "b");
      vi.setSystemTime(new Date("2024-05-01T10:00:11Z"));
      await fire(10, "c");
    } finally {
      vi.useRealTimers();
    }
    expect(lines.map((l) => (l.data as { n: string }).n)).toEqual(["a", "c"]);
  });

  it("keeps the throttle in the runtime: two gateways in one process each log once per interval", async () => {
    const other: TriggerRuntime = { ...runtime, memory: newTriggerMemory() };
    vi.useFakeTimers({ toFake: ["Date"] });
    try {
      vi.setSystemTime(new Date("2024-05-01T10:00:00Z"));
      await fire(10, "a");
      await fire(10, "b", other);
      vi.setSystemTime(new Date("2024-05-01T10:00:05Z"));
      await fire(10, "c");
      await fire(10, "d", other);
    } finally {
      vi.useRealTimers();
    }
    expect(lines.map((l) => (l.data as { n: string }).n)).toEqual(["a", "b"]);
  });

  it("rejects a negative interval", () => {
    expect(() => compileTriggerAction({ name: "t", log: { intervalSeconds: -1 } }, where, "t")).toThrow(SpecError);
  });
});

import { EventEmitter } from "node:events";
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger } from "../logger.js";
import { handleShutdownSignals } from "./shutdown.js";

function harness(close: () => Promise<void>, gracePeriodMs = 200) {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString().split("\n")) if (l) lines.push(JSON.parse(l) as Record<string, unknown>);
      cb();
    },
  });
  const signals = new EventEmitter();
  const exits: number[] = [];
  let drained = 0;
  let exited: (code: number) => void = () => undefined;
  const exit = new Promise<number>((resolve) => (exited = resolve));
  handleShutdownSignals({
    logger: createLogger({ destination }),
    gracePeriodMs,
    drain: () => void drained++,
    close,
    inFlight: () => ({ requests: 2, handlers: { "ns-sensor-trigger": 3 } }),
    exit: (code) => {
      exits.push(code);
      exited(code);
    },
    signals,
  });
  return { lines, signals, exits, exit, drained: () => drained };
}

const never = (): Promise<void> => new Promise(() => undefined);

describe("handleShutdownSignals", () => {
  it.each(["SIGTERM", "SIGINT"])("%s drains at once, closes, and exits 0", async (signal) => {
    let release: () => void = () => undefined;
    const h = harness(() => new Promise<void>((r) => (release = r)), 5000);
    h.signals.emit(signal);
    expect(h.drained()).toBe(1);
    expect(h.exits).toEqual([]);
    release();
    expect(await h.exit).toBe(0);
    expect(h.lines.map((l) => l.msg)).toEqual(["shutdown: draining", "shutdown: complete"]);
    expect(h.lines[0]).toMatchObject({ signal, gracePeriodMs: 5000 });
  });

  it("exits 1 after the grace period and logs what was still in flight", async () => {
    const h = harness(never, 100);
    const started = Date.now();
    h.signals.emit("SIGTERM");
    expect(await h.exit).toBe(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(95);
    const expired = h.lines.find((l) => String(l.msg).includes("grace period expired"));
    expect(expired).toMatchObject({ level: 50, inFlight: { requests: 2, handlers: { "ns-sensor-trigger": 3 } } });
  });

  it("exits 1 at once on a second signal, without draining twice", async () => {
    const h = harness(never, 60_000);
    h.signals.emit("SIGTERM");
    h.signals.emit("SIGINT");
    expect(await h.exit).toBe(1);
    expect(h.drained()).toBe(1);
    expect(h.lines.at(-1)).toMatchObject({ msg: "shutdown: second signal, exiting now", signal: "SIGINT" });
  });

  it("exits 1 when closing fails", async () => {
    const h = harness(() => Promise.reject(new Error("nats drain failed")), 5000);
    h.signals.emit("SIGTERM");
    expect(await h.exit).toBe(1);
    expect(h.lines.at(-1)).toMatchObject({ msg: "shutdown: failed", err: "nats drain failed" });
  });
});

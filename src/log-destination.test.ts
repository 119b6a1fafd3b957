import { afterAll, describe, expect, it } from "vitest";
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FdDestination } from "./log-destination.js";

const dir = mkdtempSync(join(tmpdir(), "tg-log-destination-"));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
});
let n = 0;
const file = (): { path: string; fd: number } => {
  const path = join(dir, `log-${n++}`);
  return { path, fd: openSync(path, "w") };
};
const flushed = (d: FdDestination): Promise<void> => new Promise((resolve) => d.flush(() => resolve()));

/**
 * A pipe (non-blocking, as libuv leaves stdout) into a process that reads nothing until it
 * gets SIGUSR2, then copies what it reads to its stdout: `received` once the pipe closes.
 */
async function pipeReader(): Promise<{ fd: number; child: ChildProcess; received: Promise<string> }> {
  const child = spawn(
    process.execPath,
    [
      "-e",
      "const up = setInterval(() => {}, 1000); process.stdin.pause(); process.stdin.on('end', () => clearInterval(up));" +
        "process.on('SIGUSR2', () => process.stdin.pipe(process.stdout)); process.stdout.write('ready\\n');",
    ],
    { stdio: ["pipe", "pipe", "inherit"] },
  );
  children.push(child);
  let out = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  await new Promise<void>((resolve) => child.stdout!.once("data", () => resolve()));
  const received = new Promise<string>((resolve) => child.once("close", () => resolve(out.replace(/^ready\n/, ""))));
  return { fd: (child.stdin as unknown as { _handle: { fd: number } })._handle.fd, child, received };
}

describe("FdDestination", () => {
  it("writes every line, in order", async () => {
    const { path, fd } = file();
    const d = new FdDestination(fd);
    const lines = Array.from({ length: 1000 }, (_, i) => `{"i":${i},"text":"é✓"}\n`);
    for (const l of lines) d.write(l);
    await flushed(d);
    expect(readFileSync(path, "utf8")).toBe(lines.join(""));
    closeSync(fd);
  });

  it("a write that fails for good (EBADF) stops the logging: nothing thrown, later lines dropped, flushes return at once", async () => {
    // A descriptor no file has (a closed one's number could be reused meanwhile).
    const d = new FdDestination(999_999);
    expect(() => d.write("lost\n")).not.toThrow();
    expect(d.broken).toBe(true);
    expect(() => d.write("after\n")).not.toThrow();
    const t0 = Date.now();
    d.flushSync();
    expect(Date.now() - t0).toBeLessThan(100);
    await flushed(d);
  });

  it("a full pipe (slow reader): lines are held and written in order once it reads; none is lost", async () => {
    const { fd, child, received } = await pipeReader();
    const d = new FdDestination(fd, { retryMs: 5 });
    const lines = Array.from({ length: 5000 }, (_, i) => `{"i":${i},"pad":"${"x".repeat(40)}"}\n`); // ~300 KB, past a pipe's 64 KiB
    for (const l of lines) d.write(l);
    const done = flushed(d);
    child.kill("SIGUSR2");
    await done;
    expect(d.broken).toBe(false);
    child.stdin!.destroy();
    expect(await received).toBe(lines.join(""));
  });

  it("past maxPendingChars, lines are dropped and a line says how many", async () => {
    const { fd, child, received } = await pipeReader();
    const d = new FdDestination(fd, { retryMs: 5, maxPendingChars: 1000 });
    const line = `${"y".repeat(99)}\n`;
    let fits = 0;
    // Fill the pipe: until a line is held.
    while ((d as unknown as { head?: Buffer }).head === undefined) {
      d.write(line);
      fits++;
    }
    for (let i = 0; i < 20; i++) d.write(line); // 10 held (1000 chars), 10 dropped
    const done = flushed(d);
    child.kill("SIGUSR2");
    await done;
    child.stdin!.destroy();
    const out = (await received).trim().split("\n");
    expect(out).toHaveLength(fits + 10 + 1);
    expect(JSON.parse(out[out.length - 1]).msg).toBe("10 log line(s) dropped: the reader of the logs was too slow");
  });

  it("the reader gone (EPIPE) while lines are held: the logging stops, flushes return", async () => {
    const { fd, child } = await pipeReader();
    const d = new FdDestination(fd, { retryMs: 5 });
    const line = `${"z".repeat(1023)}\n`;
    for (let i = 0; i < 200; i++) d.write(line); // 200 KiB: more than the pipe holds
    const done = flushed(d);
    child.kill("SIGKILL");
    await done;
    expect(d.broken).toBe(true);
    const t0 = Date.now();
    d.write(line);
    d.flushSync();
    expect(Date.now() - t0).toBeLessThan(100);
  });

  it("flushSync at exit waits for a full pipe at most exitFlushMs", async () => {
    const { fd, child } = await pipeReader();
    const d = new FdDestination(fd, { exitFlushMs: 300 });
    const line = `${"w".repeat(1023)}\n`;
    for (let i = 0; i < 200; i++) d.write(line);
    const t0 = Date.now();
    d.flushSync();
    const took = Date.now() - t0;
    expect(took).toBeGreaterThanOrEqual(290);
    expect(took).toBeLessThan(1500);
  });
});

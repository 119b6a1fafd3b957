// A stdout (or stderr) whose reader went away (`serve | head -1`, a spawnSync past its
// timeout) never holds serve: SIGTERM drains and exits as usual. pino's destination once
// retried the EPIPE write at exit forever, and not even a signal ended the process.
import { afterAll, describe, expect, it } from "vitest";
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { packageRoot } from "../../src/paths.js";

const root = packageRoot();
const CLI = join(root, "dist/src/cli.js");
// Outside a pod whatever runs the tests: in one, `serve` without --config would mean --kube.
const env = { ...process.env, KUBERNETES_SERVICE_HOST: "" };
const temps: string[] = [];
const children: ChildProcess[] = [];
afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  await Promise.all(temps.map((d) => rm(d, { recursive: true, force: true })));
});

/** How a process ended, or "still running" after `ms`. */
function exitWithin(child: ChildProcess, ms: number): Promise<number | string> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(`still running ${ms} ms after the signal`), ms);
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      resolve(code ?? `killed by ${signal}`);
    });
  });
}

/**
 * `serve` on the quickstart (free ports, a temp store), once it printed its banner: the
 * SIGTERM handler is installed in the same tick, just after "gateway ready" is logged.
 */
async function readyServe(): Promise<ChildProcess> {
  const store = await mkdtemp(join(tmpdir(), "tg-closed-stdout-"));
  temps.push(store);
  const child = spawn(
    process.execPath,
    [CLI, "serve", "--config", "fixtures/quickstart", "--secrets-dir", "fixtures/quickstart/secrets", "--local-store", store,
      "--host", "127.0.0.1", "--port", "12000=0", "--admin-port", "0", "--events-port", "0"],
    { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] },
  );
  children.push(child);
  child.stdout!.resume();
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("serve not ready in 20 s")), 20_000);
    child.once("exit", (code) => reject(new Error(`serve exited with ${code}`)));
    createInterface({ input: child.stderr! }).on("line", (line) => {
      if (line.startsWith("Try it from another terminal")) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  await new Promise((r) => setTimeout(r, 100));
  return child;
}

describe("serve with a stdout nobody reads any more", () => {
  it("SIGTERM after the reader of stdout went away: drains and exits 0", async () => {
    const child = await readyServe();
    child.stdout!.destroy();
    child.kill("SIGTERM");
    expect(await exitWithin(child, 10_000)).toBe(0);
  });

  it("stdout and stderr both closed, SIGTERM a moment later: exits 0", async () => {
    const child = await readyServe();
    child.stdout!.destroy();
    child.stderr!.destroy();
    await new Promise((r) => setTimeout(r, 200));
    child.kill("SIGTERM");
    expect(await exitWithin(child, 10_000)).toBe(0);
  });
});

describe("the logger's stdout", () => {
  /** A node process running `body` with createLogger() of the build as `log`. */
  async function script(body: string): Promise<ChildProcess> {
    const dir = await mkdtemp(join(tmpdir(), "tg-closed-stdout-"));
    temps.push(dir);
    const file = join(dir, "run.mjs");
    await writeFile(file, `import { createLogger } from ${JSON.stringify(pathToFileURL(join(root, "dist/src/logger.js")).href)};\nconst log = createLogger();\n${body}\n`);
    const child = spawn(process.execPath, [file], { cwd: root, env, stdio: ["ignore", "pipe", "inherit"] });
    children.push(child);
    return child;
  }

  it("a process that logs to a closed stdout and exits, exits", async () => {
    const child = await script(`log.info("first"); setTimeout(() => { log.info("a"); log.info("b"); process.exit(3); }, 300);`);
    await new Promise<void>((resolve) => child.stdout!.once("data", () => resolve()));
    child.stdout!.destroy();
    expect(await exitWithin(child, 5_000)).toBe(3);
  });

  it("keeps every line logged just before process.exit when stdout is read", async () => {
    const child = await script(`for (let i = 0; i < 5000; i++) log.info({ i }, "line"); process.exit(0);`);
    const lines: string[] = [];
    const read = new Promise((resolve) => createInterface({ input: child.stdout! }).on("line", (l) => lines.push(l)).once("close", resolve));
    expect(await exitWithin(child, 10_000)).toBe(0);
    await read;
    expect(lines).toHaveLength(5000);
    expect((JSON.parse(lines[4999]) as { i: number }).i).toBe(4999);
  });
});

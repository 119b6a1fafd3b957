import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { join } from "node:path";
import { packageRoot } from "../../src/paths.js";

export interface GatewayProcess {
  child: ChildProcess;
  /** `eventSource/eventName` -> the URL it actually listens on. */
  urls: Map<string, string>;
  /** Every JSON log line printed so far. */
  logs: Record<string, unknown>[];
  stderr: string[];
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Runs the built CLI (`npm test` builds first) with `serve` and the given args,
 * and resolves once it logged "gateway ready" (`readyLines` times: once per worker).
 */
export async function startGatewayProcess(args: string[], timeoutMs = 20_000, readyLines = 1): Promise<GatewayProcess> {
  // The events endpoint's default port (2746) would collide between parallel tests.
  const events = args.includes("--events-port") ? [] : ["--events-port", "0"];
  // Likewise the admin port (7777).
  const admin = args.includes("--admin-port") ? [] : ["--admin-port", "0"];
  const child = spawn(process.execPath, [join(packageRoot(), "dist/src/cli.js"), "serve", ...events, ...admin, ...args], {
    cwd: packageRoot(),
    stdio: ["ignore", "pipe", "pipe"],
  });
  const urls = new Map<string, string>();
  const logs: Record<string, unknown>[] = [];
  const stderr: string[] = [];
  createInterface({ input: child.stderr! }).on("line", (l) => stderr.push(l));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`gateway not ready in ${timeoutMs} ms:\n${stderr.join("\n")}`)), timeoutMs);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`gateway exited with ${code}:\n${stderr.join("\n")}\n${JSON.stringify(logs)}`));
    });
    createInterface({ input: child.stdout! }).on("line", (line) => {
      let rec: Record<string, unknown>;
      try {
        rec = JSON.parse(line) as Record<string, unknown>;
      } catch {
        return;
      }
      logs.push(rec);
      if (rec.msg === "listening") urls.set(`${rec.eventSource}/${rec.eventName}`, String(rec.url));
      if (rec.msg === "gateway ready" && --readyLines === 0) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  return {
    child,
    urls,
    logs,
    stderr,
    stop: async (signal = "SIGTERM") => {
      if (child.exitCode === null) child.kill(signal);
      return exited;
    },
  };
}

// A throwaway nats-server with JetStream on a free loopback port and a temp store dir.
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

const BIN = process.env.NATS_SERVER_BIN ?? "nats-server";

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function portFree(port) {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once("error", () => resolve(false));
    srv.listen(port, "127.0.0.1", () => srv.close(() => resolve(true)));
  });
}

/** The first of `count` consecutive free ports (`serve --workers` puts worker k's admin on base + k - 1). */
export async function freePortRange(count) {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = await freePort();
    if (base + count > 65536) continue;
    let ok = true;
    for (let k = 1; k < count && ok; k++) ok = await portFree(base + k);
    if (ok) return base;
  }
  throw new Error(`no ${count} consecutive free ports found`);
}

export async function startNats() {
  const storeDir = await mkdtemp(join(tmpdir(), "tg-bench-nats-"));
  const port = await freePort();
  const child = spawn(BIN, ["-a", "127.0.0.1", "-p", String(port), "-js", "-sd", storeDir], { stdio: ["ignore", "ignore", "pipe"] });
  const exited = new Promise((resolve) => child.once("exit", resolve));
  let log = "";
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`nats-server not ready:\n${log}`)), 15_000);
    child.once("error", (err) => reject(new Error(`cannot start ${BIN} (set NATS_SERVER_BIN): ${err.message}`)));
    child.once("exit", () => reject(new Error(`nats-server exited:\n${log}`)));
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (chunk) => {
      log += chunk;
      if (log.includes("Server is ready")) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  return {
    url: `nats://127.0.0.1:${port}`,
    pid: child.pid,
    stop: async () => {
      child.kill("SIGTERM");
      await exited;
      await rm(storeDir, { recursive: true, force: true });
    },
  };
}

import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, connect as tcpConnect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect, type NatsConnection } from "nats";

const NATS_SERVER = process.env.NATS_SERVER_BIN ?? "/usr/sbin/nats-server";

export interface NatsServerOptions {
  jetstream?: boolean;
  /** Default: a new temp dir, removed by stop(). */
  storeDir?: string;
  /** Default: a free port. */
  port?: number;
  /** Extra command-line args, e.g. ["--auth", "s3cret"]. */
  args?: string[];
  cluster?: { name: string; serverName: string; clusterPort: number; routes: string[] };
}

export interface NatsServer {
  url: string;
  port: number;
  storeDir: string;
  /** SIGTERM, wait for exit, remove the store dir if it was created here. */
  stop(): Promise<void>;
  /** SIGKILL, wait for exit; the store dir is kept for restart(). */
  kill9(): Promise<void>;
  /** Start again on the same port with the same store dir. */
  restart(): Promise<void>;
  /** The server's log lines so far (its stderr). */
  logs: string[];
}

/** A port nobody listens on right now: bind port 0, read it, close. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = tcpConnect({ port, host: "127.0.0.1" });
    s.once("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.once("error", () => resolve(false));
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Running {
  child: ChildProcess;
  exited: Promise<void>;
}

function spawnServer(args: string[], logs: string[]): Running {
  const child = spawn(NATS_SERVER, args, { stdio: ["ignore", "ignore", "pipe"] });
  child.stderr?.setEncoding("utf8");
  child.stderr?.on("data", (chunk: string) => logs.push(...chunk.split("\n").filter((l) => l !== "")));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return { child, exited };
}

/** Waits for "Server is ready" and a connectable port; rejects if the process exits first. */
async function waitReady(run: Running, port: number, logs: string[], timeoutMs = 15_000): Promise<"ok" | "exited"> {
  let exited = false;
  void run.exited.then(() => (exited = true));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exited) return "exited";
    if (logs.some((l) => l.includes("Server is ready")) && (await canConnect(port))) return "ok";
    await sleep(25);
  }
  run.child.kill("SIGKILL");
  throw new Error(`nats-server on port ${port} not ready after ${timeoutMs} ms:\n${logs.join("\n")}`);
}

export async function startNatsServer(options: NatsServerOptions = {}): Promise<NatsServer> {
  const ownDir = options.storeDir === undefined;
  const storeDir = options.storeDir ?? (await mkdtemp(join(tmpdir(), "tg-nats-")));
  const fixedPort = options.port;
  const logs: string[] = [];
  let port = 0;
  let run: Running | undefined;

  const argsFor = (p: number): string[] => {
    const a = ["-a", "127.0.0.1", "-p", String(p)];
    if (options.jetstream !== false) a.push("-js", "-sd", storeDir);
    if (options.cluster) {
      const c = options.cluster;
      a.push(
        "--cluster", `nats://127.0.0.1:${c.clusterPort}`,
        "--cluster_name", c.name,
        "--routes", c.routes.join(","),
        "-n", c.serverName,
      );
    }
    return a.concat(options.args ?? []);
  };

  const launch = async (p: number): Promise<"ok" | "exited"> => {
    logs.length = 0;
    run = spawnServer(argsFor(p), logs);
    return waitReady(run, p, logs);
  };

  // A port found free may be taken before the server binds it: retry with a new one.
  for (let attempt = 0; ; attempt++) {
    port = fixedPort ?? (await freePort());
    const r = await launch(port);
    if (r === "ok") break;
    const inUse = logs.some((l) => /address already in use/i.test(l));
    // A new client port does not help when the cluster's route port was taken: the cluster retries.
    const routePortTaken = logs.some((l) => /router port.*address already in use/i.test(l));
    if (!inUse || routePortTaken || fixedPort !== undefined || attempt >= 5) {
      throw new Error(`nats-server exited on start:\n${logs.join("\n")}`);
    }
  }

  const halt = async (signal: NodeJS.Signals): Promise<void> => {
    const r = run;
    run = undefined;
    if (!r || r.child.exitCode !== null || r.child.signalCode !== null) return;
    r.child.kill(signal);
    await r.exited;
  };

  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    storeDir,
    logs,
    stop: async () => {
      await halt("SIGTERM");
      if (ownDir) await rm(storeDir, { recursive: true, force: true });
    },
    kill9: () => halt("SIGKILL"),
    restart: async () => {
      await halt("SIGTERM");
      // The old socket may linger briefly: retry the same port for a while.
      for (let attempt = 0; ; attempt++) {
        if ((await launch(port)) === "ok") return;
        if (attempt >= 20) throw new Error(`nats-server restart failed:\n${logs.join("\n")}`);
        await sleep(100);
      }
    },
  };
}

export interface NatsCluster {
  servers: NatsServer[];
  /** Client URLs of every server. */
  urls: string[];
  stop(): Promise<void>;
}

/** Connects until JetStream answers with a stream of `replicas`, proving a meta leader exists. */
async function waitForJetStream(urls: string[], replicas: number, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let nc: NatsConnection | undefined;
  let last: unknown;
  try {
    nc = await connect({ servers: urls, timeout: 2000 });
    const name = `probe_${Date.now()}`;
    while (Date.now() < deadline) {
      try {
        // jetstreamManager() itself asks for account info, which fails until a meta leader exists.
        const jsm = await nc.jetstreamManager({ timeout: 2000 });
        await jsm.streams.add({ name, subjects: [`${name}.>`], num_replicas: replicas });
        await jsm.streams.delete(name);
        return;
      } catch (err) {
        last = err;
        await sleep(200);
      }
    }
    throw new Error(`JetStream not ready on ${urls.join(",")}: ${String(last)}`);
  } finally {
    await nc?.close();
  }
}

/** `size` clustered JetStream servers on loopback, ready once a replicated stream can be created. */
export async function startNatsCluster(size = 3): Promise<NatsCluster> {
  let servers: NatsServer[] = [];
  // Route ports found free may be taken by a parallel suite before a server binds them: start over with new ones.
  for (let attempt = 0; ; attempt++) {
    const clusterPorts: number[] = [];
    for (let i = 0; i < size; i++) clusterPorts.push(await freePort());
    const routes = clusterPorts.map((p) => `nats://127.0.0.1:${p}`);
    // Servers wait for each other's routes before JetStream is usable, so start them all at once.
    const started = await Promise.allSettled(
      clusterPorts.map((clusterPort, i) =>
        startNatsServer({ cluster: { name: "tg", serverName: `n${i + 1}`, clusterPort, routes } }),
      ),
    );
    servers = started.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
    const failed = started.flatMap((r) => (r.status === "rejected" ? [r.reason as unknown] : []));
    if (failed.length === 0) break;
    await Promise.all(servers.map((s) => s.stop()));
    const routeTaken = failed.every((e) => /router port.*address already in use/i.test(String(e)));
    if (!routeTaken || attempt >= 5) throw failed[0];
  }
  const urls = servers.map((s) => s.url);
  try {
    await waitForJetStream(urls, size);
  } catch (err) {
    await Promise.all(servers.map((s) => s.stop()));
    throw err;
  }
  return { servers, urls, stop: async () => void (await Promise.all(servers.map((s) => s.stop()))) };
}

/** NATS_URL when set (a server someone else runs), else a fresh local server. */
export async function natsUrlForTests(): Promise<{ url: string; stop(): Promise<void> }> {
  const fromEnv = process.env.NATS_URL;
  if (fromEnv) return { url: fromEnv, stop: async () => {} };
  const server = await startNatsServer({ jetstream: true });
  return { url: server.url, stop: () => server.stop() };
}

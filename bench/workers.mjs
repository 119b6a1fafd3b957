// The gateway as `serve --workers N` runs it: a child process (the cluster primary)
// and N workers sharing the webhook port and the JetStream consumers. A Workflow's
// store time is when its file appears (inotify via fs.watch); its name follows from
// the delivery id, as the gateway derives it.
import { spawn } from "node:child_process";
import { watch } from "node:fs";
import { mkdir, mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";
import { newEventId } from "../dist/src/eventbus/cloudevent.js";
import { deterministicName } from "../dist/src/sensor/naming.js";
import { NAMESPACE } from "./config.mjs";
import { freePort, freePortRange } from "./nats.mjs";

const now = () => performance.timeOrigin + performance.now();
const CLI = fileURLToPath(new URL("../dist/src/cli.js", import.meta.url));

/** delivery id -> the Workflow name the bench sensor's trigger gives it. */
function workflowName(delivery) {
  const eventId = newEventId(delivery, "github/pull-requests");
  return `${deterministicName("pr-check-", { sensorNamespace: "argo-events", sensorName: "pr-checks", triggerName: "check", eventIds: [eventId] })}.yaml`;
}

/** `splitRoles`: serve --split-roles (the first workers/2 receive, the rest run the sensor). */
export async function startBenchWorkers({ configDir, secretsDir, natsUrl, workers, splitRoles = false }) {
  const storeDir = await mkdtemp(join(tmpdir(), "tg-bench-store-"));
  await mkdir(join(storeDir, NAMESPACE), { recursive: true });
  const created = new Map();
  const watcher = watch(join(storeDir, NAMESPACE), (_type, file) => {
    if (file && !created.has(file)) created.set(file, now());
  });
  const names = new Map();
  const nameOf = (d) => {
    let n = names.get(d);
    if (n === undefined) names.set(d, (n = workflowName(d)));
    return n;
  };
  const storedAt = { has: (d) => created.has(nameOf(d)), get: (d) => created.get(nameOf(d)) };
  const port = await freePort();
  // Worker k serves admin on base + k - 1; its /readyz says when it runs.
  const admin = await freePortRange(workers);
  const child = spawn(
    process.execPath,
    [CLI, "serve", "--config", configDir, "--secrets-dir", secretsDir, "--local-store", storeDir, "--nats-url", natsUrl,
      "--workers", String(workers), "--host", "127.0.0.1", "--port", `12000=${port}`, "--admin-port", String(admin), "--events-port", "0",
      ...(splitRoles ? ["--split-roles"] : [])],
    // Logs at info to /dev/null, as the in-process gateway's.
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  const exited = new Promise((resolve) => child.once("exit", resolve));
  let stderr = "";
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (c) => (stderr += c));
  const url = `http://127.0.0.1:${port}/pull-requests`;
  const deadline = Date.now() + 30_000;
  for (let k = 0; k < workers; k++) {
    for (;;) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`workers not ready:\n${stderr}`);
      const status = await fetch(`http://127.0.0.1:${admin + k}/readyz`).then((r) => r.status, () => 0);
      if (status === 200) break;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  await new Promise((r) => setTimeout(r, 1000));
  return {
    url,
    storedAt,
    storeDir,
    pid: child.pid,
    close: async () => {
      watcher.close();
      child.kill("SIGTERM");
      await exited;
    },
  };
}

// `npm run bench`: end-to-end throughput and latency of webhook -> Workflow stored,
// on the memory bus and on JetStream, with the machine's ceilings measured in the
// same run. One JSON object on stdout; progress on stderr.
import { createHmac } from "node:crypto";
import { execFileSync, fork } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { pullRequestPayload } from "./payload.mjs";
import { SECRET, writeBenchConfig } from "./config.mjs";
import { startBenchGateway } from "./gateway.mjs";
import { startBenchWorkers } from "./workers.mjs";
import { startNats } from "./nats.mjs";
import { startBareHmacServer, jetstreamPublishCeiling } from "./ceilings.mjs";
import { cpuMs } from "./proc.mjs";
import { sensorScale } from "./sensor-scale.mjs";

const env = (name, fallback) => Number(process.env[name] ?? fallback);
const DURATION_MS = env("BENCH_DURATION_MS", 10_000);
const CONCURRENCY = env("BENCH_CONCURRENCY", 50);
const RATE = env("BENCH_RATE", 1000);
const RATE_SECONDS = env("BENCH_RATE_SECONDS", 5);
const WARMUP = env("BENCH_WARMUP", 1000);
const DRAIN_TIMEOUT_MS = env("BENCH_DRAIN_TIMEOUT_MS", 120_000);
const WORKERS = env("BENCH_WORKERS", 2);
const TRIGGER_CONCURRENCY = process.env.BENCH_TRIGGER_CONCURRENCY ? Number(process.env.BENCH_TRIGGER_CONCURRENCY) : undefined;
// The sensorScale row, smaller than its standalone full run (node bench/sensor-scale.mjs)
// so that the whole bench stays within minutes; every phase of it has a timeout.
const SCALE = {
  sensors: (process.env.BENCH_SCALE_SENSORS ?? "1,100,1000").split(",").filter(Boolean).map(Number),
  buses: (process.env.BENCH_SCALE_BUSES ?? "memory,jetstream").split(",").filter(Boolean),
  events: env("BENCH_SCALE_EVENTS", 500),
  warmup: env("BENCH_SCALE_WARMUP", 50),
  rate: env("BENCH_SCALE_RATE", 100),
  rateSeconds: env("BENCH_SCALE_RATE_SECONDS", 3),
  readyTimeoutMs: 60_000,
  phaseTimeoutMs: env("BENCH_SCALE_PHASE_TIMEOUT_MS", 60_000),
};

const progress = (msg) => process.stderr.write(`[bench] ${msg}\n`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const round = (n, d = 1) => Math.round(n * 10 ** d) / 10 ** d;

if (!existsSync(fileURLToPath(new URL("../dist/src/index.js", import.meta.url)))) {
  progress("dist/ missing: run `npm run bench` (it builds first)");
  process.exit(2);
}

const payload = pullRequestPayload();
const headers = {
  "content-type": "application/json",
  "user-agent": "GitHub-Hookshot/bench",
  "x-github-event": "pull_request",
  "x-hub-signature-256": `sha256=${createHmac("sha256", SECRET).update(payload).digest("hex")}`,
};

// --- the load generator process --------------------------------------------------
const loader = fork(fileURLToPath(new URL("./load.mjs", import.meta.url)), [], { stdio: ["ignore", "ignore", "inherit", "ipc"] });
function load(cmd) {
  return new Promise((resolve, reject) => {
    loader.once("message", (m) => (m.ok ? resolve(m) : reject(new Error(m.error))));
    loader.send({ body: payload.toString("base64"), headers, deliveryHeader: "x-github-delivery", concurrency: CONCURRENCY, ...cmd });
  });
}

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** Waits until every 2xx delivery of `prefix` is stored (or the timeout), then summarises. */
async function summarise(gw, prefix, result) {
  const accepted = [];
  for (let i = 0; i < result.status.length; i++) if (result.status[i] >= 200 && result.status[i] < 300) accepted.push(i);
  const deadline = Date.now() + DRAIN_TIMEOUT_MS;
  const stored = () => accepted.filter((i) => gw.storedAt.has(`${prefix}${i}`)).length;
  while (stored() < accepted.length && Date.now() < deadline) await sleep(50);
  const latencies = [];
  let first = Infinity;
  let last = 0;
  for (const i of accepted) {
    const at = gw.storedAt.get(`${prefix}${i}`);
    first = Math.min(first, result.sentAt[i]);
    if (at === undefined) continue;
    last = Math.max(last, at);
    latencies.push(at - result.sentAt[i]);
  }
  latencies.sort((a, b) => a - b);
  const non2xx = result.status.length - accepted.length;
  return {
    events: latencies.length,
    eventsPerSecond: Math.round(latencies.length / ((last - first) / 1000)),
    requestsPerSecond: Math.round(result.status.length / (result.elapsedMs / 1000)),
    p50Ms: round(percentile(latencies, 50)),
    p99Ms: round(percentile(latencies, 99)),
    maxMs: round(latencies.at(-1) ?? NaN),
    ...(non2xx ? { non2xx } : {}),
    ...(accepted.length - latencies.length ? { notStored: accepted.length - latencies.length } : {}),
  };
}

/**
 * `pids`: { gateway: [pid...], natsServer?: pid }. Besides the rates, says how much
 * CPU each process spent per stored event: on 2 cores their sum bounds the rate.
 */
async function throughputRun(gw, label, pids) {
  progress(`${label}: warm-up (${WARMUP} events)`);
  await summarise(gw, `${label}-warm-`, await load({ url: gw.url, mode: "closed", count: WARMUP, prefix: `${label}-warm-` }));
  progress(`${label}: ${CONCURRENCY} connections for ${DURATION_MS} ms`);
  const who = { gateway: pids.gateway, loadGenerator: [loader.pid], ...(pids.natsServer ? { natsServer: [pids.natsServer] } : {}) };
  const sum = (list) => list.reduce((a, p) => a + (cpuMs(p) ?? NaN), 0);
  const before = Object.fromEntries(Object.entries(who).map(([k, v]) => [k, sum(v)]));
  const r = await summarise(gw, `${label}-tp-`, await load({ url: gw.url, mode: "closed", durationMs: DURATION_MS, prefix: `${label}-tp-` }));
  const cpu = {};
  for (const [k, v] of Object.entries(who)) cpu[k] = Math.round(((sum(v) - before[k]) * 1000) / r.events);
  if (Object.values(cpu).every(Number.isFinite)) r.cpuUsPerEvent = cpu;
  progress(`${label}: ${JSON.stringify(r)}`);
  return r;
}

/** `serve --workers WORKERS [--split-roles]` as a child process: throughput, then the fixed rate. */
async function workersRun({ configDir, secretsDir, nats, label, splitRoles, cleanups }) {
  const name = `serve --workers ${WORKERS}${splitRoles ? " --split-roles" : ""}`;
  progress(`jetstream bus, ${name}`);
  const jw = await startBenchWorkers({ configDir, secretsDir, natsUrl: nats.url, workers: WORKERS, splitRoles });
  cleanups.push(() => rm(jw.storeDir, { recursive: true, force: true }));
  const workerPids = execFileSync("pgrep", ["-P", String(jw.pid)], { encoding: "utf8" }).trim().split("\n").map(Number);
  const out = { workers: WORKERS, ...(splitRoles ? { receivers: Math.floor(WORKERS / 2), sensors: WORKERS - Math.floor(WORKERS / 2) } : {}) };
  Object.assign(out, await throughputRun(jw, label, { gateway: [jw.pid, ...workerPids], natsServer: nats.pid }));
  await sleep(1000);
  const r = await summarise(jw, `${label}-rate-`, await load({ url: jw.url, mode: "rate", rate: RATE, count: RATE * RATE_SECONDS, prefix: `${label}-rate-` }));
  progress(`jetstream ${name} at ${RATE}/s: ${JSON.stringify(r)}`);
  out[`at${RATE}PerSecond`] = { p50Ms: r.p50Ms, p99Ms: r.p99Ms, maxMs: r.maxMs, events: r.events, ...(r.non2xx ? { non2xx: r.non2xx } : {}) };
  await jw.close();
  return out;
}

async function main() {
  const dir = await mkdtemp(join(os.tmpdir(), "tg-bench-"));
  const { configDir, secretsDir } = await writeBenchConfig(dir);
  const out = {};
  const cleanups = [];
  // Other work on the machine skews every number: say how busy it was.
  const loadBefore = os.loadavg()[0];
  try {
    progress("ceiling: bare node http server verifying the HMAC");
    const bare = await startBareHmacServer(SECRET);
    await load({ url: bare.url, mode: "closed", count: 2000, prefix: "bw-" });
    const bareRun = await load({ url: bare.url, mode: "closed", durationMs: Math.min(DURATION_MS, 5000), prefix: "b-" });
    await bare.close();
    const bareOk = bareRun.status.filter((s) => s === 200).length;
    const bareHttpHmac = { requestsPerSecond: Math.round(bareOk / (bareRun.elapsedMs / 1000)) };
    progress(`ceiling: ${JSON.stringify(bareHttpHmac)}`);

    progress("memory bus");
    const mem = await startBenchGateway({ configDir, secretsDir, triggerConcurrency: TRIGGER_CONCURRENCY });
    cleanups.push(() => rm(mem.storeDir, { recursive: true, force: true }));
    out.memory = await throughputRun(mem, "mem", { gateway: [process.pid] });
    await mem.close();

    progress("starting nats-server");
    const nats = await startNats();
    cleanups.push(() => nats.stop());
    progress("ceiling: pipelined JetStream publish");
    const jetstreamPublish = await jetstreamPublishCeiling(nats.url, payload);
    progress(`ceiling: ${JSON.stringify(jetstreamPublish)}`);

    progress("jetstream bus");
    const js = await startBenchGateway({ configDir, secretsDir, natsUrl: nats.url, triggerConcurrency: TRIGGER_CONCURRENCY });
    cleanups.push(() => rm(js.storeDir, { recursive: true, force: true }));
    out.jetstream = await throughputRun(js, "js", { gateway: [process.pid], natsServer: nats.pid });
    await sleep(1000);
    progress(`jetstream: ${RATE} events/s offered for ${RATE_SECONDS} s`);
    const rate = await summarise(js, "js-rate-", await load({ url: js.url, mode: "rate", rate: RATE, count: RATE * RATE_SECONDS, prefix: "js-rate-" }));
    progress(`jetstream at ${RATE}/s: ${JSON.stringify(rate)}`);
    out.jetstream[`at${RATE}PerSecond`] = { p50Ms: rate.p50Ms, p99Ms: rate.p99Ms, maxMs: rate.maxMs, events: rate.events, ...(rate.non2xx ? { non2xx: rate.non2xx } : {}) };
    await js.close();

    // The same path using both cores: serve --workers, as a child process; then with
    // --split-roles (one worker receives, the other runs the sensor).
    out.jetstreamWorkers = await workersRun({ configDir, secretsDir, nats, label: "jw", splitRoles: false, cleanups });
    out.jetstreamSplitRoles = await workersRun({ configDir, secretsDir, nats, label: "js2", splitRoles: true, cleanups });

    // Issue #16: CPU, RSS and start time as the Sensors loaded grow (each event matches one).
    if (SCALE.sensors.length && SCALE.buses.length) {
      out.sensorScale = await sensorScale(SCALE, (m) => progress(`sensorScale: ${m}`));
    }

    out.ceilings = { bareHttpHmac, jetstreamPublish };
    out.machine = {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model,
      memoryGiB: round(os.totalmem() / 2 ** 30),
      node: process.version,
      platform: `${os.platform()} ${os.release()}`,
      loadAverage1m: { before: round(loadBefore, 2), after: round(os.loadavg()[0], 2) },
    };
    out.method = {
      payload: `GitHub pull_request "opened" example trimmed to ${payload.length} bytes, HMAC-SHA256 signed, unique X-GitHub-Delivery per request`,
      load: `separate node process, ${CONCURRENCY} raw keep-alive HTTP/1.1 sockets, request bytes built once (as wrk/autocannon); throughput: ${CONCURRENCY} requests always in flight for ${DURATION_MS} ms after ${WARMUP} warm-up events; latency at rate: open loop, clock starts when a request is due`,
      gateway: "in this process, wired as `serve` (receivers, sensor runner, argoWorkflow trigger, local Workflow store in a temp dir, logs at info to /dev/null); the store is wrapped to timestamp each successful create",
      latency: "request due/sent -> Workflow file written (create resolved), wall clock performance.timeOrigin+now() in both processes",
      eventsPerSecond: "Workflows stored / (last stored - first sent)",
      jetstream: "local nats-server -js, file storage, temp store dir, 1 replica",
      jetstreamWorkers: `serve --workers ${WORKERS} as a child process (logs at info to /dev/null); stored = the Workflow file appearing (fs.watch), its name derived from the delivery id as the gateway does`,
      jetstreamSplitRoles: `the same with --split-roles: ${Math.floor(WORKERS / 2)} worker(s) receive and publish, ${WORKERS - Math.floor(WORKERS / 2)} run the sensor`,
      triggerConcurrency: TRIGGER_CONCURRENCY ?? "default",
      cpuUsPerEvent: "CPU time (user+system, /proc) each process spent during the throughput run / Workflows stored; the in-process gateway's includes the bench's bookkeeping",
    };
  } finally {
    loader.send("exit");
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  }
  process.stdout.write(JSON.stringify(out) + "\n");
}

main().then(
  () => process.exit(0),
  (err) => {
    progress(String(err?.stack ?? err));
    process.exit(1);
  },
);

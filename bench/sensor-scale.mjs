// sensorScale (issue #16): what one event costs as the number of loaded Sensors grows.
// One GitHub EventSource, N generated Sensors (Sensor i takes pushes to repo-<i> only),
// signed ~7.5 KB pushes rotating over repo-0..repo-(N-1): each event fires exactly one
// Sensor, whatever N. `serve` runs as a child process (the built CLI, local Workflow
// store in a temp dir), on the memory bus and on JetStream (a fresh nats-server per run).
//
//   node bench/sensor-scale.mjs [--sensors 1,100,1000,10000] [--bus memory,jetstream]
//     [--events 10000] [--warmup 200] [--concurrency 50] [--rate 200] [--rate-seconds 5]
//     [--ready-timeout 120] [--phase-timeout 300]
//
// One JSON object on stdout, progress on stderr. `npm run bench` runs it smaller.
import { fork, spawn } from "node:child_process";
import { rmSync, watch } from "node:fs";
import { mkdir, mkdtemp, readdir, rm } from "node:fs/promises";
import os from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { performance } from "node:perf_hooks";
import { SCALE_SECRET, WORKFLOW_NAMESPACE, workflowFile, writeScaleConfig } from "./scale-config.mjs";
import { pushPayloadTemplate } from "./payload.mjs";
import { freePort, startNats } from "./nats.mjs";
import { cpuMs, rssMB } from "./proc.mjs";

const CLI = fileURLToPath(new URL("../dist/src/cli.js", import.meta.url));
const LOADER = fileURLToPath(new URL("./load.mjs", import.meta.url));
const PLACEHOLDER = "__SCALE_REPO__";

export const FULL_RUN = {
  sensors: [1, 100, 1000, 10000],
  buses: ["memory", "jetstream"],
  events: 10_000,
  warmup: 200,
  concurrency: 50,
  rate: 200,
  rateSeconds: 5,
  readyTimeoutMs: 120_000,
  phaseTimeoutMs: 300_000,
};

// [name, sensors, max, value of a row, bus (all when absent)]: issue #16's targets.
const TARGETS = [
  ["gatewayCpuRatio", 1000, 2, (r) => r.cpuRatio?.gateway],
  ["gatewayCpuRatio", 10000, 3, (r) => r.cpuRatio?.gateway],
  ["natsServerCpuRatio", 1000, 1.5, (r) => r.cpuRatio?.natsServer, "jetstream"],
  ["rssAfterEventsMB", 1000, 200, (r) => r.rssAfterEventsMB],
  ["rssAfterEventsMB", 10000, 500, (r) => r.rssAfterEventsMB],
  ["startToReadyMs", 1000, 2000, (r) => r.startToReadyMs],
];

const now = () => performance.timeOrigin + performance.now();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const round = (n, d = 1) => (Number.isFinite(n) ? Math.round(n * 10 ** d) / 10 ** d : null);
const percentile = (sorted, p) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] : NaN);

// Whatever this module started dies with this process, even on an early exit.
const killers = new Set();
const tempDirs = new Set();
process.on("exit", () => {
  for (const kill of killers) kill();
  for (const d of tempDirs) rmSync(d, { recursive: true, force: true });
});
const killer = (pid) => () => {
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // already gone
  }
};

/** The load generator (bench/load.mjs) as a child; every command is bounded by a timer. */
function startLoader() {
  const child = fork(LOADER, [], { stdio: ["ignore", "ignore", "inherit", "ipc"] });
  const kill = killer(child.pid);
  killers.add(kill);
  return {
    run: (cmd) =>
      new Promise((ok, fail) => {
        const timer = setTimeout(() => fail(new Error("load generator did not answer")), cmd.deadlineMs + 30_000);
        child.once("message", (m) => {
          clearTimeout(timer);
          if (m.ok) ok(m);
          else fail(new Error(m.error));
        });
        child.send(cmd);
      }),
    close: () => {
      child.send("exit");
      killers.delete(kill);
    },
  };
}

/**
 * `serve` as a child process; ready when its /readyz answers 200. Workflow store
 * times come from watching the namespace folder (the store links each file in whole).
 */
async function startServe({ configDir, secretsDir, natsUrl, readyTimeoutMs }) {
  const storeDir = await mkdtemp(join(os.tmpdir(), "tg-scale-store-"));
  tempDirs.add(storeDir);
  const folder = join(storeDir, WORKFLOW_NAMESPACE);
  await mkdir(folder, { recursive: true });
  const created = new Map();
  const watcher = watch(folder, (_type, file) => {
    if (file && !created.has(file)) created.set(file, now());
  });
  const port = await freePort();
  const admin = await freePort();
  const args = [CLI, "serve", "--config", configDir, "--secrets-dir", secretsDir, "--local-store", storeDir, "--host", "127.0.0.1",
    "--port", `12000=${port}`, "--admin-port", String(admin), "--events-port", "0", "--grace-period", "5s", ...(natsUrl ? ["--nats-url", natsUrl] : [])];
  const spawnedAt = now();
  // Logs at info to /dev/null, as the other benches' gateways.
  const child = spawn(process.execPath, args, { stdio: ["ignore", "ignore", "pipe"] });
  const kill = killer(child.pid);
  killers.add(kill);
  const exited = new Promise((r) => child.once("exit", r));
  let stderr = "";
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (c) => (stderr = (stderr + c).slice(-4000)));
  const close = async () => {
    watcher.close();
    child.kill("SIGTERM");
    const hard = setTimeout(kill, 10_000);
    await exited;
    clearTimeout(hard);
    killers.delete(kill);
    await rm(storeDir, { recursive: true, force: true });
    tempDirs.delete(storeDir);
  };
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      await close();
      throw new Error(`serve exited before ready:\n${stderr}`);
    }
    if (now() - spawnedAt > readyTimeoutMs) {
      await close();
      throw new Error(`serve not ready within ${readyTimeoutMs} ms`);
    }
    const status = await fetch(`http://127.0.0.1:${admin}/readyz`, { signal: AbortSignal.timeout(2000) }).then(
      async (r) => (await r.text(), r.status),
      () => 0,
    );
    if (status === 200) break;
    await sleep(10);
  }
  return { pid: child.pid, admin, url: `http://127.0.0.1:${port}/push`, folder, created, readyMs: now() - spawnedAt, close };
}

/** V8 heap in use (from the gateway's /metrics): what RSS holds beyond it is the heap's free room, code and buffers. */
async function heapMB(admin) {
  const text = await fetch(`http://127.0.0.1:${admin}/metrics`, { signal: AbortSignal.timeout(5000) }).then((r) => r.text(), () => "");
  const m = /^nodejs_heap_size_used_bytes (\S+)$/m.exec(text);
  return m ? round(Number(m[1]) / 2 ** 20) : null;
}

/**
 * Sends `count` pushes (closed loop at `concurrency`, or open loop at `rate`), then
 * waits until every accepted one's Workflow is stored, all within `timeoutMs`.
 * CPU of `pids` is read at the start and once the last Workflow is stored.
 */
async function phase(gw, loader, o, { label, count, mode, rate, offset, pids }) {
  const prefix = `${label}-`;
  const files = Array.from({ length: count }, (_, i) => workflowFile(`${prefix}${i}`, (offset + i) % o.sensors));
  const cpu0 = pids.map(cpuMs);
  const started = now();
  const r = await loader.run({
    url: gw.url,
    body: o.template,
    headers: { "content-type": "application/json", "user-agent": "GitHub-Hookshot/bench", "x-github-event": "push" },
    deliveryHeader: "x-github-delivery",
    vary: { placeholder: PLACEHOLDER, valuePrefix: "repo-", values: o.sensors, offset, secret: SCALE_SECRET, signatureHeader: "x-hub-signature-256" },
    concurrency: o.concurrency,
    mode,
    count,
    rate,
    prefix,
    deadlineMs: o.phaseTimeoutMs,
  });
  const accepted = [];
  for (let i = 0; i < r.status.length; i++) if (r.status[i] >= 200 && r.status[i] < 300) accepted.push(i);
  let waiting = accepted;
  while (waiting.length && now() - started < o.phaseTimeoutMs) {
    await sleep(20);
    waiting = waiting.filter((i) => !gw.created.has(files[i]));
  }
  const cpu1 = pids.map(cpuMs);
  // A watch event lost (inotify overflow) must not count as a lost Workflow.
  if (waiting.length) {
    const present = new Set(await readdir(gw.folder));
    waiting = waiting.filter((i) => !present.has(files[i]));
  }
  const stored = accepted.length - waiting.length;
  const latencies = [];
  const answers = [];
  let first = Infinity;
  let last = 0;
  for (const i of accepted) {
    first = Math.min(first, r.sentAt[i]);
    answers.push(r.answeredAt[i] - r.sentAt[i]);
    const at = gw.created.get(files[i]);
    if (at === undefined) continue;
    last = Math.max(last, at);
    latencies.push(at - r.sentAt[i]);
  }
  latencies.sort((a, b) => a - b);
  answers.sort((a, b) => a - b);
  const out = {
    events: stored,
    eventsPerSecond: Math.round(latencies.length / ((last - first) / 1000)),
    p50Ms: round(percentile(latencies, 50)),
    p99Ms: round(percentile(latencies, 99)),
    maxMs: round(latencies.at(-1)),
    webhookP99Ms: round(percentile(answers, 99)),
    cpuMsPerEvent: cpu0.map((c, k) => round((cpu1[k] - c) / stored, 3)),
  };
  // Status 0: no answer (the connection broke, or the phase's deadline cut it).
  const noAnswer = r.status.filter((s) => s === 0).length;
  if (r.status.length - accepted.length - noAnswer) out.non2xx = r.status.length - accepted.length - noAnswer;
  if (noAnswer) out.noAnswer = noAnswer;
  if (r.status.length < count) out.notSent = count - r.status.length;
  if (waiting.length) out.notStored = waiting.length;
  if (r.timedOut || waiting.length) out.timedOut = true;
  return { out, sent: r.status.length };
}

/** One (N, bus) run: start, warm-up, saturation, fixed rate; a fresh gateway (and nats-server). */
async function measure(o, config, bus, log) {
  const row = {};
  const nats = bus === "jetstream" ? await startNats() : undefined;
  const natsKill = nats && killer(nats.pid);
  if (natsKill) killers.add(natsKill);
  let gw;
  try {
    gw = await startServe({ ...config, natsUrl: nats?.url, readyTimeoutMs: o.readyTimeoutMs });
    row.startToReadyMs = Math.round(gw.readyMs);
    row.rssReadyMB = rssMB(gw.pid);
    const pids = [gw.pid, ...(nats ? [nats.pid] : [])];
    let sent = 0;
    let stored = 0;
    const run = async (label, count, mode, rate) => {
      const r = await phase(gw, o.loader, o, { label, count, mode, rate, offset: sent, pids });
      sent += r.sent;
      stored += r.out.events;
      return r.out;
    };
    log(`${bus} ${o.sensors} sensors: ready in ${row.startToReadyMs} ms, RSS ${row.rssReadyMB} MB; warm-up ${o.warmup}`);
    if (o.warmup > 0) await run("warm", o.warmup, "closed");
    log(`${bus} ${o.sensors} sensors: ${o.events} events at ${o.concurrency} connections`);
    const { cpuMsPerEvent, ...sat } = await run("sat", o.events, "closed");
    row.gatewayCpuMsPerEvent = cpuMsPerEvent[0];
    if (nats) row.natsServerCpuMsPerEvent = cpuMsPerEvent[1];
    row.saturation = sat;
    log(`${bus} ${o.sensors} sensors: ${JSON.stringify(sat)}, gateway CPU ${row.gatewayCpuMsPerEvent} ms/event`);
    const rateEvents = Math.round(o.rate * o.rateSeconds);
    // Past saturation a fixed rate only measures a growing queue (and may take long).
    if (sat.timedOut) row.atRate = { skipped: "the saturation phase timed out" };
    else if (sat.eventsPerSecond < o.rate) row.atRate = { skipped: `saturation (${sat.eventsPerSecond}/s) is below the offered ${o.rate}/s` };
    else if (rateEvents > 0) {
      await sleep(1000);
      const { cpuMsPerEvent: _, eventsPerSecond: __, ...r } = await run("rate", rateEvents, "rate", o.rate);
      row.atRate = { offeredPerSecond: o.rate, ...r };
      log(`${bus} ${o.sensors} sensors at ${o.rate}/s: ${JSON.stringify(row.atRate)}`);
    }
    row.rssAfterEventsMB = rssMB(gw.pid);
    row.heapAfterEventsMB = await heapMB(gw.admin);
    row.eventsSent = sent;
    // Each event must fire exactly one Sensor: a Workflow nobody waited for is a wrong match.
    const files = (await readdir(gw.folder)).filter((f) => f.endsWith(".yaml")).length;
    if (files !== stored) row.unexpectedWorkflows = files - stored;
  } catch (err) {
    row.error = String(err?.message ?? err);
    log(`${bus} ${o.sensors} sensors: ${row.error}`);
  } finally {
    await gw?.close();
    if (nats) {
      await nats.stop();
      killers.delete(natsKill);
    }
  }
  return row;
}

/** Per bus, each row's CPU per event over the smallest N's; then the targets. */
function compare(out, buses) {
  const targets = {};
  for (const bus of buses) {
    const rows = out[bus];
    const ns = Object.keys(rows).map(Number).sort((a, b) => a - b);
    const base = rows[ns[0]];
    for (const n of ns) {
      const r = rows[n];
      if (r.error) continue;
      r.cpuRatio = { gateway: round(r.gatewayCpuMsPerEvent / base.gatewayCpuMsPerEvent, 2) };
      if (bus === "jetstream") r.cpuRatio.natsServer = round(r.natsServerCpuMsPerEvent / base.natsServerCpuMsPerEvent, 2);
    }
    targets[bus] = {};
    for (const [name, n, max, value, only] of TARGETS) {
      if (only && only !== bus) continue;
      const r = rows[n];
      const v = r && !r.error ? value(r) ?? null : null;
      const t = { max, value: v, met: v === null ? null : v <= max };
      if (name.startsWith("rss") && r?.eventsSent !== undefined) t.afterEvents = r.eventsSent;
      if (name.endsWith("Ratio")) t.over = ns[0];
      targets[bus][`${name}At${n}`] = t;
    }
  }
  return targets;
}

/** Runs every (N, bus); returns { memory: {N: row}, jetstream: {N: row}, targets, machine, method }. */
export async function sensorScale(options = {}, log = (m) => process.stderr.write(`[sensor-scale] ${m}\n`)) {
  const o = { ...FULL_RUN, ...options };
  const sensors = [...new Set(o.sensors)].sort((a, b) => a - b);
  const loadBefore = os.loadavg()[0];
  const dir = await mkdtemp(join(os.tmpdir(), "tg-scale-"));
  tempDirs.add(dir);
  const loader = startLoader();
  const template = pushPayloadTemplate(PLACEHOLDER);
  const out = Object.fromEntries(o.buses.map((b) => [b, {}]));
  try {
    for (const n of sensors) {
      const t0 = now();
      const config = await writeScaleConfig(join(dir, String(n)), n);
      log(`${n} sensors written in ${Math.round(now() - t0)} ms`);
      for (const bus of o.buses) {
        out[bus][n] = await measure({ ...o, sensors: n, loader, template: template.toString("base64") }, config, bus, log);
      }
      await rm(join(dir, String(n)), { recursive: true, force: true });
    }
  } finally {
    loader.close();
    await rm(dir, { recursive: true, force: true });
    tempDirs.delete(dir);
  }
  out.targets = compare(out, o.buses);
  out.machine = {
    cpus: os.cpus().length,
    node: process.version,
    loadAverage1m: { before: round(loadBefore, 2), after: round(os.loadavg()[0], 2) },
  };
  out.method = {
    flags: { events: o.events, warmup: o.warmup, concurrency: o.concurrency, rate: o.rate, rateSeconds: o.rateSeconds },
    payload: `GitHub push example to refs/heads/main (${Buffer.byteLength(template.toString().replaceAll(PLACEHOLDER, "repo-0"))} bytes with repo-0), repository renamed repo-<k> (k rotating over the N Sensors), "size" added, HMAC-SHA256 signed, unique X-GitHub-Delivery`,
    sensors: "Sensor i: data filters body.repository.name ^repo-<i>$ and body.ref refs/heads/main|refs/heads/release-.*, exprs n > 0 (n = body.size), one argoWorkflow submit of WorkflowTemplate ci with 2 parameters",
    gateway: "`serve` child process (built CLI), local Workflow store in a temp dir, logs at info to /dev/null; JetStream: a fresh local nats-server -js per run (--nats-url)",
    startToReadyMs: "process spawn -> /readyz 200 (polled every 10 ms)",
    saturation: "warm-up, then --events pushes with --concurrency requests in flight; eventsPerSecond = Workflows stored / (last stored - first sent); its p50/p99 are queueing",
    cpuMsPerEvent: "utime+stime (/proc/<pid>/stat) of the gateway / nats-server from the start of the saturation phase until its last Workflow is stored, / Workflows stored",
    cpuRatio: "cpuMsPerEvent(N) / cpuMsPerEvent(smallest N) of the same bus, in this run",
    atRate: "open loop at --rate for --rate-seconds; p50/p99/max: request due -> Workflow file seen (fs.watch); webhookP99Ms: due -> 2xx answer; skipped when saturation is below the rate",
    rss: "VmRSS of the gateway at ready and after all phases (eventsSent = warm-up + saturation + rate)",
  };
  return out;
}

function cli() {
  const { values } = parseArgs({
    options: {
      sensors: { type: "string" },
      bus: { type: "string" },
      events: { type: "string" },
      warmup: { type: "string" },
      concurrency: { type: "string" },
      rate: { type: "string" },
      "rate-seconds": { type: "string" },
      "ready-timeout": { type: "string" },
      "phase-timeout": { type: "string" },
    },
  });
  const list = (s) => s.split(",").map((x) => x.trim()).filter(Boolean);
  const num = (s, name) => {
    const n = Number(s);
    if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} ${s}: expected a number`);
    return n;
  };
  const o = {};
  if (values.sensors) o.sensors = list(values.sensors).map((s) => num(s, "sensors")).filter((n) => n >= 1);
  if (values.bus) {
    o.buses = list(values.bus);
    for (const b of o.buses) if (b !== "memory" && b !== "jetstream") throw new Error(`--bus ${b}: expected memory or jetstream`);
  }
  for (const [flag, key] of [["events", "events"], ["warmup", "warmup"], ["concurrency", "concurrency"], ["rate", "rate"], ["rate-seconds", "rateSeconds"]]) {
    if (values[flag] !== undefined) o[key] = num(values[flag], flag);
  }
  if (values["ready-timeout"] !== undefined) o.readyTimeoutMs = num(values["ready-timeout"], "ready-timeout") * 1000;
  if (values["phase-timeout"] !== undefined) o.phaseTimeoutMs = num(values["phase-timeout"], "phase-timeout") * 1000;
  return o;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => process.exit(130));
  let options;
  try {
    options = cli();
  } catch (err) {
    process.stderr.write(`sensor-scale: ${err.message}\n`);
    process.exit(2);
  }
  sensorScale(options).then(
    (out) => {
      process.stdout.write(JSON.stringify(out) + "\n");
      process.exit(0);
    },
    (err) => {
      process.stderr.write(`${err?.stack ?? err}\n`);
      process.exit(1);
    },
  );
}

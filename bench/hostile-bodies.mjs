// hostileBodies: replays the security review's unauthenticated-body attack on `serve`
// with fixtures/quickstart/ (embedded defaults: memory bus, local store) and measures
// the gateway's RSS (before / peak / after the sockets closed), what the attackers
// were answered, and whether signed GitHub pushes sent during the attack got 200.
// Scenarios run one after another on ONE gateway, as a pod would take them, so each
// "before" is the previous "after"; podLimit compares against deploy/'s 512Mi limit.
//
//   node bench/hostile-bodies.mjs [--connections 300] [--bytes 2097151]
//     [--github-connections 200] [--github-bytes 1048576] [--spread-ms 2000]
//     [--slow-connections 50] [--slow-seconds 45] [--settle-seconds 3]
//     [--legit-interval-ms 250] [--skip-slow] [--only eventsBogusSignature,githubUnsigned,...]
//
// One JSON object on stdout, progress on stderr.
import { spawn } from "node:child_process";
import { rmSync } from "node:fs";
import { mkdtemp, readFile } from "node:fs/promises";
import { connect } from "node:net";
import os from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { performance } from "node:perf_hooks";
import { providerHeaders } from "../dist/src/commands/send.js";
import { freePort } from "./nats.mjs";
import { pushPayloadTemplate } from "./payload.mjs";
import { rssMB } from "./proc.mjs";

const CLI = fileURLToPath(new URL("../dist/src/cli.js", import.meta.url));
const QUICKSTART = fileURLToPath(new URL("../fixtures/quickstart", import.meta.url));
const SECRETS = join(QUICKSTART, "secrets");
const POD_LIMIT_MIB = 512; // deploy/deployment.yaml: resources.limits.memory
const EVENTS_PATH = "/api/v1/events/ns-a/x";
const BOGUS_SIG = `sha256=${"0".repeat(64)}`;

const log = (m) => process.stderr.write(`[hostile-bodies] ${m}\n`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const round = (n, d = 1) => (Number.isFinite(n) ? Math.round(n * 10 ** d) / 10 ** d : null);
const pct = (sorted, p) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] : NaN);
const countBy = (list, key) => list.reduce((o, x) => ((o[key(x)] = (o[key(x)] ?? 0) + 1), o), {});

// The gateway dies with this process, even on an early exit (by its pid only).
const cleanups = [];
process.on("exit", () => cleanups.forEach((c) => c()));

/** `serve` on the quickstart config as a child process, ready when /readyz answers 200. */
async function startGateway() {
  const store = await mkdtemp(join(os.tmpdir(), "tg-hostile-store-"));
  cleanups.push(() => rmSync(store, { recursive: true, force: true }));
  const [port, events, admin] = [await freePort(), await freePort(), await freePort()];
  const args = [CLI, "serve", "--config", QUICKSTART, "--secrets-dir", SECRETS, "--local-store", store, "--host", "127.0.0.1",
    "--port", `12000=${port}`, "--events-port", String(events), "--admin-port", String(admin), "--grace-period", "2s"];
  const started = performance.now();
  // Logs (a warn line per refused request) go to /dev/null, as the other benches' gateways.
  const child = spawn(process.execPath, args, { stdio: ["ignore", "ignore", "pipe"] });
  const exited = new Promise((r) => child.once("exit", r));
  cleanups.push(() => child.exitCode === null && child.signalCode === null && process.kill(child.pid, "SIGKILL"));
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (c) => (stderr = (stderr + c).slice(-4000)));
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`serve exited before ready:\n${stderr}`);
    if (performance.now() - started > 30_000) throw new Error("serve not ready within 30 s");
    const ok = await fetch(`http://127.0.0.1:${admin}/readyz`, { signal: AbortSignal.timeout(2000) }).then((r) => r.status === 200, () => false);
    if (ok) break;
    await sleep(50);
  }
  return {
    pid: child.pid, port, events, admin, readyMs: Math.round(performance.now() - started),
    close: async () => (child.kill("SIGTERM"), await exited),
  };
}

/** V8 heap in use and external (Buffer) memory from /metrics: what of the RSS is live. */
async function liveMiB(admin) {
  const text = await fetch(`http://127.0.0.1:${admin}/metrics`, { signal: AbortSignal.timeout(5000) }).then((r) => r.text(), () => "");
  const metric = (name) => round(Number(new RegExp(`^${name} (\\S+)$`, "m").exec(text)?.[1]) / 2 ** 20);
  return { heapUsedMiB: metric("nodejs_heap_size_used_bytes"), externalMiB: metric("nodejs_external_memory_bytes") };
}

/** Max VmRSS seen, sampled every 50 ms until stop(). */
function sampleRss(pid) {
  let peak = rssMB(pid) ?? 0;
  const timer = setInterval(() => (peak = Math.max(peak, rssMB(pid) ?? 0)), 50);
  return () => (clearInterval(timer), Math.max(peak, rssMB(pid) ?? 0));
}

/**
 * One raw HTTP/1.1 exchange on its own socket (a client library would not keep writing
 * after an early answer, nor show a reset). `write(sock, flushed)` sends; resolves on
 * close with the status (if any arrived), the socket error, how long it was held, and
 * how many body bytes were handed to the kernel when the answer came.
 */
function exchange(port, write, { closeOnAnswer, timeoutMs }) {
  return new Promise((resolve) => {
    const started = performance.now();
    const sock = connect(port, "127.0.0.1");
    const out = { status: undefined, error: undefined, sentWhenAnswered: undefined };
    const flushed = { bytes: 0 };
    let head = "";
    const timer = setTimeout(() => ((out.error ??= "client-timeout"), sock.destroy()), timeoutMs);
    sock.on("connect", () => write(sock, flushed));
    sock.on("data", (d) => {
      if (out.status !== undefined) return;
      head += d.toString("latin1");
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(head);
      if (!m) return;
      out.status = Number(m[1]);
      out.sentWhenAnswered = flushed.bytes;
      if (closeOnAnswer) sock.destroy();
    });
    sock.on("error", (e) => (out.error ??= e.code ?? e.message));
    sock.on("close", () => (clearTimeout(timer), resolve({ ...out, heldMs: performance.now() - started })));
  });
}

/** Headers at once, then the body in 32 chunks spread over `spreadMs` (0 = all at once). */
function attacker(port, head, body, spreadMs, timeoutMs) {
  return exchange(port, (sock, flushed) => {
    sock.write(head);
    const size = Math.ceil(body.length / 32);
    let at = 0;
    const next = () => {
      if (sock.destroyed || at >= body.length) return false;
      const chunk = body.subarray(at, (at += size));
      sock.write(chunk, (err) => !err && (flushed.bytes += chunk.length));
      return true;
    };
    if (spreadMs <= 0) while (next());
    else {
      const t = setInterval(() => next() || clearInterval(t), spreadMs / 32);
      sock.once("close", () => clearInterval(t));
    }
  }, { closeOnAnswer: true, timeoutMs });
}

/** Sends `prefix` at once, then one byte a second until the server closes (or the timeout). */
function dripper(port, prefix, timeoutMs) {
  return exchange(port, (sock) => {
    sock.write(prefix);
    const t = setInterval(() => !sock.destroyed && sock.write("a"), 1000);
    sock.once("close", () => clearInterval(t));
  }, { closeOnAnswer: false, timeoutMs });
}

/**
 * Signed GitHub pushes to the quickstart receiver, one after another every `intervalMs`
 * while the attack lasts (at least one): the headers `trigger-gateway send` sends.
 */
function legitimateTraffic(gw, body, secret, intervalMs) {
  let stopped = false;
  const runs = [];
  const done = (async () => {
    await sleep(100); // the attack's sockets are open and writing by then
    do {
      const t = performance.now();
      const headers = providerHeaders({ provider: "github", event: "push", secret, body });
      const status = await fetch(`http://127.0.0.1:${gw.port}/push`, { method: "POST", headers, body, signal: AbortSignal.timeout(30_000) })
        .then(async (r) => (await r.text(), r.status), (e) => `error ${e.cause?.code ?? e.name}`);
      runs.push({ status, ms: performance.now() - t });
      if (!stopped) await sleep(intervalMs);
    } while (!stopped);
  })();
  return async () => {
    stopped = true;
    await done;
    const ms = runs.map((r) => r.ms).sort((a, b) => a - b);
    return {
      sent: runs.length, status: countBy(runs, (r) => r.status), allOk: runs.every((r) => r.status === 200),
      firstStatus: runs[0].status, firstMs: round(runs[0].ms), p50Ms: round(pct(ms, 50)), maxMs: round(ms.at(-1)),
    };
  };
}

/** Runs `attack` (resolving to each socket's result) with RSS sampling and legitimate traffic alongside. */
async function scenario(gw, name, o, describe, attack, summarise) {
  log(`${name}: ${JSON.stringify(describe)}`);
  const rssBefore = rssMB(gw.pid);
  const stopSampling = sampleRss(gw.pid);
  const stopLegit = legitimateTraffic(gw, o.push, o.secret, o.legitIntervalMs);
  const t0 = performance.now();
  const results = await attack();
  const attackMs = Math.round(performance.now() - t0);
  const legit = await stopLegit();
  const rssPeak = stopSampling();
  // Memory given back (or not) once every attacker socket is closed.
  await sleep(o.settleSeconds * 1000);
  const rssAfter = rssMB(gw.pid);
  const out = {
    ...describe,
    answers: countBy(results, (r) => r.status ?? `none (${r.error ?? "closed"})`),
    ...summarise(results),
    attackMs,
    rssMiB: { before: rssBefore, peak: rssPeak, after: rssAfter, growth: round(rssAfter - rssBefore) },
    afterLive: await liveMiB(gw.admin),
    legit,
  };
  log(`${name}: ${JSON.stringify(out)}`);
  return out;
}

/** Body attack: `connections` concurrent requests with Content-Length = body bytes. */
function bodyScenario(gw, o, name, { port, path, headers, connections, bytes }) {
  const body = Buffer.alloc(bytes, 0x61); // shared by every socket: the bench's own memory stays flat
  const head = [`POST ${path} HTTP/1.1`, "Host: 127.0.0.1", "Content-Type: application/json", `Content-Length: ${bytes}`, ...headers, "", ""].join("\r\n");
  const describe = { target: `${port === gw.events ? "events" : "github"} ${path}`, connections, bodyBytes: bytes, extraHeaders: headers.map((h) => h.split(":")[0]) };
  return scenario(gw, name, o, describe,
    () => Promise.all(Array.from({ length: connections }, () => attacker(port, head, body, o.spreadMs, 40_000))),
    (rs) => ({ answeredBeforeBodySent: rs.filter((r) => r.status !== undefined && r.sentWhenAnswered < bytes).length }));
}

/** Slow attack: how long the server lets a 1-byte-a-second sender hold its socket. */
function slowScenario(gw, o, name, prefix) {
  const describe = { target: "github /push", connections: o.slowConnections, drip: "1 byte/s", clientGivesUpAfterS: o.slowSeconds };
  return scenario(gw, name, o, describe,
    () => Promise.all(Array.from({ length: o.slowConnections }, () => dripper(gw.port, prefix, o.slowSeconds * 1000))),
    (rs) => {
      const s = rs.map((r) => r.heldMs / 1000).sort((a, b) => a - b);
      return { heldSeconds: { min: round(s[0]), p50: round(pct(s, 50)), max: round(s.at(-1)) }, stillOpenWhenClientGaveUp: rs.filter((r) => r.error === "client-timeout").length };
    });
}

async function hostileBodies(o, gw) {
  const ev = { port: gw.events, path: EVENTS_PATH, connections: o.connections, bytes: o.bytes };
  const gh = { port: gw.port, path: "/push", connections: o.githubConnections, bytes: o.githubBytes };
  const ghHeaders = ["X-GitHub-Event: push", "X-GitHub-Delivery: 00000000-0000-0000-0000-000000000000"];
  const slowHead = "POST /push HTTP/1.1\r\nHost: 127.0.0.1\r\nX-GitHub-Event: push\r\nContent-Type: application/json\r\n";
  const all = {
    // 1. No credential at all: refused (401) before the body is read.
    eventsNoCredentials: (n) => bodyScenario(gw, o, n, { ...ev, headers: [] }),
    // 2. A bogus bearer token: authenticated (and refused) before the body too.
    eventsBogusBearer: (n) => bodyScenario(gw, o, n, { ...ev, headers: ["Authorization: Bearer x"] }),
    // 2b. A webhook-client signature can only be checked against the body: it is read, against the process's
    // one 64 MiB body budget (shared with the webhook ports): a legitimate push may meet a full budget.
    eventsBogusSignature: (n) => bodyScenario(gw, o, n, { ...ev, headers: [`X-Hub-Signature-256: ${BOGUS_SIG}`] }),
    // 3. The GitHub receiver's HMAC needs the body: both are read, against that same budget.
    githubUnsigned: (n) => bodyScenario(gw, o, n, { ...gh, headers: ghHeaders }),
    githubBogusSignature: (n) => bodyScenario(gw, o, n, { ...gh, headers: [...ghHeaders, `X-Hub-Signature-256: ${BOGUS_SIG}`] }),
    // 4. The events port has the same server options (webhookServer()), so the GitHub port stands for both.
    slowBody: (n) => slowScenario(gw, o, n, `${slowHead}Content-Length: 1024\r\n\r\n{`),
    slowHeaders: (n) => slowScenario(gw, o, n, `${slowHead}X-Slow: `),
  };
  const names = o.only ? o.only.split(",").map((s) => s.trim()) : Object.keys(all).filter((n) => !(o.skipSlow && n.startsWith("slow")));
  for (const n of names) if (!all[n]) throw new Error(`--only ${n}: expected one of ${Object.keys(all).join(", ")}`);
  const out = {};
  for (const n of names) out[n] = await all[n](n);
  return out;
}

function options() {
  const names = { connections: 300, bytes: 2 * 1024 * 1024 - 1, "github-connections": 200, "github-bytes": 1024 * 1024, "spread-ms": 2000,
    "slow-connections": 50, "slow-seconds": 45, "settle-seconds": 3, "legit-interval-ms": 250 };
  const { values } = parseArgs({ options: { ...Object.fromEntries(Object.keys(names).map((k) => [k, { type: "string" }])), "skip-slow": { type: "boolean" }, only: { type: "string" } } });
  const o = { skipSlow: !!values["skip-slow"], only: values.only };
  for (const [flag, dflt] of Object.entries(names)) {
    const n = Number(values[flag] ?? dflt);
    if (!Number.isFinite(n) || n < 0) throw new Error(`--${flag} ${values[flag]}: expected a number`);
    o[flag.replace(/-(\w)/g, (_, c) => c.toUpperCase())] = n;
  }
  return o;
}

async function main() {
  const o = options();
  o.secret = (await readFile(join(SECRETS, "github-webhook", "secret"), "utf8")).replace(/\r?\n$/, "");
  o.push = pushPayloadTemplate("__REPO__").toString().replaceAll("__REPO__", "hostile-bench"); // a push to main: the quickstart sensor fires
  const loadBefore = os.loadavg()[0];
  const gw = await startGateway();
  const ready = { startToReadyMs: gw.readyMs, rssReadyMiB: rssMB(gw.pid) };
  log(`gateway pid ${gw.pid} ready in ${gw.readyMs} ms, RSS ${ready.rssReadyMiB} MiB`);
  let scenarios;
  try {
    scenarios = await hostileBodies(o, gw);
  } finally {
    await gw.close();
  }
  const peaks = Object.entries(scenarios).map(([k, s]) => [k, s.rssMiB.peak]);
  const [peakScenario, peakRssMiB] = peaks.reduce((a, b) => (b[1] > a[1] ? b : a));
  const finalRssMiB = Object.values(scenarios).at(-1).rssMiB.after;
  return {
    gateway: ready,
    scenarios,
    podLimit: { limitMiB: POD_LIMIT_MIB, peakRssMiB, peakScenario, finalRssMiB, headroomMiB: round(POD_LIMIT_MIB - peakRssMiB), withinLimit: peakRssMiB < POD_LIMIT_MIB },
    machine: { cpus: os.cpus().length, node: process.version, loadAverage1m: { before: round(loadBefore, 2), after: round(os.loadavg()[0], 2) } },
    method: {
      flags: Object.fromEntries(Object.entries(o).filter(([k]) => k !== "secret" && k !== "push")),
      gateway: "`serve --config fixtures/quickstart --secrets-dir fixtures/quickstart/secrets` as a child process (built CLI), memory bus, local store in a temp dir, logs to /dev/null, free ports on 127.0.0.1; one gateway for all scenarios, in order",
      attackers: "raw sockets from this process, all opened at once; headers first, then the declared body in 32 chunks over --spread-ms; a socket is closed by the bench once a status line arrived",
      answers: "status line per socket; none (CODE): the connection ended without one (reset, closed)",
      answeredBeforeBodySent: "answers that came before the client had handed its whole body to the kernel (with --spread-ms 0 the loopback buffers take a whole body at once, so mostly 0)",
      rssMiB: "VmRSS of the gateway (/proc/<pid>/status, MiB): before; peak sampled every 50 ms while sockets were open; after = --settle-seconds after the last one closed",
      afterLive: "V8 heap used and external memory from the admin /metrics at the same time as rssMiB.after",
      legit: `signed GitHub push (${Buffer.byteLength(o.push)} bytes, quickstart secret, the headers of trigger-gateway send) to /push, one at a time every --legit-interval-ms from 100 ms after the attack starts until its last socket closes`,
      slow: "slowBody: complete headers with Content-Length 1024 then 1 byte/s; slowHeaders: a partial header block then 1 byte/s; heldSeconds = connect -> server closes",
    },
  };
}

for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => process.exit(130));
main().then(
  (out) => (process.stdout.write(JSON.stringify(out) + "\n"), process.exit(0)),
  (err) => (log(String(err?.stack ?? err)), process.exit(1)),
);

// The load generator, run as a child process so that it never shares an event
// loop with the gateway. Commands arrive over IPC; each answers with the send
// time (ms since the epoch, sub-millisecond) and HTTP status of every request.
//
// It speaks HTTP/1.1 over raw keep-alive sockets with the request bytes built once,
// as wrk and autocannon do: node's http client cost ~125 µs of CPU per request,
// and on a 2-core machine every µs the client spends is taken from the gateway.
import { createHmac } from "node:crypto";
import net from "node:net";
import { performance } from "node:perf_hooks";

const now = () => performance.timeOrigin + performance.now();
const CRLF2 = Buffer.from("\r\n\r\n");

/** Head and body of every request; only the delivery header differs between them. */
function requestParts(url, body, headers, deliveryHeader) {
  const lines = [`POST ${url.pathname}${url.search} HTTP/1.1`, `host: ${url.host}`, `content-length: ${body.length}`, "connection: keep-alive"];
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() !== deliveryHeader) lines.push(`${k}: ${v}`);
  const head = lines.join("\r\n") + "\r\n";
  return (id) => [Buffer.from(deliveryHeader && id !== undefined ? `${head}${deliveryHeader}: ${id}\r\n\r\n` : `${head}\r\n`), body];
}

/**
 * `vary`: { placeholder, valuePrefix, values, offset, secret, signatureHeader }: request i's
 * body has every `placeholder` replaced by `${valuePrefix}${(offset + i) % values}` and is
 * HMAC-SHA256 signed into `signatureHeader` ("sha256=<hex>"), as GitHub signs. Without
 * it every request has the same body. Bodies are built once per value, before the clock.
 */
function requestBuilder(url, body, headers, deliveryHeader, vary) {
  if (!vary) {
    const parts = requestParts(url, body, headers, deliveryHeader);
    return { parts: (_i, id) => parts(id), prepare: () => undefined };
  }
  const chunks = body.toString("utf8").split(vary.placeholder);
  const byValue = new Map();
  const forValue = (k) => {
    let parts = byValue.get(k);
    if (parts === undefined) {
      const b = Buffer.from(chunks.join(`${vary.valuePrefix}${k}`));
      const sig = `sha256=${createHmac("sha256", vary.secret).update(b).digest("hex")}`;
      byValue.set(k, (parts = requestParts(url, b, { ...headers, [vary.signatureHeader]: sig }, deliveryHeader)));
    }
    return parts;
  };
  const valueOf = (i) => ((vary.offset ?? 0) + i) % vary.values;
  return {
    parts: (i, id) => forValue(valueOf(i))(id),
    prepare: (count) => {
      for (let i = 0; i < Math.min(count, vary.values); i++) forValue(valueOf(i));
    },
  };
}

/**
 * One keep-alive connection answering one request at a time. A response must have
 * Content-Length (the gateway always sends it); a closed or broken socket answers 0
 * for the request in flight and reconnects for the next one.
 */
class Connection {
  constructor(url) {
    this.url = url;
    this.socket = undefined;
    this.buf = Buffer.alloc(0);
    this.pending = undefined;
  }

  connect() {
    const socket = net.connect({ host: this.url.hostname, port: Number(this.url.port), noDelay: true });
    socket.on("data", (chunk) => this.onData(chunk));
    const gone = () => {
      if (this.socket !== socket) return;
      this.socket = undefined;
      this.buf = Buffer.alloc(0);
      this.finish(0);
    };
    socket.on("error", gone);
    socket.on("close", gone);
    this.socket = socket;
  }

  send(parts) {
    return new Promise((resolve) => {
      this.pending = { resolve, need: -1 };
      if (!this.socket) this.connect();
      this.socket.cork();
      for (const p of parts) this.socket.write(p);
      this.socket.uncork();
    });
  }

  finish(status) {
    const p = this.pending;
    this.pending = undefined;
    p?.resolve(status);
  }

  onData(chunk) {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const p = this.pending;
    if (!p) return;
    if (p.need < 0) {
      const end = this.buf.indexOf(CRLF2);
      if (end < 0) return;
      const head = this.buf.toString("latin1", 0, end);
      p.status = Number(head.slice(9, 12));
      const m = /\r\ncontent-length:\s*(\d+)/i.exec(head);
      p.close = /\r\nconnection:\s*close/i.test(head);
      p.need = end + 4 + (m ? Number(m[1]) : 0);
    }
    if (this.buf.length < p.need) return;
    this.buf = this.buf.subarray(p.need);
    if (p.close) {
      const s = this.socket;
      this.socket = undefined;
      this.buf = Buffer.alloc(0);
      s.destroy();
    }
    this.finish(p.status);
  }

  destroy() {
    const s = this.socket;
    this.socket = undefined;
    s?.destroy();
    // A request in flight answers 0 (its socket's close no longer reaches `gone`).
    this.finish(0);
  }
}

/**
 * cmd: { url, body (base64), headers, deliveryHeader?, prefix, concurrency,
 *        mode: "closed" | "rate", count?, durationMs?, rate?, vary?, deadlineMs? }
 * closed: `concurrency` requests always in flight, until `count` or `durationMs`.
 * rate:   request i is due at start + i/rate s (open loop) on `concurrency`
 *         connections, queued when all are busy; its latency clock starts when it
 *         is due, so a client falling behind shows in the numbers.
 * deadlineMs: after it nothing more is sent and requests still waiting answer 0
 * (a stuck gateway cannot hang the caller); the result then has timedOut.
 */
async function run(cmd) {
  const url = new URL(cmd.url);
  const builder = requestBuilder(url, Buffer.from(cmd.body, "base64"), cmd.headers, cmd.deliveryHeader?.toLowerCase(), cmd.vary);
  if (cmd.count !== undefined) builder.prepare(cmd.count);
  const idle = Array.from({ length: cmd.concurrency }, () => new Connection(url));
  const all = [...idle];
  const queue = [];
  const sentAt = [];
  const answeredAt = [];
  const status = [];
  const started = now();
  let expired = false;
  const deadline =
    cmd.deadlineMs === undefined
      ? undefined
      : setTimeout(() => {
          expired = true;
          for (const w of queue.splice(0)) w(undefined);
          for (const c of all) c.destroy();
        }, cmd.deadlineMs);
  const send = async (i, due) => {
    sentAt[i] = due ?? now();
    const conn = idle.pop() ?? (await new Promise((r) => queue.push(r)));
    status[i] = conn && !expired ? await conn.send(builder.parts(i, `${cmd.prefix}${i}`)) : 0;
    answeredAt[i] = now();
    if (!conn) return;
    const waiter = queue.shift();
    if (waiter) waiter(conn);
    else idle.push(conn);
  };
  if (cmd.mode === "closed") {
    let next = 0;
    const limit = cmd.count ?? Infinity;
    const until = started + (cmd.durationMs ?? Infinity);
    const worker = async () => {
      while (next < limit && now() < until && !expired) await send(next++);
    };
    await Promise.all(Array.from({ length: cmd.concurrency }, worker));
  } else {
    const pending = [];
    const interval = 1000 / cmd.rate;
    for (let i = 0; i < cmd.count && !expired; i++) {
      const due = started + i * interval;
      const wait = due - now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      pending.push(send(i, due));
    }
    await Promise.all(pending);
  }
  const elapsedMs = now() - started;
  clearTimeout(deadline);
  for (const c of all) c.destroy();
  return { sentAt, answeredAt, status, elapsedMs, ...(expired ? { timedOut: true } : {}) };
}

process.on("message", (cmd) => {
  if (cmd === "exit") process.exit(0);
  run(cmd).then(
    (result) => process.send({ ok: true, ...result }),
    (err) => process.send({ ok: false, error: String(err?.stack ?? err) }),
  );
});

// Fuzz (bounded, in CI): the webhook receivers and the events endpoint over real sockets,
// fed random methods (odd ones too), request targets, header names and values
// (`__proto__`, repeats, very long, non-ASCII, control characters), content types,
// framings and bodies (JSON, broken JSON, nesting 100,000 deep, binary). Every request is
// answered in time with a status the code documents (never 500); a refused or unsigned
// request publishes nothing; afterwards the servers still serve a valid delivery and hold
// no body budget, sockets or listeners.
//
// Form and query keys include Object.prototype names (`__proto__=`, `constructor=`), and
// events-endpoint payloads nest up to 20,000 levels: both once answered 500 / 503 for ever.
import { createHmac } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EventSourceSpec } from "../../src/api/types.js";
import { BindingDispatcher, DirWebhookClientSource, NamespaceAuthorizer, SpecBindingCatalog, TokensFileAuthenticator } from "../../src/binding/index.js";
import { startBindingServer, type BindingServer } from "../../src/binding/server.js";
import { submitting, template } from "../support/binding-fixtures.js";
import type { CloudEvent } from "../../src/eventbus/cloudevent.js";
import { toJsonText } from "../../src/eventbus/json-text.js";
import { errorMessage } from "../../src/errors.js";
import { BodyBudget } from "../../src/http/body-budget.js";
import type { ReceiverOutcome, SourceType } from "../../src/eventsource/receiver.js";
import { startReceivers, type ReceiverServer } from "../../src/eventsource/server.js";
import { eventSource, RecordingBus } from "../support/receiver-harness.js";
import { silentLogger } from "../../src/logger.js";
import { MapSecretStore } from "../../src/config/secrets.js";
import { LocalWorkflowStore } from "../../src/workflows/local.js";
import { waitFor } from "../support/wait.js";

/**
 * Runs per property. Each property also stops after TIME_LIMIT_MS (passing with the runs
 * done so far): the ten of them then take at most ~20 s on a loaded CI machine; on an idle
 * one every property completes its runs in well under that.
 */
const RUNS = 250;
const VALID_RUNS = 100;
const CONCURRENT_RUNS = 50;
const TIME_LIMIT_MS = 2_000;
/** A request not answered (and its connection closed) within this is a hang. */
const ANSWER_TIMEOUT_MS = 5_000;
/** Declared by the "declared-oversize" framing: over every limit (1 MiB receivers, 2 MiB events endpoint). */
const DECLARED_OVERSIZE = 3 * 1024 * 1024;

/**
 * fc.assert of `run` over `arb`, bounded by TIME_LIMIT_MS. A run the time limit cuts short
 * is abandoned by fast-check, not stopped: it is awaited here, so that its request cannot
 * publish while the next property counts events.
 */
async function fuzz<T>(arb: fc.Arbitrary<T>, run: (value: T) => Promise<void>, numRuns: number): Promise<void> {
  let last: Promise<void> = Promise.resolve();
  await fc.assert(
    fc.asyncProperty(arb, (value) => (last = run(value))),
    { numRuns, interruptAfterTimeLimit: TIME_LIMIT_MS, markInterruptAsFailure: false },
  );
  await last.catch(() => undefined);
}

// ---------------------------------------------------------------------------------------
// Raw HTTP/1.1 over a socket: exactly the bytes we choose, and the answer as sent.

interface Answer {
  status: number;
  /** Lower-case names, every value. */
  headers: Record<string, string[]>;
  body: Buffer;
  /** The body arrived whole (Content-Length or chunked framing honoured). */
  complete: boolean;
}

/** `answer` undefined: the connection was closed without a status line. */
interface Exchange {
  answer: Answer | undefined;
  error?: string;
}

function dechunk(buf: Buffer): { body: Buffer; complete: boolean } {
  const parts: Buffer[] = [];
  let i = 0;
  for (;;) {
    const eol = buf.indexOf("\r\n", i);
    if (eol < 0) return { body: Buffer.concat(parts), complete: false };
    const size = Number.parseInt(buf.subarray(i, eol).toString("latin1").split(";")[0] as string, 16);
    if (!Number.isFinite(size)) return { body: Buffer.concat(parts), complete: false };
    if (size === 0) return { body: Buffer.concat(parts), complete: true };
    parts.push(buf.subarray(eol + 2, eol + 2 + size));
    i = eol + 2 + size + 2;
  }
}

function parseAnswer(raw: Buffer, head: boolean): Answer | undefined {
  let at = 0;
  for (;;) {
    const end = raw.indexOf("\r\n\r\n", at);
    if (end < 0) return undefined;
    const lines = raw.subarray(at, end).toString("latin1").split("\r\n");
    const m = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0] as string);
    if (!m) throw new Error(`not an HTTP answer: ${JSON.stringify(lines[0])}`);
    const status = Number(m[1]);
    const headers: Record<string, string[]> = Object.create(null) as Record<string, string[]>;
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(":");
      const name = line.slice(0, colon).trim().toLowerCase();
      (headers[name] ??= []).push(line.slice(colon + 1).trim());
    }
    at = end + 4;
    // An interim answer (100 Continue): the real one follows.
    if (status >= 100 && status < 200) continue;
    const rest = raw.subarray(at);
    if (head || status === 204 || status === 304) return { status, headers, body: Buffer.alloc(0), complete: true };
    if (headers["transfer-encoding"]?.some((v) => /chunked/i.test(v))) return { status, headers, ...dechunk(rest) };
    const length = headers["content-length"]?.[0];
    if (length !== undefined) {
      const n = Number(length);
      return { status, headers, body: rest.subarray(0, n), complete: rest.length >= n };
    }
    return { status, headers, body: rest, complete: true };
  }
}

/** Writes `bytes` (the request asks Connection: close) and reads until the server closes. */
function exchange(port: number, bytes: Buffer, head: boolean): Promise<Exchange> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    const chunks: Buffer[] = [];
    let error: string | undefined;
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer (or the connection stayed open) after ${ANSWER_TIMEOUT_MS} ms`));
    }, ANSWER_TIMEOUT_MS);
    socket.on("data", (c: Buffer) => chunks.push(c));
    socket.on("error", (err: NodeJS.ErrnoException) => {
      error = err.code ?? err.message;
    });
    socket.on("close", () => {
      clearTimeout(timer);
      try {
        resolve({ answer: parseAnswer(Buffer.concat(chunks), head), error });
      } catch (err) {
        reject(err);
      }
    });
    // Not end(): a half-closed request makes Node end the connection before the answer.
    socket.write(bytes);
  });
}

/** Writes the first `cut` bytes of a request, then closes the connection after `delayMs`: a sender that vanishes. */
function vanish(port: number, bytes: Buffer, cut: number, delayMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the connection did not close within ${ANSWER_TIMEOUT_MS} ms`));
    }, ANSWER_TIMEOUT_MS);
    socket.on("error", () => undefined);
    socket.on("close", () => {
      clearTimeout(timer);
      resolve();
    });
    socket.write(bytes.subarray(0, cut), () => setTimeout(() => socket.destroy(), delayMs));
  });
}

/** Where a sender vanishes: anywhere in the request but its last byte, after up to 20 ms. */
const vanishArb = fc.record({ at: fc.nat(), delayMs: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 20 })) });
const cutOf = (bytes: Buffer, at: number) => at % bytes.length;

type Framing = { kind: "length" } | { kind: "chunked"; size: number } | { kind: "none" } | { kind: "declared-oversize" };

interface RawRequest {
  method: string;
  target: string;
  headers: [string, string][];
  /** The body as generated; `delivered` says what of it is sent. */
  body: Buffer;
  framing: Framing;
}

/** The body bytes the server gets to read. */
function delivered(r: Pick<RawRequest, "body" | "framing">): Buffer {
  if (r.framing.kind === "none") return Buffer.alloc(0);
  if (r.framing.kind === "declared-oversize") return r.body.subarray(0, 1024);
  return r.body;
}

function encode(r: RawRequest): Buffer {
  const lines = [`${r.method} ${r.target} HTTP/1.1`, "Host: 127.0.0.1", ...r.headers.map(([n, v]) => `${n}: ${v}`)];
  let body = delivered(r);
  switch (r.framing.kind) {
    case "length":
      lines.push(`Content-Length: ${body.length}`);
      break;
    case "declared-oversize":
      lines.push(`Content-Length: ${DECLARED_OVERSIZE}`);
      break;
    case "chunked": {
      lines.push("Transfer-Encoding: chunked");
      // At most ~2,000 chunks: a 1-byte chunking of 200 KB tests nothing more and takes long.
      const size = Math.max(r.framing.size, Math.ceil(body.length / 2_000));
      const parts: Buffer[] = [];
      for (let i = 0; i < body.length; i += size) {
        const c = body.subarray(i, i + size);
        parts.push(Buffer.from(`${c.length.toString(16)}\r\n`), c, Buffer.from("\r\n"));
      }
      parts.push(Buffer.from("0\r\n\r\n"));
      body = Buffer.concat(parts);
      break;
    }
    case "none":
      break;
  }
  lines.push("Connection: close");
  return Buffer.concat([Buffer.from(`${lines.join("\r\n")}\r\n\r\n`, "utf8"), body]);
}

const header = (a: Answer, name: string): string | undefined => a.headers[name]?.[0];

/**
 * The checks every answer passes: it came, whole, with an allowed status; the server's
 * own answers carry their content type and a message (and Allow / Retry-After where due);
 * Node's parser refusals (400 bad request, 431 headers too large) have none.
 * Returns the answer, or undefined for a CONNECT that Node closes unanswered.
 */
function checkAnswer(x: Exchange, r: RawRequest, allowed: ReadonlySet<number>, contentType: RegExp): Answer | undefined {
  if (!x.answer) {
    // Node's server closes a CONNECT it has no `connect` listener for: not an endpoint of ours.
    expect(r.method, `connection closed without an answer (${x.error ?? "no error"})`).toBe("CONNECT");
    return undefined;
  }
  const a = x.answer;
  expect(a.complete, "answer body cut short").toBe(true);
  expect(allowed.has(a.status), `status ${a.status}: ${a.body.toString("utf8")}`).toBe(true);
  const type = header(a, "content-type");
  if (type === undefined) {
    expect([400, 431]).toContain(a.status);
    expect(a.body.length).toBe(0);
    return a;
  }
  expect(type).toMatch(contentType);
  if (r.method !== "HEAD") expect(a.body.length, `status ${a.status} without a message`).toBeGreaterThan(0);
  if (a.status === 405) expect(header(a, "allow")).toMatch(/^[A-Z]+$/);
  if (a.status === 503) expect(header(a, "retry-after")).toMatch(/^\d+$/);
  return a;
}

// ---------------------------------------------------------------------------------------
// Generators shared by both endpoints.

/** Member names of Object.prototype: as header names they must be data like any other. */
const PROTO_NAMES = ["__proto__", "constructor", "hasOwnProperty", "toString", "valueOf", "__defineGetter__", "isPrototypeOf", "propertyIsEnumerable"];
const PROVIDER_NAMES = [
  "X-GitHub-Event",
  "X-GitHub-Delivery",
  "X-Hub-Signature-256",
  "X-Hub-Signature",
  "X-Gitlab-Token",
  "X-Gitlab-Event",
  "X-Gitlab-Event-UUID",
  "X-Event-Key",
  "X-Hook-UUID",
  "X-Request-UUID",
  "X-Request-Id",
  "Authorization",
  "Content-Type",
  "Accept",
  "User-Agent",
  "Cookie",
  "X-Forwarded-For",
];
/** Headers that frame the request: the encoder sets these itself. */
const FRAMING = new Set(["host", "content-length", "transfer-encoding", "connection", "expect", "upgrade", "keep-alive", "te", "trailer", "proxy-connection", "http2-settings"]);
const TOKEN_CHARS = [..."!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"];
/** Not header names at all (Node answers 400), except `a:b`, which is name `a`. */
const BAD_NAMES = ["bad name", "ünï", "x(y)", 'a"b', "{}", "a:b", "x\ty"];

const tokenName = fc.string({ unit: fc.constantFrom(...TOKEN_CHARS), minLength: 1, maxLength: 24 });
const spelled = (name: fc.Arbitrary<string>) =>
  fc.tuple(name, fc.constantFrom("as-is", "lower", "upper")).map(([n, c]) => (c === "lower" ? n.toLowerCase() : c === "upper" ? n.toUpperCase() : n));
const validHeaderName = spelled(fc.oneof(fc.constantFrom(...PROTO_NAMES), fc.constantFrom(...PROVIDER_NAMES), tokenName)).filter((n) => !FRAMING.has(n.toLowerCase()));

/** `arb` about once in `n` draws, else null. */
const onceIn = <T>(n: number, arb: fc.Arbitrary<T>): fc.Arbitrary<T | null> => fc.oneof({ weight: n - 1, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: arb });

/** Bytes Node refuses in a header value (HTAB is allowed); CR and LF are never generated: they would end the line. */
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f]/;
const headerValueArb = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: "grapheme-ascii", maxLength: 40 }) },
  // Sent as UTF-8 bytes; Node reads them as latin1.
  { weight: 2, arbitrary: fc.string({ unit: "grapheme", maxLength: 20 }) },
  { weight: 1, arbitrary: fc.constantFrom("", " ", "\t", "Bearer", "Bearer x", `sha256=${"0".repeat(64)}`, "sha1=", "application/json", "push", "Push Hook", "repo:push") },
).filter((v) => !CONTROL.test(v) && !/[\r\n]/.test(v));
/** One header Node refuses (400): a name that is no token, or a control character in the value. */
const refusedHeader: fc.Arbitrary<[string, string]> = fc.oneof(
  fc.tuple(fc.constantFrom(...BAD_NAMES.filter((n) => n !== "a:b")), headerValueArb),
  fc.tuple(validHeaderName, fc.string({ unit: "binary-ascii", minLength: 1, maxLength: 20 }).map((v) => v.replace(/[\r\n]/g, "")).filter((v) => CONTROL.test(v))),
);

/**
 * Random headers: repeats, prototype names, non-ASCII, now and then one very long value
 * (within Node's 16 KiB), and with `hostile` now and then one header Node refuses.
 */
function noiseHeaders(options: { long?: boolean; hostile?: boolean; names?: fc.Arbitrary<string> } = {}): fc.Arbitrary<[string, string][]> {
  const { long = true, hostile = true } = options;
  const names = options.names ?? fc.oneof({ weight: 20, arbitrary: validHeaderName }, { weight: 1, arbitrary: fc.constant("a:b") });
  return fc
    .record({
      list: fc.array(fc.tuple(names, headerValueArb), { maxLength: 8 }),
      repeat: fc.boolean(),
      long: long ? onceIn(5, fc.tuple(validHeaderName, fc.integer({ min: 1_000, max: 8_000 }))) : fc.constant(null),
      refused: hostile ? onceIn(8, refusedHeader) : fc.constant(null),
      at: fc.nat(),
    })
    .map(({ list, repeat, long: l, refused, at }) => {
      const out = repeat ? [...list, ...list] : [...list];
      if (l) out.push([l[0], "v".repeat(l[1])]);
      if (refused) out.splice(at % (out.length + 1), 0, refused);
      return out;
    });
}

const METHODS = [
  "POST", "GET", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE", "PROPFIND", "MKCOL", "SEARCH", "PURGE", "LINK", "UNLINK",
  "REPORT", "M-SEARCH", "NOTIFY", "SUBSCRIBE", "MKCALENDAR", "QUERY", "CONNECT", "post", "Post", "get", "FOO", "P0ST", "POSTX", "PRI",
];
const methodArb = fc.oneof(
  { weight: 8, arbitrary: fc.constant("POST") },
  { weight: 1, arbitrary: fc.constant("GET") },
  { weight: 3, arbitrary: fc.constantFrom(...METHODS) },
  { weight: 1, arbitrary: fc.stringMatching(/^[A-Z][A-Z-]{0,11}$/) },
);

const CONTENT_TYPES = [
  "application/json",
  "application/json; charset=utf-8",
  "APPLICATION/JSON",
  " application/json ;x=y",
  "application/x-www-form-urlencoded",
  "application/x-www-form-urlencoded; charset=utf-8",
  "text/plain",
  "multipart/form-data; boundary=x",
  "",
  ";",
  "application/json, text/plain",
  "application/vnd.github+json",
  "*/*",
];
/** A Content-Type five times in six. */
const contentTypeArb = fc.option(fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...CONTENT_TYPES) }, { weight: 1, arbitrary: headerValueArb }), { freq: 6 });


const jsonKey = fc.oneof(fc.constantFrom(...PROTO_NAMES, "kind", "a", "X-GitHub-Event", "", "\u0000"), fc.string({ maxLength: 8 }));
/** JSON object text written out, so a `__proto__` key stays a key. */
const jsonObjectText = fc
  .array(fc.tuple(jsonKey, fc.jsonValue({ maxDepth: 3 })), { maxLength: 6 })
  .map((entries) => `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(",")}}`);
const depthArb = fc.oneof(fc.integer({ min: 1, max: 64 }), fc.integer({ min: 1_000, max: 100_000 }), fc.constant(100_000));
/** Form and query keys: the interesting ones (Object.prototype names included) and random ones. */
const formKey = fc.oneof(fc.constantFrom("payload", "a", "kind", "ref", "", ...PROTO_NAMES), fc.string({ maxLength: 8 }));
const formPairs = fc.array(fc.tuple(formKey, fc.string({ maxLength: 20 })), { maxLength: 5 });
const formText = fc
  .record({ fields: formPairs, payload: fc.option(fc.oneof(jsonObjectText, fc.json({ maxDepth: 2 }))) })
  .map(({ fields, payload }) => {
    const p = new URLSearchParams(fields);
    if (payload !== null) p.append("payload", payload);
    return p.toString();
  });

/** Bodies up to 240 KB: a refused body stays under what the server drains before cutting the connection (256 KiB). */
const bodyArb: fc.Arbitrary<Buffer> = fc
  .oneof(
    { weight: 3, arbitrary: fc.json({ maxDepth: 4 }) },
    { weight: 3, arbitrary: jsonObjectText },
    { weight: 2, arbitrary: fc.oneof(fc.string({ maxLength: 50 }), fc.constantFrom("{", "[1,]", "{'a':1}", "nul", "\uFEFF{}", "{}garbage", "NaN", '{"a":1,}')) },
    { weight: 1, arbitrary: fc.constantFrom("", " ", "\r\n", "\t \n") },
    { weight: 1, arbitrary: depthArb.map((n) => "[".repeat(n) + "]".repeat(n)) },
    { weight: 1, arbitrary: depthArb.map((n) => `{"a":${"[".repeat(n)}${"]".repeat(n)}}`) },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: 40_000 }).map((n) => '{"a":'.repeat(n) + "1" + "}".repeat(n)) },
    { weight: 1, arbitrary: depthArb.map((n) => "[".repeat(n)) },
    { weight: 1, arbitrary: fc.integer({ min: 4_000, max: 6_000 }).map((n) => JSON.stringify({ kind: "a".repeat(n) })) },
    { weight: 2, arbitrary: formText },
  )
  .map((t) => Buffer.from(t, "utf8"));
const binaryBody = fc.uint8Array({ maxLength: 2_048 }).map((b) => Buffer.from(b));
const anyBody = fc.oneof({ weight: 6, arbitrary: bodyArb }, { weight: 1, arbitrary: binaryBody });

/** A body and its Content-Type: any with any, or a form or JSON body declared as such. */
const payloadArb: fc.Arbitrary<{ body: Buffer; contentType: string | null }> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ body: anyBody, contentType: contentTypeArb }) },
  {
    weight: 1,
    arbitrary: fc.record({
      body: formText.map((t) => Buffer.from(t)),
      contentType: fc.constantFrom("application/x-www-form-urlencoded", "application/x-www-form-urlencoded; charset=utf-8", "Application/X-WWW-Form-Urlencoded"),
    }),
  },
  { weight: 1, arbitrary: fc.record({ body: bodyArb, contentType: fc.constantFrom("application/json", "application/json; charset=utf-8") }) },
);

const framingArb: fc.Arbitrary<Framing> = fc.oneof(
  { weight: 6, arbitrary: fc.constant<Framing>({ kind: "length" }) },
  { weight: 2, arbitrary: fc.integer({ min: 1, max: 65_536 }).map((size): Framing => ({ kind: "chunked", size })) },
  { weight: 1, arbitrary: fc.constant<Framing>({ kind: "none" }) },
  { weight: 1, arbitrary: fc.constant<Framing>({ kind: "declared-oversize" }) },
);

const queryArb = onceIn(
  3,
  fc.oneof(
    fc.webQueryParameters({ size: "small" }),
    fc.constantFrom("", "a=1&a=2", "x=%zz", "=", "&&", "ref=refs%2Fheads%2Fmain"),
    formPairs.map((pairs) => new URLSearchParams(pairs).toString()),
  ),
);

/** A target around `path`: itself mostly, or near misses, other paths, absolute form, `*`. */
function targetArb(paths: string[], elsewhere: string[]): fc.Arbitrary<string> {
  const near = fc.constantFrom(...paths).chain((p) =>
    fc.constantFrom(
      `${p}/`,
      `${p}/x`,
      p.toUpperCase(),
      `/%${(p.codePointAt(1) ?? 0x61).toString(16)}${p.slice(2)}`,
      `/${p}`,
      `${p}%00`,
      `${p}#frag`,
      `${p};x`,
      `${p}/..`,
      `/./${p.slice(1)}`,
    ),
  );
  const path = fc.oneof(
    { weight: 10, arbitrary: fc.constantFrom(...paths) },
    { weight: 3, arbitrary: near },
    { weight: 1, arbitrary: fc.constantFrom(...elsewhere, "/health", "/", "/%", "/%zz", "/ünï") },
    { weight: 1, arbitrary: fc.webPath({ size: "small" }).map((p) => (p.startsWith("/") ? p : `/${p}`)) },
  );
  return fc
    .record({ path, query: queryArb, form: fc.constantFrom("origin", "origin", "origin", "origin", "origin", "origin", "absolute", "asterisk") })
    .map(({ path: p, query, form }) => {
      if (form === "asterisk") return "*";
      const t = query === null ? p : `${p}?${query}`;
      return form === "absolute" ? `http://fuzz.example${t}` : t;
    });
}

const hmac = (algorithm: "sha1" | "sha256", secret: string, body: Buffer) => `${algorithm}=${createHmac(algorithm, secret).update(body).digest("hex")}`;

/** Sockets of this process: back to the baseline once every answered connection is closed. */
const openSockets = () => process.getActiveResourcesInfo().filter((r) => r === "TCPSocketWrap").length;
const PROCESS_EVENTS = ["uncaughtException", "unhandledRejection", "warning", "exit", "beforeExit", "SIGTERM", "SIGINT"] as const;
const processListeners = () => PROCESS_EVENTS.map((e) => `${e}:${process.listenerCount(e)}`);

// ---------------------------------------------------------------------------------------
// Webhook receivers.

interface Spot {
  eventSource: "open" | "secured";
  name: string;
  type: SourceType;
  path: string;
  method: "POST" | "GET";
  maxPayloadSize?: number;
  filter?: string;
  events?: string[];
  metadata?: Record<string, string>;
}

const OPEN_PORT = "12000";
const SECURED_PORT = "12001";

const SPOTS: Spot[] = [
  { eventSource: "open", name: "gh", type: "github", path: "/gh", method: "POST" },
  { eventSource: "open", name: "ghpush", type: "github", path: "/gh-push", method: "POST", events: ["push"] },
  { eventSource: "open", name: "gl", type: "gitlab", path: "/gl", method: "POST" },
  { eventSource: "open", name: "bb", type: "bitbucket", path: "/bb", method: "POST" },
  { eventSource: "open", name: "bbs", type: "bitbucketserver", path: "/bbs", method: "POST" },
  { eventSource: "open", name: "wh", type: "webhook", path: "/wh", method: "POST", metadata: { env: "fuzz" } },
  { eventSource: "open", name: "whget", type: "webhook", path: "/wh", method: "GET" },
  { eventSource: "open", name: "small", type: "webhook", path: "/small", method: "POST", maxPayloadSize: 4_096 },
  { eventSource: "open", name: "filtered", type: "webhook", path: "/filtered", method: "POST", filter: 'body.kind == "go" && header["X-Kind"][0] == "ci"' },
  { eventSource: "secured", name: "gh", type: "github", path: "/gh", method: "POST" },
  { eventSource: "secured", name: "ghsmall", type: "github", path: "/gh-small", method: "POST", maxPayloadSize: 4_096 },
  { eventSource: "secured", name: "gl", type: "gitlab", path: "/gl", method: "POST" },
  { eventSource: "secured", name: "bb", type: "bitbucket", path: "/bb", method: "POST" },
  { eventSource: "secured", name: "bbs", type: "bitbucketserver", path: "/bbs", method: "POST" },
  { eventSource: "secured", name: "wh", type: "webhook", path: "/wh", method: "POST" },
  { eventSource: "secured", name: "whget", type: "webhook", path: "/wh", method: "GET" },
  { eventSource: "secured", name: "small", type: "webhook", path: "/small", method: "POST", maxPayloadSize: 4_096 },
];

const secured = (s: Spot) => s.eventSource === "secured";
const spotKey = (s: Spot) => `${s.eventSource}/${s.name}`;
/** One secret per secured receiver: one receiver's credential never opens another. */
const secretOf = (s: Spot) => `fuzz-${s.eventSource}-${s.name}-0123456789abcdef`;
const subjectOf = (s: Spot) => `default.argo-events.${s.eventSource}.${s.name}`;

function specOf(eventSource: Spot["eventSource"]): EventSourceSpec {
  const spec: Record<string, Record<string, unknown>> = {};
  for (const s of SPOTS.filter((x) => x.eventSource === eventSource)) {
    const webhook = { endpoint: s.path, port: eventSource === "open" ? OPEN_PORT : SECURED_PORT, method: s.method, maxPayloadSize: s.maxPayloadSize };
    const selector = { name: `secret-${s.name}`, key: "value" };
    const common = { filter: s.filter ? { expression: s.filter } : undefined, metadata: s.metadata, events: s.events };
    const lock = secured(s);
    const entry: Record<string, unknown> =
      s.type === "github"
        ? { webhook, ...common, webhookSecret: lock ? selector : undefined }
        : s.type === "gitlab"
          ? { webhook, ...common, secretToken: lock ? selector : undefined }
          : s.type === "bitbucket"
            ? { webhook: { ...webhook, authSecret: lock ? selector : undefined }, ...common }
            : s.type === "bitbucketserver"
              ? { webhook, ...common, webhookSecret: lock ? selector : undefined }
              : { ...webhook, ...common, authSecret: lock ? selector : undefined };
    (spec[s.type] ??= {})[s.name] = JSON.parse(JSON.stringify(entry)) as unknown;
  }
  return spec as EventSourceSpec;
}

const SECRETS: Record<string, Record<string, string>> = Object.fromEntries(SPOTS.filter(secured).map((s) => [`secret-${s.name}`, { value: secretOf(s) }]));

type Auth = "none" | "valid" | "valid-alt" | "wrong" | "malformed" | "foreign";
const VALID_AUTH: ReadonlySet<Auth> = new Set(["valid", "valid-alt"]);

/** The credential header a receiver of this type checks, in the requested shape; `pick` chooses among malformed variants. */
function credential(s: Spot, auth: Auth, body: Buffer, pick: number): [string, string][] {
  const secret = secured(s) ? secretOf(s) : "not-configured-anyway";
  const choose = (list: [string, string][]): [string, string][] => [list[pick % list.length] as [string, string]];
  if (auth === "none") return [];
  if (auth === "foreign") {
    // Some other receiver's credential shape, with its own secret.
    return choose([
      ["Authorization", `Bearer ${secret}`],
      ["X-Gitlab-Token", secret],
      ["X-Hub-Signature-256", hmac("sha256", secret, body)],
      ["X-Hub-Signature", hmac("sha256", secret, body)],
      ["X-Hook-UUID", secret],
    ]).filter(([n]) => n !== credentialHeader(s) && !(s.type === "github" && n.startsWith("X-Hub-Signature")));
  }
  const wrong = `${secret}-not`;
  switch (s.type) {
    case "github":
      if (auth === "valid") return [["X-Hub-Signature-256", hmac("sha256", secret, body)]];
      if (auth === "valid-alt") return choose([["X-Hub-Signature", hmac("sha1", secret, body)], ["X-Hub-Signature-256", hmac("sha256", secret, body).replace(/=(.*)$/, (_m, h: string) => `=${h.toUpperCase()}`)]]);
      if (auth === "wrong") return choose([["X-Hub-Signature-256", hmac("sha256", wrong, body)], ["X-Hub-Signature", hmac("sha1", wrong, body)]]);
      return choose([
        ["X-Hub-Signature-256", ""],
        ["X-Hub-Signature-256", "sha256="],
        ["X-Hub-Signature-256", `sha256=${"g".repeat(64)}`],
        ["X-Hub-Signature-256", hmac("sha256", secret, body).replace("sha256=", "SHA256=")],
        ["X-Hub-Signature-256", hmac("sha256", secret, body).slice(0, -1)],
        ["X-Hub-Signature-256", hmac("sha1", secret, body)],
        ["X-Hub-Signature", hmac("sha256", secret, body)],
      ]);
    case "bitbucketserver":
      if (auth === "valid") return [["X-Hub-Signature", hmac("sha256", secret, body)]];
      if (auth === "valid-alt") return [["X-Hub-Signature", hmac("sha256", secret, body).replace(/=(.*)$/, (_m, h: string) => `=${h.toUpperCase()}`)]];
      if (auth === "wrong") return [["X-Hub-Signature", hmac("sha256", wrong, body)]];
      return choose([
        ["X-Hub-Signature", hmac("sha1", secret, body)],
        ["X-Hub-Signature", ""],
        ["X-Hub-Signature", `sha256=${"z".repeat(64)}`],
        ["X-Hub-Signature-256", hmac("sha256", secret, body)],
      ]);
    case "gitlab":
      if (auth === "valid" || auth === "valid-alt") return [["X-Gitlab-Token", secret]];
      if (auth === "wrong") return [["X-Gitlab-Token", wrong]];
      return choose([
        ["X-Gitlab-Token", ""],
        ["X-Gitlab-Token", secret.toUpperCase()],
        ["X-Gitlab-Token", `${secret}\t${secret}`],
        ["Authorization", `Bearer ${secret}`],
      ]);
    default:
      if (auth === "valid" || auth === "valid-alt") return [["Authorization", `Bearer ${secret}`]];
      if (auth === "wrong") return [["Authorization", `Bearer ${wrong}`]];
      return choose([
        ["Authorization", `bearer ${secret}`],
        ["Authorization", `Basic ${Buffer.from(`u:${secret}`).toString("base64")}`],
        ["Authorization", "Bearer"],
        ["Authorization", `Bearer  ${secret}`],
        ["Authorization", `Token ${secret}`],
        ["X-Gitlab-Token", secret],
      ]);
  }
}

function credentialHeader(s: Spot): string {
  if (s.type === "github") return "X-Hub-Signature-256";
  if (s.type === "bitbucketserver") return "X-Hub-Signature";
  if (s.type === "gitlab") return "X-Gitlab-Token";
  return "Authorization";
}

interface ReceiverCase {
  spot: Spot;
  auth: Auth;
  pick: number;
  method: string;
  target: string;
  contentType: string | null;
  noise: [string, string][];
  body: Buffer;
  framing: Framing;
}

const receiverCase: fc.Arbitrary<ReceiverCase> = fc.constantFrom(...SPOTS).chain((spot) =>
  fc.record({
    spot: fc.constant(spot),
    auth: fc.constantFrom<Auth>("none", "valid", "valid-alt", "wrong", "malformed", "foreign"),
    pick: fc.nat(),
    method: fc.oneof({ weight: 2, arbitrary: fc.constant(spot.method) }, { weight: 3, arbitrary: methodArb }),
    target: targetArb([spot.path], ["/gh", "/gl", "/bb", "/bbs", "/wh", "/small", "/api/v1/events/argo/ci"]),
    payload: payloadArb,
    noise: noiseHeaders(),
    framing: framingArb,
  }).map(({ payload, ...rest }) => ({ ...rest, ...payload })),
);

function receiverRequest(c: ReceiverCase): RawRequest {
  const body = delivered(c);
  const headers: [string, string][] = [...credential(c.spot, c.auth, body, c.pick)];
  if (c.contentType !== null) headers.push(["Content-Type", c.contentType]);
  headers.push(...c.noise);
  return { method: c.method, target: c.target, headers, body: c.body, framing: c.framing };
}

/** Extends the recording bus with what the JetStream bus does to every event: encode it as JSON text. */
class WireBus extends RecordingBus {
  readonly unencodable: string[] = [];
  override async publish(subject: string, event: CloudEvent): Promise<void> {
    await super.publish(subject, event);
    try {
      toJsonText(event);
    } catch (err) {
      this.unencodable.push(`${subject} ${event.id}: ${errorMessage(err)}`);
    }
  }
}

/**
 * What a receiver port answers: 200 (published, filtered, not subscribed, /health), 400
 * (a body it cannot use; or Node's parser), 401/403 (credentials), 404 (no route), 405,
 * 413 (over maxPayloadSize), 431 (Node: headers over 16 KiB), 503 (body budget or bus).
 * No 415: an unsupported Content-Type is a 400. 500 only for an unreadable secret, which
 * this setup does not have, so here it is always a bug.
 */
const RECEIVER_STATUSES: ReadonlySet<number> = new Set([200, 400, 401, 403, 404, 405, 413, 431, 503]);
/** What a secured receiver answers a request without its credential: never 200 (nor 400: the body is parsed only once verified). */
const REFUSED: ReadonlySet<number> = new Set([401, 403, 405, 413, 503]);

describe("webhook receivers under random requests", () => {
  let server: ReceiverServer;
  const bus = new WireBus();
  const outcomes: ReceiverOutcome[] = [];
  const budget = new BodyBudget();
  const ports: Record<string, number> = {};
  const warnings: Error[] = [];
  const onWarning = (w: Error) => warnings.push(w);
  let socketsBefore = 0;
  let listenersBefore: string[] = [];
  const protoBefore = Object.getOwnPropertyNames(Object.prototype);

  const portOf = (s: Spot) => ports[s.eventSource === "open" ? OPEN_PORT : SECURED_PORT] as number;

  beforeAll(async () => {
    process.on("warning", onWarning);
    server = await startReceivers({
      eventSources: [eventSource("open", specOf("open")), eventSource("secured", specOf("secured"))],
      bus,
      secrets: new MapSecretStore(SECRETS),
      logger: silentLogger(),
      host: "127.0.0.1",
      portOverride: () => 0,
      onOutcome: (o) => outcomes.push(o),
      bodyBudget: budget,
    });
    for (const a of server.addresses()) ports[a.port] = Number(new URL(a.url).port);
    expect(server.endpoints()).toHaveLength(SPOTS.length);
    socketsBefore = openSockets();
    listenersBefore = processListeners();
  });

  afterAll(async () => {
    process.off("warning", onWarning);
    await server?.close();
  });

  it("answers every request in time with a documented status, and publishes only what a receiver accepted", async () => {
    await fuzz(receiverCase, async (c) => {
      const req = receiverRequest(c);
      const published = bus.published.length;
      const seen = outcomes.length;
      const answer = checkAnswer(await exchange(portOf(c.spot), encode(req), c.method === "HEAD"), req, RECEIVER_STATUSES, /^text\/plain; charset=utf-8$/);
      const fresh = outcomes.slice(seen);
      const events = bus.published.slice(published);
      expect(fresh.length).toBeLessThanOrEqual(1);
      expect(events.length).toBeLessThanOrEqual(1);
      const outcome = fresh[0];
      if (outcome) {
        expect(outcome.status).toBe(answer?.status);
        expect(outcome.reason).not.toBe("internal-error");
        expect(outcome.message.length).toBeGreaterThan(0);
        const spot = SPOTS.find((s) => s.eventSource === outcome.eventSourceName && s.name === outcome.eventName) as Spot;
        expect(spot).toBeDefined();
        // A secured receiver accepts (200) or parses (400) only a request with its own credential.
        if (secured(spot) && !(spot === c.spot && VALID_AUTH.has(c.auth))) {
          expect(REFUSED.has(outcome.status), `${spotKey(spot)} answered ${outcome.status} (${outcome.reason}) to auth ${c.auth} for ${spotKey(c.spot)}`).toBe(true);
        }
      }
      if (events.length === 1) {
        expect(answer?.status).toBe(200);
        expect(outcome?.reason).toBe("published");
        expect(events[0]?.subject).toBe(`default.${outcome?.namespace}.${outcome?.eventSourceName}.${outcome?.eventName}`);
      }
      // Nothing published without an outcome saying so, and no outcome without an answer.
      if (!outcome) expect(events).toEqual([]);
    }, RUNS);
    expect(bus.unencodable).toEqual([]);
  }, 60_000);

  it("an unsigned or wrongly signed request to a secured receiver is refused and publishes nothing", async () => {
    const unsigned = fc
      .record({
        spot: fc.constantFrom(...SPOTS.filter(secured)),
        auth: fc.constantFrom<Auth>("none", "wrong", "malformed", "foreign"),
        pick: fc.nat(),
        payload: payloadArb,
        noise: noiseHeaders(),
        framing: framingArb,
        query: queryArb,
      })
      .map(({ payload, ...r }): ReceiverCase => ({ ...r, ...payload, method: r.spot.method, target: r.query === null ? r.spot.path : `${r.spot.path}?${r.query}` }));
    await fuzz(unsigned, async (c) => {
      const req = receiverRequest(c);
      const published = bus.published.length;
      const seen = outcomes.length;
      const answer = checkAnswer(await exchange(portOf(c.spot), encode(req), false), req, RECEIVER_STATUSES, /^text\/plain/);
      expect(bus.published.length).toBe(published);
      const fresh = outcomes.slice(seen);
      if (answer && header(answer, "content-type") !== undefined) {
        // Noise can carry a header Node refuses (400, its own answer); the receiver's own answers are refusals.
        expect(REFUSED.has(answer.status), `${answer.status} ${answer.body.toString("utf8")}`).toBe(true);
        expect(fresh.map((o) => `${o.eventSourceName}/${o.eventName}`)).toEqual([spotKey(c.spot)]);
      }
    }, RUNS);
  }, 60_000);

  it("a valid delivery among hostile headers is published once, with the headers kept as data", async () => {
    let deliveries = 0;
    const valid = fc.constantFrom(...SPOTS).chain((spot) =>
      fc.record({
        spot: fc.constant(spot),
        auth: fc.constantFrom<Auth>("valid", "valid-alt"),
        // Headers Node accepts, none a receiver reads.
        noise: noiseHeaders({ long: false, hostile: false, names: validHeaderName.filter((n) => !PROVIDER_NAMES.some((p) => p.toLowerCase() === n.toLowerCase()) && !/^x-kind$/i.test(n)) }),
        body: fc.oneof(jsonObjectText, depthArb.map((n) => `{"a":${"[".repeat(n)}${"]".repeat(n)}}`)).map((t) => {
          // The filtered receiver passes `kind: "go"`; the small one takes 4 KiB.
          // Last, so that a random `kind` key before it does not count (JSON.parse keeps the last).
          const o = spot.name === "filtered" ? `${t.slice(0, -1)}${t === "{}" ? "" : ","}"kind":"go"}` : t;
          return Buffer.from(spot.maxPayloadSize && Buffer.byteLength(o) > spot.maxPayloadSize ? '{"kind":"go"}' : o);
        }),
        framing: fc.oneof(fc.constant<Framing>({ kind: "length" }), fc.integer({ min: 1, max: 4_096 }).map((size): Framing => ({ kind: "chunked", size }))),
        query: queryArb,
        form: fc.boolean(),
      }),
    );
    await fuzz(valid, async (v) => {
      let body = v.body;
      let contentType = "application/json";
      // GitHub also takes the JSON as the `payload` field of a form.
      if (v.spot.type === "github" && v.form) {
        body = Buffer.from(new URLSearchParams({ payload: v.body.toString("utf8") }).toString());
        contentType = "application/x-www-form-urlencoded";
      }
      if (v.spot.maxPayloadSize && body.length > v.spot.maxPayloadSize) {
        body = Buffer.from('{"kind":"go"}');
        contentType = "application/json";
      }
      const headers: [string, string][] = [...credential(v.spot, v.auth, body, 0), ["Content-Type", contentType]];
      if (v.spot.type === "github") headers.push(["X-GitHub-Event", "push"], ["X-GitHub-Delivery", `d-${++deliveries}`]);
      if (v.spot.type === "gitlab") headers.push(["X-Gitlab-Event", "Push Hook"]);
      if (v.spot.type === "bitbucket" || v.spot.type === "bitbucketserver") headers.push(["X-Event-Key", "repo:refs_changed"]);
      if (v.spot.name === "filtered") headers.push(["X-Kind", "ci"]);
      headers.push(...v.noise);
      const target = v.query === null ? v.spot.path : `${v.spot.path}?${v.query}`;
      const req: RawRequest = { method: v.spot.method, target, headers, body, framing: v.framing };
      const published = bus.published.length;
      const answer = checkAnswer(await exchange(portOf(v.spot), encode(req), false), req, RECEIVER_STATUSES, /^text\/plain/);
      expect(answer?.status, answer?.body.toString("utf8")).toBe(200);
      expect(answer?.body.toString("utf8")).toBe("success");
      const events = bus.published.slice(published);
      expect(events.map((e) => e.subject)).toEqual([subjectOf(v.spot)]);
      const data = events[0]?.event.data as Record<string, unknown>;
      const map = (data.headers ?? data.header) as Record<string, string[]>;
      expect(Object.getPrototypeOf(map)).toBe(Object.prototype);
      for (const [name] of v.noise) {
        expect(Object.keys(map).some((k) => k.toLowerCase() === name.toLowerCase()), `header ${name} missing from the event`).toBe(true);
      }
      // The credential itself never travels.
      const text = toJsonText(events[0]?.event) ?? "";
      if (secured(v.spot)) expect(text).not.toContain(secretOf(v.spot));
    }, VALID_RUNS);
    expect(Object.getOwnPropertyNames(Object.prototype)).toEqual(protoBefore);
    expect(bus.unencodable).toEqual([]);
  }, 60_000);

  it("senders that vanish mid-request publish nothing and hold nothing", async () => {
    await fuzz(fc.tuple(receiverCase, vanishArb), async ([c, v]) => {
      const bytes = encode(receiverRequest(c));
      const published = bus.published.length;
      await vanish(portOf(c.spot), bytes, cutOf(bytes, v.at), v.delayMs);
      expect(bus.published.length).toBe(published);
    }, VALID_RUNS);
    await waitFor(() => (budget.inUse === 0 && server.inFlight() === 0 ? true : undefined), 5_000, `body budget ${budget.inUse}, in flight ${server.inFlight()}`);
  }, 60_000);

  it("concurrent random requests: each answered, and every event published is an accepted delivery", async () => {
    await fuzz(fc.array(receiverCase, { minLength: 2, maxLength: 12 }), async (cases) => {
      const published = bus.published.length;
      const seen = outcomes.length;
      const requests = cases.map(receiverRequest);
      const answers = await Promise.all(cases.map((c, i) => exchange(portOf(c.spot), encode(requests[i] as RawRequest), c.method === "HEAD")));
      answers.forEach((x, i) => checkAnswer(x, requests[i] as RawRequest, RECEIVER_STATUSES, /^text\/plain; charset=utf-8$/));
      const fresh = outcomes.slice(seen);
      const events = bus.published.slice(published);
      expect(fresh.filter((o) => o.reason === "internal-error")).toEqual([]);
      expect(events.map((e) => e.subject).sort()).toEqual(fresh.filter((o) => o.reason === "published").map((o) => `default.${o.namespace}.${o.eventSourceName}.${o.eventName}`).sort());
      for (const s of SPOTS.filter(secured)) {
        const signed = cases.filter((c) => c.spot === s && VALID_AUTH.has(c.auth)).length;
        expect(events.filter((e) => e.subject === subjectOf(s)).length).toBeLessThanOrEqual(signed);
      }
    }, CONCURRENT_RUNS);
  }, 60_000);

  it("headers over Node's limit get 431 and publish nothing", async () => {
    for (const s of SPOTS.filter((x) => x.method === "POST")) {
      const body = Buffer.from("{}");
      const req: RawRequest = { method: "POST", target: s.path, headers: [...credential(s, "valid", body, 0), ["X-Big", "b".repeat(20_000)]], body, framing: { kind: "length" } };
      const published = bus.published.length;
      const answer = checkAnswer(await exchange(portOf(s), encode(req), false), req, RECEIVER_STATUSES, /^text\/plain/);
      expect(answer?.status).toBe(431);
      expect(bus.published.length).toBe(published);
    }
  });

  it("afterwards: every receiver still publishes a valid delivery, and no budget, socket or listener is held", async () => {
    for (const s of SPOTS) {
      const body = Buffer.from(JSON.stringify({ kind: "go", after: "final" }));
      const headers: [string, string][] = [...credential(s, "valid", body, 0), ["Content-Type", "application/json"], ["X-GitHub-Event", "push"], ["X-Kind", "ci"]];
      const req: RawRequest = { method: s.method, target: s.path, headers, body, framing: { kind: "length" } };
      const published = bus.published.length;
      const answer = checkAnswer(await exchange(portOf(s), encode(req), false), req, RECEIVER_STATUSES, /^text\/plain/);
      expect(answer?.status, `${spotKey(s)}: ${answer?.body.toString("utf8")}`).toBe(200);
      expect(bus.published.slice(published).map((e) => e.subject)).toEqual([subjectOf(s)]);
    }
    await waitFor(() => (budget.inUse === 0 ? true : undefined), 5_000, `body budget back to 0 (in use: ${budget.inUse})`);
    await waitFor(() => (server.inFlight() === 0 ? true : undefined), 5_000, "no request in flight");
    await waitFor(() => (openSockets() <= socketsBefore ? true : undefined), 5_000, "sockets closed");
    expect(processListeners()).toEqual(listenersBefore);
    expect(warnings.filter((w) => w.name === "MaxListenersExceededWarning")).toEqual([]);
    expect(outcomes.filter((o) => o.reason === "internal-error")).toEqual([]);
    expect(bus.unencodable).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------
// The events endpoint: POST /api/v1/events/{namespace}/{discriminator}.

const TOKEN_ARGO = "fuzz-token-for-argo-0123456789";
const TOKEN_OTHER = "fuzz-token-for-other-0123456789";
const GITHUB_CLIENT_SECRET = "fuzz-github-client-secret-argo";
const GITLAB_CLIENT_SECRET = "fuzz-gitlab-client-secret-argo";

type EventsAuth =
  | "none"
  | "bearer-argo"
  | "bearer-argo-odd"
  | "bearer-other"
  | "bearer-unknown"
  | "authorization-malformed"
  | "github-argo"
  | "github-bad"
  | "github-no-event"
  | "gitlab-argo"
  | "gitlab-bad"
  | "bitbucket-bad";
const EVENTS_AUTHS: EventsAuth[] = [
  "none",
  "bearer-argo",
  "bearer-argo-odd",
  "bearer-other",
  "bearer-unknown",
  "authorization-malformed",
  "github-argo",
  "github-bad",
  "github-no-event",
  "gitlab-argo",
  "gitlab-bad",
  "bitbucket-bad",
];
/** Credentials of namespace argo (the only one with bindings, so the only one published to). */
const ARGO_AUTH: ReadonlySet<EventsAuth> = new Set(["bearer-argo", "bearer-argo-odd", "github-argo", "gitlab-argo"]);
/** Credentials of some namespace: with any other, no answer is 200. */
const ANY_AUTH: ReadonlySet<EventsAuth> = new Set([...ARGO_AUTH, "bearer-other"]);

function eventsCredential(auth: EventsAuth, body: Buffer, pick: number): [string, string][] {
  const choose = (list: [string, string][][]) => list[pick % list.length] as [string, string][];
  switch (auth) {
    case "none":
      return [];
    case "bearer-argo":
      return [["Authorization", `Bearer ${TOKEN_ARGO}`]];
    case "bearer-argo-odd":
      // The events endpoint takes the scheme in any case and any run of whitespace.
      return choose([[["Authorization", `bearer ${TOKEN_ARGO}`]], [["Authorization", `BEARER\t${TOKEN_ARGO}`]], [["Authorization", `Bearer   ${TOKEN_ARGO}`]]]);
    case "bearer-other":
      return [["Authorization", `Bearer ${TOKEN_OTHER}`]];
    case "bearer-unknown":
      return choose([[["Authorization", `Bearer ${TOKEN_ARGO}x`]], [["Authorization", "Bearer short"]], [["Authorization", `Bearer ${GITHUB_CLIENT_SECRET}`]]]);
    case "authorization-malformed":
      return choose([
        [["Authorization", ""]],
        [["Authorization", "Bearer"]],
        [["Authorization", `Basic ${Buffer.from(`ci:${TOKEN_ARGO}`).toString("base64")}`]],
        [["Authorization", `Bearer ${TOKEN_ARGO} extra`]],
        [["Authorization", TOKEN_ARGO]],
        // A valid webhook signature does not count once Authorization is there.
        [["Authorization", "x"], ["X-GitHub-Event", "push"], ["X-Hub-Signature-256", hmac("sha256", GITHUB_CLIENT_SECRET, body)]],
      ]);
    case "github-argo":
      return [["X-GitHub-Event", "push"], ["X-Hub-Signature-256", hmac("sha256", GITHUB_CLIENT_SECRET, body)]];
    case "github-bad":
      return choose([
        [["X-GitHub-Event", "push"], ["X-Hub-Signature-256", hmac("sha256", `${GITHUB_CLIENT_SECRET}x`, body)]],
        [["X-GitHub-Event", "push"], ["X-Hub-Signature-256", hmac("sha1", GITHUB_CLIENT_SECRET, body)]],
        [["X-GitHub-Event", "push"], ["X-Hub-Signature", hmac("sha256", GITHUB_CLIENT_SECRET, body)]],
        [["X-GitHub-Event", "push"], ["X-Hub-Signature-256", ""]],
      ]);
    case "github-no-event":
      return [["X-Hub-Signature-256", hmac("sha256", GITHUB_CLIENT_SECRET, body)]];
    case "gitlab-argo":
      return [["X-Gitlab-Event", "Push Hook"], ["X-Gitlab-Token", GITLAB_CLIENT_SECRET]];
    case "gitlab-bad":
      return choose([[["X-Gitlab-Event", "Push Hook"], ["X-Gitlab-Token", `${GITLAB_CLIENT_SECRET}x`]], [["X-Gitlab-Token", GITLAB_CLIENT_SECRET]], [["X-Gitlab-Event", "Push Hook"], ["X-Gitlab-Token", ""]]]);
    case "bitbucket-bad":
      return [["X-Event-Key", "repo:push"], ["X-Hook-UUID", GITHUB_CLIENT_SECRET]];
  }
}

const nsArb = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom("argo", "other") },
  { weight: 2, arbitrary: fc.constantFrom("Argo", "a_b", "", "-argo", "argo-", "%61rgo", "ar%67o", "%", "%zz", "argo%2Fci", "..", ".", "a".repeat(63), "a".repeat(64), "argo%00", "%C3%BC", "__proto__", "constructor") },
  { weight: 1, arbitrary: fc.stringMatching(/^[a-z0-9-]{0,70}$/) },
);
const discArb = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom("ci", "github", "") },
  { weight: 2, arbitrary: fc.constantFrom("%2F", "a%2Fb", "%", "%E0%A4%A", "%C3%BC", "ci%20x", "__proto__", "constructor", "..", "ci;x", "ci#frag") },
  { weight: 2, arbitrary: fc.webSegment({ size: "small" }) },
);
const eventsPathArb = fc.oneof(
  { weight: 10, arbitrary: fc.tuple(nsArb, discArb).map(([ns, d]) => `/api/v1/events/${ns}/${d}`) },
  { weight: 1, arbitrary: nsArb.map((ns) => `/api/v1/events/${ns}`) },
  { weight: 1, arbitrary: fc.tuple(nsArb, discArb, discArb).map(([ns, d, e]) => `/api/v1/events/${ns}/${d}/${e}`) },
  { weight: 1, arbitrary: fc.constantFrom("/api/v1/events/", "/api/v1/events", "/API/v1/events/argo/ci", "/api/v1/events//argo/ci", "/api/v1/eventsx/argo/ci", "//api/v1/events/argo/ci", "/api/v1/events/argo/ci/", "/api/v1/%65vents/argo/ci", "/health", "/", "/%", "/ünï") },
  { weight: 1, arbitrary: fc.webPath({ size: "small" }).map((p) => (p.startsWith("/") ? p : `/${p}`)) },
);
const eventsTargetArb = fc
  .record({ path: eventsPathArb, query: queryArb, form: fc.constantFrom("origin", "origin", "origin", "origin", "origin", "origin", "absolute", "asterisk") })
  .map(({ path, query, form }) => {
    if (form === "asterisk") return "*";
    const t = query === null ? path : `${path}?${query}`;
    return form === "absolute" ? `http://fuzz.example${t}` : t;
  });

interface EventsCase {
  auth: EventsAuth;
  pick: number;
  method: string;
  target: string;
  contentType: string | null;
  noise: [string, string][];
  body: Buffer;
  framing: Framing;
}

const eventsCase: fc.Arbitrary<EventsCase> = fc.record({
  auth: fc.constantFrom(...EVENTS_AUTHS),
  pick: fc.nat(),
  method: methodArb,
  target: eventsTargetArb,
  payload: payloadArb,
  noise: noiseHeaders(),
  framing: framingArb,
}).map(({ payload, ...rest }) => ({ ...rest, ...payload }));

/**
 * The credential a case amounts to once its noise is there: noise can supply the event
 * header that a signed but event-less request lacks to match a webhook client.
 */
function effectiveAuth(c: EventsCase): EventsAuth {
  // The first value, as Node gives it (spaces and tabs trimmed); a matching client needs it non-empty.
  const first = (name: string) => c.noise.find(([n]) => n.toLowerCase() === name.toLowerCase())?.[1].replace(/^[ \t]+|[ \t]+$/g, "");
  if (c.auth === "github-no-event" && first("X-GitHub-Event")) return "github-argo";
  if (c.auth === "gitlab-bad" && c.pick % 3 === 1 && first("X-Gitlab-Event")) return "gitlab-argo";
  return c.auth;
}

function eventsRequest(c: EventsCase): RawRequest {
  const headers: [string, string][] = [...eventsCredential(c.auth, delivered(c), c.pick)];
  if (c.contentType !== null) headers.push(["Content-Type", c.contentType]);
  headers.push(...c.noise);
  return { method: c.method, target: c.target, headers, body: c.body, framing: c.framing };
}

/** As the receivers: 400 also for a namespace that is not a DNS label; 413 over 2 MiB; 500 only for a failed sync dispatch (durable here). */
const EVENTS_STATUSES: ReadonlySet<number> = new Set([200, 400, 401, 403, 404, 405, 413, 431, 503]);

/** The events endpoint answers JSON: `{}` on success, `{code, message}` otherwise; `/health` is plain text. */
function checkEventsBody(a: Answer | undefined, method: string): void {
  if (!a || method === "HEAD") return;
  const type = header(a, "content-type");
  if (type === undefined) return;
  if (type.startsWith("text/plain")) {
    expect(a.status).toBe(200);
    expect(a.body.toString("utf8")).toBe("OK");
    return;
  }
  expect(type).toMatch(/^application\/json/);
  const body = JSON.parse(a.body.toString("utf8")) as { code?: unknown; message?: unknown };
  if (a.status === 200) {
    expect(body).toEqual({});
  } else {
    expect(typeof body.code).toBe("number");
    expect(typeof body.message).toBe("string");
    expect((body.message as string).length).toBeGreaterThan(0);
  }
  if (a.status === 405) expect(header(a, "allow")).toBe("POST");
}

describe("the events endpoint under random requests", () => {
  let dir: string;
  let server: BindingServer;
  // Every published event must encode as the JetStream bus encodes it, deep payloads included.
  const bus = new WireBus();
  const budget = new BodyBudget();
  let port = 0;
  const warnings: Error[] = [];
  const onWarning = (w: Error) => warnings.push(w);
  let socketsBefore = 0;
  let listenersBefore: string[] = [];

  beforeAll(async () => {
    process.on("warning", onWarning);
    dir = await mkdtemp(join(tmpdir(), "fuzz-events-"));
    const clients = join(dir, "secrets", "argo-workflows-webhook-clients", "argo");
    await mkdir(clients, { recursive: true });
    await writeFile(join(clients, "github-client"), `type: github\nsecret: ${GITHUB_CLIENT_SECRET}\n`);
    await writeFile(join(clients, "gitlab-client"), `type: gitlab\nsecret: ${GITLAB_CLIENT_SECRET}\n`);
    const tokens = join(dir, "tokens.yaml");
    await writeFile(tokens, `${TOKEN_ARGO}: {serviceAccount: ci, namespace: argo}\n${TOKEN_OTHER}: {serviceAccount: ci, namespace: other}\n`);
    const catalog = new SpecBindingCatalog({ bindings: [submitting("ci", 'discriminator == "ci"', "ci-build", {}, { namespace: "argo" })], workflowTemplates: [template("ci-build")] });
    server = await startBindingServer({
      mode: "durable",
      catalog,
      // Never started: events are published to the bus and stay there.
      dispatcher: new BindingDispatcher({ catalog, workflows: new LocalWorkflowStore(join(dir, "workflows")), logger: silentLogger() }),
      bus,
      authenticator: await TokensFileAuthenticator.load(tokens),
      authorizer: new NamespaceAuthorizer(),
      webhookClients: new DirWebhookClientSource(join(dir, "secrets")),
      logger: silentLogger(),
      port: 0,
      host: "127.0.0.1",
      bodyBudget: budget,
    });
    port = Number(new URL(server.url).port);
    socketsBefore = openSockets();
    listenersBefore = processListeners();
  });

  afterAll(async () => {
    process.off("warning", onWarning);
    await server?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("answers every request in time with a documented status, and publishes only for namespace argo's credentials", async () => {
    await fuzz(eventsCase, async (c) => {
      const req = eventsRequest(c);
      const published = bus.published.length;
      const answer = checkAnswer(await exchange(port, encode(req), c.method === "HEAD"), req, EVENTS_STATUSES, /^(application\/json|text\/plain)/);
      checkEventsBody(answer, c.method);
      const events = bus.published.slice(published);
      expect(events.length).toBeLessThanOrEqual(1);
      if (answer?.status === 200 && header(answer, "content-type")?.startsWith("application/json")) {
        expect(ANY_AUTH.has(effectiveAuth(c)), `200 for auth ${c.auth}`).toBe(true);
      }
      if (events.length === 1) {
        expect(answer?.status).toBe(200);
        expect(ARGO_AUTH.has(effectiveAuth(c)), `published for auth ${c.auth}`).toBe(true);
        const event = events[0] as { subject: string; event: CloudEvent };
        expect(event.subject).toBe("default._bindings.argo");
        const data = event.event.data as { namespace: string; metadata: Record<string, string[]>; identity: { username: string } };
        expect(data.namespace).toBe("argo");
        expect(Object.keys(data.metadata).every((k) => k.startsWith("x-"))).toBe(true);
        expect(JSON.stringify(data.metadata)).not.toContain(GITHUB_CLIENT_SECRET);
        expect(JSON.stringify(data.metadata)).not.toContain(GITLAB_CLIENT_SECRET);
        expect(data.identity.username).toMatch(/^system:serviceaccount:argo:/);
      }
    }, RUNS);
  }, 60_000);

  it("a request without namespace argo's credentials never publishes nor gets 200", async () => {
    const refused = fc
      .record({
        auth: fc.constantFrom(...EVENTS_AUTHS.filter((a) => !ANY_AUTH.has(a))),
        pick: fc.nat(),
        ns: nsArb,
        disc: discArb,
        payload: payloadArb,
        noise: noiseHeaders(),
        framing: framingArb,
      })
      .map(({ payload, ...r }): EventsCase => ({ ...r, ...payload, method: "POST", target: `/api/v1/events/${r.ns}/${r.disc}` }))
      .filter((c) => !ANY_AUTH.has(effectiveAuth(c)));
    await fuzz(refused, async (c) => {
      const req = eventsRequest(c);
      const published = bus.published.length;
      const answer = checkAnswer(await exchange(port, encode(req), false), req, EVENTS_STATUSES, /^application\/json/);
      checkEventsBody(answer, c.method);
      expect(bus.published.length).toBe(published);
      expect(answer?.status).not.toBe(200);
    }, RUNS);
  }, 60_000);

  it("an authenticated event among hostile headers is published once, as sent", async () => {
    const valid = fc.record({
      auth: fc.constantFrom<EventsAuth>("bearer-argo", "bearer-argo-odd", "github-argo", "gitlab-argo"),
      pick: fc.nat(),
      disc: fc.oneof(fc.constantFrom("ci", "", "github", "a%2Fb", "%C3%BC"), fc.webSegment({ size: "small" })),
      noise: noiseHeaders({ long: false, hostile: false, names: validHeaderName.filter((n) => !PROVIDER_NAMES.some((p) => p.toLowerCase() === n.toLowerCase())) }),
      body: fc.oneof(
        fc.json({ maxDepth: 4 }),
        jsonObjectText,
        fc.constantFrom("", " "),
        fc.integer({ min: 1_000, max: 20_000 }).map((d) => `${"[".repeat(d)}${"]".repeat(d)}`),
      ),
      framing: fc.oneof(fc.constant<Framing>({ kind: "length" }), fc.integer({ min: 1, max: 4_096 }).map((size): Framing => ({ kind: "chunked", size }))),
      query: queryArb,
    });
    await fuzz(valid, async (v) => {
      const body = Buffer.from(v.body);
      const headers: [string, string][] = [...eventsCredential(v.auth, body, v.pick), ["Content-Type", "application/json"], ...v.noise];
      const path = `/api/v1/events/argo/${v.disc}`;
      const req: RawRequest = { method: "POST", target: v.query === null ? path : `${path}?${v.query}`, headers, body, framing: v.framing };
      const published = bus.published.length;
      const answer = checkAnswer(await exchange(port, encode(req), false), req, EVENTS_STATUSES, /^application\/json/);
      checkEventsBody(answer, "POST");
      expect(answer?.status, answer?.body.toString("utf8")).toBe(200);
      const events = bus.published.slice(published);
      expect(events).toHaveLength(1);
      const data = events[0]?.event.data as { namespace: string; discriminator: string; payload: unknown; metadata: Record<string, string[]> };
      expect(data.namespace).toBe("argo");
      expect(data.discriminator).toBe(decodeURIComponent(v.disc));
      // A deep payload is compared as text: a recursive equality check would overflow.
      if (v.body.length < 1_000) expect(data.payload).toEqual(v.body.trim() === "" ? null : JSON.parse(v.body));
      else expect(Array.isArray(data.payload)).toBe(true);
      for (const [name] of v.noise) {
        if (name.toLowerCase().startsWith("x-")) expect(Object.hasOwn(data.metadata, name.toLowerCase()), `metadata ${name}`).toBe(true);
      }
    }, VALID_RUNS);
  }, 60_000);

  it("senders that vanish mid-request publish nothing and hold nothing", async () => {
    await fuzz(fc.tuple(eventsCase, vanishArb), async ([c, v]) => {
      const bytes = encode(eventsRequest(c));
      const published = bus.published.length;
      await vanish(port, bytes, cutOf(bytes, v.at), v.delayMs);
      expect(bus.published.length).toBe(published);
    }, VALID_RUNS);
    await waitFor(() => (budget.inUse === 0 && server.inFlight() === 0 ? true : undefined), 5_000, `body budget ${budget.inUse}, in flight ${server.inFlight()}`);
  }, 60_000);

  it("concurrent random requests: each answered, and only namespace argo's credentials publish", async () => {
    await fuzz(fc.array(eventsCase, { minLength: 2, maxLength: 12 }), async (cases) => {
      const published = bus.published.length;
      const requests = cases.map(eventsRequest);
      const answers = await Promise.all(cases.map((c, i) => exchange(port, encode(requests[i] as RawRequest), c.method === "HEAD")));
      answers.forEach((x, i) => {
        checkEventsBody(checkAnswer(x, requests[i] as RawRequest, EVENTS_STATUSES, /^(application\/json|text\/plain)/), cases[i]?.method as string);
      });
      const events = bus.published.slice(published);
      expect(events.length).toBeLessThanOrEqual(cases.filter((c) => ARGO_AUTH.has(effectiveAuth(c))).length);
      expect(events.length).toBeLessThanOrEqual(answers.filter((x) => x.answer?.status === 200).length);
      for (const e of events) expect((e.event.data as { namespace: string }).namespace).toBe("argo");
    }, CONCURRENT_RUNS);
  }, 60_000);

  it("afterwards: an authenticated event is still published, and no budget, socket or listener is held", async () => {
    for (const auth of ["bearer-argo", "github-argo", "gitlab-argo"] as const) {
      const body = Buffer.from(JSON.stringify({ repo: "final" }));
      const req: RawRequest = { method: "POST", target: "/api/v1/events/argo/ci", headers: [...eventsCredential(auth, body, 0), ["Content-Type", "application/json"]], body, framing: { kind: "length" } };
      const published = bus.published.length;
      const answer = checkAnswer(await exchange(port, encode(req), false), req, EVENTS_STATUSES, /^application\/json/);
      expect(answer?.status, `${auth}: ${answer?.body.toString("utf8")}`).toBe(200);
      expect(bus.published.slice(published).map((e) => e.subject)).toEqual(["default._bindings.argo"]);
    }
    await waitFor(() => (budget.inUse === 0 ? true : undefined), 5_000, `body budget back to 0 (in use: ${budget.inUse})`);
    await waitFor(() => (server.inFlight() === 0 ? true : undefined), 5_000, "no request in flight");
    await waitFor(() => (openSockets() <= socketsBefore ? true : undefined), 5_000, "sockets closed");
    expect(processListeners()).toEqual(listenersBefore);
    expect(warnings.filter((w) => w.name === "MaxListenersExceededWarning")).toEqual([]);
    expect(bus.unencodable).toEqual([]);
  });
});

import { parse as parseYaml } from "yaml";
import { natsUrlProblem, type EventBus as EventBusSpec, type SecretKeySelector } from "../api/index.js";
import { SpecError } from "../errors.js";
import type { Logger } from "../logger.js";
import type { SecretStore } from "../config/index.js";
import { parseGoDuration } from "../expr/index.js";

export type NatsAuth = { token: string } | { user: string; pass: string };

/** PEM contents (`ca`, `cert`, `key`) or file paths; a set `tls` makes the client require TLS. */
export interface NatsTls {
  ca?: string;
  cert?: string;
  key?: string;
  caFile?: string;
  certFile?: string;
  keyFile?: string;
  insecureSkipVerify?: boolean;
}

/** Stream limits, in Argo Events' `streamConfig` vocabulary. Durations: ms, or a Go duration string. */
export interface StreamSettings {
  name: string;
  maxMsgs: number;
  maxAge: number | string;
  maxBytes: number;
  replicas: number;
  duplicates: number | string;
  /** 0 Limits, 1 Interest, 2 WorkQueue (as Argo Events). */
  retention: 0 | 1 | 2;
  /** 0 DiscardOld, 1 DiscardNew. */
  discard: 0 | 1;
}

export interface JetStreamOptions {
  /** Bus name: the subject prefix and the default stream name. */
  name: string;
  servers: string[];
  auth?: NatsAuth;
  tls?: NatsTls;
  stream?: Partial<StreamSettings>;
  /** How long publish keeps retrying before it rejects with 503. */
  publishDeadlineMs?: number;
  /** Consumers' ack wait: how long a delivered, unsettled message waits before redelivery. */
  ackWaitMs?: number;
  /** How long connect() keeps trying to reach a server the first time. */
  connectTimeoutMs?: number;
  logger?: Logger;
}

/**
 * The defaults of argo-events' controller-config (manifests/base/controller-manager):
 * a week of events, 50k messages, no byte limit, 3 replicas, 5 minutes of dedup.
 */
export const DEFAULT_STREAM: Omit<StreamSettings, "name"> = {
  maxMsgs: 50_000,
  maxAge: "168h",
  maxBytes: -1,
  replicas: 3,
  duplicates: "300s",
  retention: 0,
  discard: 0,
};

/** A duration option: a number is milliseconds, a string is a Go duration. */
export function durationMs(value: number | string): number {
  return typeof value === "number" ? value : parseGoDuration(value);
}

function toInt(key: string, v: unknown): number {
  const n = typeof v === "string" && v.trim() !== "" ? Number(v) : v;
  if (typeof n !== "number" || !Number.isInteger(n)) throw new Error(`${key}: expected an integer, got ${JSON.stringify(v)}`);
  return n;
}

function atLeast(key: string, n: number, min: number): number {
  if (n < min) throw new Error(`${key}: must be at least ${min}${min === -1 ? " (-1: no limit)" : ""}, got ${n}`);
  return n;
}

/** Why an EventBus's `streamConfig` cannot make the stream, with its field; undefined when it can. */
export function streamConfigProblem(spec: EventBusSpec): { path: string[]; message: string } | undefined {
  for (const kind of ["jetstream", "jetstreamExotic"]) {
    const section = (spec.spec as Rec)[kind];
    if (!isRec(section) || section.streamConfig === undefined || section.streamConfig === null) continue;
    const path = ["spec", kind, "streamConfig"];
    if (typeof section.streamConfig !== "string") return { path, message: "must be a YAML string" };
    try {
      parseStreamConfig(section.streamConfig);
    } catch (err) {
      return { path, message: err instanceof Error ? err.message : String(err) };
    }
  }
  return undefined;
}

/**
 * Parses a `streamConfig` YAML string. Keys are case-insensitive (viper's rule).
 * A bare number for maxAge/duplicates is nanoseconds, as Go's cast reads it.
 */
export function parseStreamConfig(text: string): Partial<StreamSettings> {
  if (text.trim() === "") return {};
  const doc: unknown = parseYaml(text);
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== "object" || Array.isArray(doc)) throw new Error("streamConfig must be a YAML mapping");
  const out: Partial<StreamSettings> = {};
  for (const [rawKey, v] of Object.entries(doc as Record<string, unknown>)) {
    const key = rawKey.toLowerCase();
    if (key === "maxmsgs") out.maxMsgs = atLeast(rawKey, toInt(rawKey, v), -1);
    else if (key === "maxbytes") out.maxBytes = atLeast(rawKey, toInt(rawKey, v), -1);
    else if (key === "replicas") out.replicas = atLeast(rawKey, toInt(rawKey, v), 1);
    else if (key === "maxage" || key === "duplicates") {
      let ms = NaN;
      try {
        ms = typeof v === "number" ? v / 1e6 : typeof v === "string" ? parseGoDuration(v) : NaN;
      } catch {
        // named below
      }
      if (Number.isNaN(ms)) throw new Error(`${rawKey}: expected a duration like "72h", got ${JSON.stringify(v)}`);
      // nats-server refuses a negative age or window (0 is "no limit" for maxAge).
      if (ms < 0) throw new Error(`${rawKey}: must not be negative, got ${JSON.stringify(v)}`);
      if (key === "maxage") out.maxAge = ms;
      else out.duplicates = ms;
    } else if (key === "retention") {
      const n = toInt(rawKey, v);
      if (n !== 0 && n !== 1 && n !== 2) throw new Error(`retention: expected 0, 1 or 2, got ${n}`);
      // A work-queue stream takes one consumer per subject, delivering all: the gateway's
      // router and trigger consumers overlap and start at new messages.
      if (n === 2) throw new Error("retention: 2 (WorkQueue) cannot hold the gateway's consumers; use 0 (Limits, Argo Events' default) or 1 (Interest)");
      out.retention = n;
    } else if (key === "discard") {
      const n = toInt(rawKey, v);
      if (n !== 0 && n !== 1) throw new Error(`discard: expected 0 or 1, got ${n}`);
      out.discard = n;
    }
    // Other keys are ignored, as Argo Events ignores them.
  }
  return out;
}

/** `nats://a:4222,nats://b:4222` -> two servers. */
export function splitServers(urls: string): string[] {
  return urls.split(",").map((u) => u.trim()).filter((u) => u !== "");
}

/**
 * An access secret's value. Argo Events mounts it as `auth.yaml` with `username`/`password`
 * (or `token`); its docs also allow a plain string, which we take as a token.
 */
export function authFromSecret(value: string): NatsAuth {
  let doc: unknown;
  try {
    doc = parseYaml(value);
  } catch {
    doc = undefined;
  }
  if (doc && typeof doc === "object" && !Array.isArray(doc)) {
    const fields: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(doc as Record<string, unknown>)) fields[k.toLowerCase()] = v;
    if (typeof fields.token === "string" && fields.token !== "") return { token: fields.token };
    if (fields.username !== undefined || fields.password !== undefined) {
      return { user: String(fields.username ?? ""), pass: String(fields.password ?? "") };
    }
  }
  return { token: value.trim() };
}

export interface SpecOverrides {
  /** `--nats-url`: replaces the URL of the spec (comma-separated list). */
  natsUrl?: string;
  logger?: Logger;
  publishDeadlineMs?: number;
  ackWaitMs?: number;
}

type Rec = Record<string, unknown>;
const isRec = (v: unknown): v is Rec => typeof v === "object" && v !== null && !Array.isArray(v);

function selector(v: unknown): SecretKeySelector | undefined {
  return isRec(v) && typeof v.key === "string"
    ? { name: String(v.name ?? ""), key: v.key, optional: v.optional === true }
    : undefined;
}

/**
 * Connection and stream options from an argoproj.io EventBus (`spec.jetstream` or
 * `spec.jetstreamExotic`); without a spec, only `--nats-url` with the defaults.
 */
export async function jetStreamOptionsFromSpec(
  eventBus: EventBusSpec | undefined,
  secrets: SecretStore,
  overrides: SpecOverrides = {},
): Promise<JetStreamOptions> {
  const name = eventBus?.metadata.name ?? "default";
  const namespace = eventBus?.metadata.namespace ?? "";
  const resource = `EventBus/${name}`;
  const fail = (field: string, detail: string): never => {
    throw new SpecError("", resource, field, detail);
  };
  const spec: Rec = eventBus?.spec ?? {};
  const readSecret = async (field: string, v: unknown): Promise<string | undefined> => {
    const sel = selector(v);
    if (!sel) return undefined;
    try {
      return await secrets.get(namespace, sel);
    } catch (err) {
      if (sel.optional) return undefined;
      return fail(field, err instanceof Error ? err.message : String(err));
    }
  };
  const streamFrom = (field: string, text: unknown): Partial<StreamSettings> => {
    if (text === undefined || text === null) return {};
    if (typeof text !== "string") return fail(field, "must be a YAML string");
    try {
      return parseStreamConfig(text);
    } catch (err) {
      return fail(field, err instanceof Error ? err.message : String(err));
    }
  };

  const options: JetStreamOptions = {
    name,
    servers: [],
    stream: { name },
    logger: overrides.logger,
    publishDeadlineMs: overrides.publishDeadlineMs,
    ackWaitMs: overrides.ackWaitMs,
  };
  if (isRec(spec.jetstreamExotic)) {
    const ex = spec.jetstreamExotic;
    if (typeof ex.url === "string") {
      const bad = natsUrlProblem(ex.url);
      if (bad) fail("spec.jetstreamExotic.url", bad);
      options.servers = splitServers(ex.url);
    }
    const secret = await readSecret("spec.jetstreamExotic.accessSecret", ex.accessSecret);
    if (secret !== undefined) options.auth = authFromSecret(secret);
    options.stream = { ...options.stream, ...streamFrom("spec.jetstreamExotic.streamConfig", ex.streamConfig) };
    if (isRec(ex.tls)) {
      const t = ex.tls;
      options.tls = {
        ca: await readSecret("spec.jetstreamExotic.tls.caCertSecret", t.caCertSecret),
        cert: await readSecret("spec.jetstreamExotic.tls.clientCertSecret", t.clientCertSecret),
        key: await readSecret("spec.jetstreamExotic.tls.clientKeySecret", t.clientKeySecret),
        insecureSkipVerify: t.insecureSkipVerify === true,
      };
    }
  } else if (isRec(spec.jetstream)) {
    const js = spec.jetstream;
    // The Service and client secret the argo-events controller creates for a managed bus.
    const host = namespace ? `eventbus-${name}-js-svc.${namespace}.svc` : `eventbus-${name}-js-svc`;
    options.servers = [`nats://${host}:4222`];
    const secret = await readSecret("spec.jetstream", { name: `eventbus-${name}-js-client-auth`, key: "client-auth", optional: true });
    if (secret !== undefined) options.auth = authFromSecret(secret);
    const stream = { ...options.stream, ...streamFrom("spec.jetstream.streamConfig", js.streamConfig) };
    // A stream cannot have more replicas than the StatefulSet has servers (default 3).
    const size = typeof js.replicas === "number" ? js.replicas : 3;
    if ((stream.replicas ?? DEFAULT_STREAM.replicas) > size) stream.replicas = Math.max(1, size);
    options.stream = stream;
    // The managed bus always speaks TLS with a self-signed certificate; Argo Events skips verification.
    options.tls = { insecureSkipVerify: true };
  } else if (eventBus && !overrides.natsUrl) {
    fail("spec", "only jetstream and jetstreamExotic event buses are supported (nats and kafka are not)");
  }
  if (overrides.natsUrl) {
    options.servers = splitServers(overrides.natsUrl);
    // A plain URL given on the command line says nothing about the in-cluster TLS.
    if (!isRec(spec.jetstreamExotic)) options.tls = undefined;
  }
  if (options.servers.length === 0) fail("spec.jetstreamExotic.url", "no NATS URL given");
  return options;
}

import {
  connect,
  DiscardPolicy,
  ErrorCode,
  nanos,
  NatsError,
  RetentionPolicy,
  StorageType,
  type ConnectionOptions,
  type JetStreamClient,
  type JetStreamManager,
  type NatsConnection,
  type StreamConfig,
  type StreamInfo,
  type TlsOptions,
} from "nats";
import type { EventBus, MessageHandler, PublishResult, SubscribeOptions, Subscription } from "./bus.js";
import type { CloudEvent } from "./cloudevent.js";
import { SendCoalescer } from "./coalesce.js";
import { JetStreamSubscription, type SubscriptionDeps } from "./jetstream-consumer.js";
import { SharedConsumer } from "./jetstream-shared.js";
import { JetStreamKvBucket } from "./jetstream-kv.js";
import type { KvBucket } from "./kv.js";
import { DEFAULT_STREAM, durationMs, type JetStreamOptions, type NatsTls, type StreamSettings } from "./jetstream-options.js";
import { BusUnavailableError, errorMessage, GatewayError } from "../errors.js";
import { silentLogger, type Logger } from "../logger.js";
import { toJsonText } from "./json-text.js";

export const DEFAULT_PUBLISH_DEADLINE_MS = 8000;
const DEFAULT_CONNECT_TIMEOUT_MS = 30_000;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const RETENTION = [RetentionPolicy.Limits, RetentionPolicy.Interest, RetentionPolicy.Workqueue] as const;
const DISCARD = [DiscardPolicy.Old, DiscardPolicy.New] as const;

function apiErrCode(err: unknown): number | undefined {
  return err instanceof NatsError ? err.api_error?.err_code : undefined;
}

/** Failures that a short wait can cure: the server or its JetStream is momentarily away. */
function retryable(err: unknown): boolean {
  if (!(err instanceof NatsError)) return false;
  if (err.api_error) return err.api_error.code === 503 || err.api_error.err_code === 10059; // 10059: stream not found
  const codes: string[] = [ErrorCode.Timeout, ErrorCode.NoResponders, ErrorCode.Disconnect, ErrorCode.ConnectionRefused, ErrorCode.ConnectionTimeout];
  return codes.includes(err.code);
}

function isAuthError(err: unknown): boolean {
  const codes: string[] = [ErrorCode.AuthorizationViolation, ErrorCode.AuthenticationExpired, ErrorCode.AuthenticationTimeout];
  return err instanceof NatsError && codes.includes(err.code);
}

function tlsOptions(tls: NatsTls): TlsOptions {
  const { ca, cert, key, caFile, certFile, keyFile } = tls;
  // nats.js hands unknown fields to node's tls.connect.
  const opts: TlsOptions & { rejectUnauthorized?: boolean } = { ca, cert, key, caFile, certFile, keyFile };
  if (tls.insecureSkipVerify) opts.rejectUnauthorized = false;
  return opts;
}

/** The stream as nats-server wants it; storage is always file, subjects `<bus>.>`. */
export function streamConfigFor(busName: string, settings: Partial<StreamSettings> = {}): Partial<StreamConfig> {
  const s = { ...DEFAULT_STREAM, ...settings };
  const maxAge = durationMs(s.maxAge);
  let duplicates = durationMs(s.duplicates);
  // The server refuses a dedup window longer than the retention.
  if (maxAge > 0 && duplicates > maxAge) duplicates = maxAge;
  return {
    name: s.name ?? busName,
    subjects: [`${busName}.>`],
    storage: StorageType.File,
    retention: RETENTION[s.retention],
    discard: DISCARD[s.discard],
    max_msgs: s.maxMsgs,
    max_bytes: s.maxBytes,
    max_age: nanos(maxAge),
    num_replicas: s.replicas,
    duplicate_window: nanos(duplicates),
  };
}

const COMPARED = ["storage", "retention", "discard", "max_msgs", "max_bytes", "max_age", "num_replicas", "duplicate_window"] as const;

function differences(have: StreamConfig, want: Partial<StreamConfig>): string[] {
  const out: string[] = COMPARED.filter((k) => want[k] !== undefined && have[k] !== want[k]);
  const hs = [...(have.subjects ?? [])].sort().join(",");
  const ws = [...(want.subjects ?? [])].sort().join(",");
  if (hs !== ws) out.push("subjects");
  return out;
}

/**
 * Creates the stream, or updates it when the configuration differs. A server that
 * is not clustered gets one replica: nats-server 2.9 accepts an update to 3
 * replicas there, but then cannot load the stream after a restart and drops it.
 */
export async function ensureStream(
  jsm: JetStreamManager,
  desired: Partial<StreamConfig>,
  logger: Logger,
  clustered: boolean,
): Promise<StreamInfo> {
  const name = desired.name as string;
  const lowered = !clustered && (desired.num_replicas ?? 1) > 1;
  const want = lowered ? { ...desired, num_replicas: 1 } : desired;
  const warnLowered = (): void => {
    if (lowered) logger.warn({ stream: name, replicas: desired.num_replicas }, "nats-server is not clustered: the stream gets 1 replica");
  };
  let info: StreamInfo | undefined;
  try {
    info = await jsm.streams.info(name);
  } catch (err) {
    if (apiErrCode(err) !== 10059) throw err; // 10059: stream not found
  }
  if (!info) {
    try {
      warnLowered();
      info = await jsm.streams.add(want);
      logger.info({ stream: name, subjects: info.config.subjects }, "jetstream stream created");
      return info;
    } catch (err) {
      // 10058: created concurrently by another process; compare against that one.
      if (apiErrCode(err) !== 10058) throw err;
      info = await jsm.streams.info(name);
    }
  }
  const diff = differences(info.config, want);
  if (diff.length === 0) return info;
  // Storage cannot change; everything else is sent and the server decides.
  const { name: _name, storage: _storage, ...update } = want;
  try {
    warnLowered();
    const updated = await jsm.streams.update(name, update);
    logger.info({ stream: name, changed: diff }, "jetstream stream updated");
    return updated;
  } catch (err) {
    // The stream still works: go on and say loudly what could not be applied.
    logger.warn({ stream: name, differs: diff, err: errorMessage(err) }, "jetstream stream config differs and cannot be updated");
    return info;
  }
}

/** The NATS JetStream event bus: one stream `<bus>` over subjects `<bus>.<eventSource>.<event>`. */
export class JetStreamEventBus implements EventBus {
  private readonly subscriptions = new Set<JetStreamSubscription>();
  /** By wildcard filter: the consumers that serve `shared` subscriptions. */
  private readonly shared = new Map<string, SharedConsumer>();
  private readonly sends = new SendCoalescer();
  private closed = false;
  private lastStreamCheck = 0;
  /** Why the connection cannot carry events right now (from nc.status()); undefined while connected. */
  private down: string | undefined;

  private constructor(
    readonly name: string,
    readonly streamName: string,
    private readonly nc: NatsConnection,
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    private readonly streamWant: Partial<StreamConfig>,
    private readonly clustered: boolean,
    private readonly publishDeadlineMs: number,
    private readonly logger: Logger,
    private readonly ackWaitMs?: number,
  ) {}

  static async connect(options: JetStreamOptions): Promise<JetStreamEventBus> {
    const logger = (options.logger ?? silentLogger()).child({ component: "eventbus", bus: options.name });
    const nc = await connectNats(options, logger);
    try {
      const jsm = await nc.jetstreamManager({ timeout: 5000 }).catch((err: unknown) => {
        throw new BusUnavailableError(`JetStream is not available on ${options.servers.join(",")}: ${errorMessage(err)}`, { cause: err });
      });
      const want = streamConfigFor(options.name, { name: options.name, ...options.stream });
      const clustered = nc.info?.cluster !== undefined;
      const info = await ensureStream(jsm, want, logger, clustered);
      const bus = new JetStreamEventBus(
        options.name,
        info.config.name,
        nc,
        nc.jetstream({ timeout: 5000 }),
        jsm,
        { ...want, name: info.config.name },
        clustered,
        options.publishDeadlineMs ?? DEFAULT_PUBLISH_DEADLINE_MS,
        logger,
        options.ackWaitMs,
      );
      void bus.watchStatus();
      return bus;
    } catch (err) {
      await nc.close().catch(() => undefined);
      throw err;
    }
  }

  async streamInfo(): Promise<StreamInfo> {
    return this.jsm.streams.info(this.streamName);
  }

  /**
   * Resolves on the stream's ack. A lost connection, a timeout or a 503 are retried
   * until the deadline: the msgID makes a retry after a lost ack a no-op inside the
   * duplicates window, so nothing is stored twice. `duplicate` says the stream
   * already held this id, e.g. a provider's redelivery with the same delivery id.
   */
  async publish(subject: string, event: CloudEvent): Promise<PublishResult> {
    if (this.closed) throw new BusUnavailableError("event bus is closed");
    if (!subject.startsWith(`${this.name}.`)) throw new GatewayError(`subject ${subject} is outside the bus ${this.name}`);
    const started = Date.now();
    const deadline = started + this.publishDeadlineMs;
    const data = new TextEncoder().encode(toJsonText(event) ?? "null");
    let delay = 50;
    let attempts = 0;
    let last: unknown;
    for (;;) {
      attempts++;
      const timeout = Math.max(50, Math.min(deadline - Date.now(), 2000));
      try {
        await this.sends.turn();
        const ack = await this.js.publish(subject, data, { msgID: event.id, expect: { streamName: this.streamName }, timeout });
        if (attempts > 1) {
          this.logger.info({ subject, eventId: event.id, attempts, duplicate: ack.duplicate, ms: Date.now() - started }, "event stored after retry");
        } else if (ack.duplicate) {
          this.logger.info({ subject, eventId: event.id }, "event already stored (same id inside the duplicates window)");
        }
        // After a retry, `duplicate` may only mean that our own lost attempt was stored.
        return { duplicate: ack.duplicate && attempts === 1 };
      } catch (err) {
        last = err;
        if (!retryable(err) || this.nc.isClosed()) break;
        if (apiErrCode(err) === 10059 || (err instanceof NatsError && err.code === ErrorCode.NoResponders)) {
          await this.recreateStream();
        }
      }
      const left = deadline - Date.now();
      if (left <= 0) break;
      await sleep(Math.min(delay, left));
      delay = Math.min(delay * 2, 500);
    }
    this.logger.warn({ subject, eventId: event.id, attempts, err: errorMessage(last) }, "event not stored");
    throw new BusUnavailableError(
      `event ${event.id} not stored on ${subject} within ${Date.now() - started} ms (${attempts} attempts): ${errorMessage(last)}`,
      { cause: last },
    );
  }

  async subscribe(options: SubscribeOptions, handler: MessageHandler): Promise<Subscription> {
    if (this.closed) throw new BusUnavailableError("event bus is closed");
    const deps = (logger: Logger): SubscriptionDeps => ({ js: this.js, jsm: this.jsm, stream: this.streamName, logger, ackWaitMs: this.ackWaitMs, sends: this.sends });
    if (options.shared !== undefined && !options.ordered) {
      let consumer = this.shared.get(options.shared);
      if (!consumer) this.shared.set(options.shared, (consumer = new SharedConsumer(deps(this.logger), options.shared)));
      return consumer.add(options, handler);
    }
    const sub = new JetStreamSubscription(deps(this.logger.child({ durable: options.durable })), options, handler);
    await sub.start();
    this.subscriptions.add(sub);
    return {
      drain: async () => {
        this.subscriptions.delete(sub);
        await sub.drain();
      },
    };
  }

  /** A JetStream KV bucket (created on first use), replicated like the bus stream. */
  async openKv(bucket: string): Promise<KvBucket> {
    if (this.closed) throw new BusUnavailableError("event bus is closed");
    const replicas = this.clustered ? (this.streamWant.num_replicas ?? 1) : 1;
    return JetStreamKvBucket.open(this.js, bucket, replicas);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.subscriptions].map((s) => s.drain()));
    this.subscriptions.clear();
    await Promise.all([...this.shared.values()].map((c) => c.close()));
    // The last handlers' acks are deferred to the end of the turn: let them leave first.
    await this.sends.turn();
    if (!this.nc.isClosed()) await this.nc.drain().catch(() => this.nc.close());
  }

  /**
   * Nobody answers on our subject: the stream may be gone (deleted, or lost by the
   * server). Put it back, at most every 2 s; if JetStream is merely starting, the
   * lookup fails and the publish retry goes on.
   */
  private async recreateStream(): Promise<void> {
    if (Date.now() - this.lastStreamCheck < 2000) return;
    this.lastStreamCheck = Date.now();
    try {
      await ensureStream(this.jsm, this.streamWant, this.logger, this.clustered);
    } catch (err) {
      this.logger.debug({ err: errorMessage(err) }, "jetstream stream check failed");
    }
  }

  /** Connected, or why not: what /readyz reports for the bus. */
  ready(): true | string {
    if (this.closed) return "event bus is closed";
    if (this.nc.isClosed()) return "nats connection closed";
    return this.down ?? true;
  }

  private async watchStatus(): Promise<void> {
    for await (const s of this.nc.status()) {
      if (s.type === "disconnect") this.down = `nats disconnected from ${String(s.data)}, reconnecting`;
      else if (s.type === "reconnect") this.down = undefined;
      if (s.type === "disconnect" || s.type === "reconnect") {
        this.logger.warn({ event: s.type, server: s.data }, `nats ${s.type}`);
      } else if (s.type === "error") {
        this.logger.error({ err: String(s.data) }, "nats error");
      }
    }
  }
}

/**
 * Connects, retrying an unreachable server until `connectTimeoutMs`; refused
 * credentials fail at once. After that the connection reconnects forever.
 * (nats.js's own waitOnFirstConnect would wait forever, also on a wrong password.)
 */
async function connectNats(options: JetStreamOptions, logger: Logger): Promise<NatsConnection> {
  const conn: ConnectionOptions = {
    servers: options.servers,
    name: `trigger-gateway/${options.name}`,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
    reconnectJitter: 100,
    timeout: 2000,
    // A peer that vanishes without closing the socket is noticed within ~15 s.
    pingInterval: 5000,
    maxPingOut: 3,
    // Each publish and acked ack is a request; async traces cost two Error objects
    // (stack captures) per request, a few % of the CPU of the whole gateway.
    noAsyncTraces: true,
  };
  if (options.auth && "token" in options.auth) conn.token = options.auth.token;
  if (options.auth && "user" in options.auth) Object.assign(conn, { user: options.auth.user, pass: options.auth.pass });
  if (options.tls) conn.tls = tlsOptions(options.tls);
  const deadline = Date.now() + (options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS);
  let delay = 100;
  for (;;) {
    try {
      const nc = await connect(conn);
      logger.info({ server: nc.getServer() }, "connected to nats");
      return nc;
    } catch (err) {
      if (isAuthError(err)) {
        throw new BusUnavailableError(`NATS at ${options.servers.join(",")} rejected the credentials: ${errorMessage(err)}`, { cause: err });
      }
      if (Date.now() + delay > deadline) {
        throw new BusUnavailableError(`cannot connect to NATS at ${options.servers.join(",")}: ${errorMessage(err)}`, { cause: err });
      }
      logger.warn({ err: errorMessage(err), retryInMs: delay }, "nats not reachable yet");
      await sleep(delay);
      delay = Math.min(delay * 2, 2000);
    }
  }
}

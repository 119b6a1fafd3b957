import { createHash } from "node:crypto";
import {
  AckPolicy,
  ConsumerEvents,
  DeliverPolicy,
  ReplayPolicy,
  nanos,
  type Consumer,
  type ConsumerConfig,
  type ConsumerMessages,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
  NatsError,
} from "nats";
import type { BusMessage, MessageHandler, SubscribeOptions, Subscription } from "./bus.js";
import type { CloudEvent } from "./cloudevent.js";
import { errorMessage } from "../errors.js";
import type { Logger } from "../logger.js";
import type { SendCoalescer } from "./coalesce.js";
import { rememberJsonText } from "./json-text.js";

export const ACK_WAIT_MS = 30_000;
export const DEFAULT_MAX_DELIVER = 5;
// nats-server's own default; set explicitly so a consumer that was ordered can go back.
export const DEFAULT_MAX_ACK_PENDING = 1000;
// A handler still running after this stops holding its message: it is redelivered.
const MAX_WORKING_MS = 15 * 60_000;
// Long enough that an idle consumer costs little, short enough that drain() and
// recovery after a server restart are quick.
const FETCH_EXPIRES_MS = 5_000;
// A pull whose consumer (or stream) was deleted hears nothing at all from the server:
// two missed heartbeats (~2 s) end it, and the loop looks the consumer up again.
const FETCH_HEARTBEAT_MS = 1_000;

/** Messages asked for in one pull. */
export const MAX_PULL = 32;

const VALID_NAME = /^[A-Za-z0-9_-]+$/;

function shortHash(s: string): string {
  return createHash("sha256").update(s).digest("hex").slice(0, 10);
}

/**
 * The consumer name of one subject of a subscription: the durable itself when it
 * has one subject, else `<durable>_<hash of subject>`. Characters NATS forbids are
 * replaced, with a hash so that two names never collapse into one.
 */
export function consumerName(durable: string, subject: string, subjectCount: number): string {
  const base = VALID_NAME.test(durable) ? durable : `${durable.replace(/[^A-Za-z0-9_-]/g, "_")}_${shortHash(durable)}`;
  return fitNatsName(subjectCount === 1 ? base : `${base}_${shortHash(subject)}`, MAX_CONSUMER_NAME);
}

// The server refuses longer consumer names ("maximum allowed is 255"); stream names
// (a KV bucket is the stream KV_<bucket>) likewise.
const MAX_CONSUMER_NAME = 255;
export const MAX_BUCKET_NAME = 250;

/** `name` when it fits, else its head and a hash of the whole (two long names stay apart). */
export function fitNatsName(name: string, max: number): string {
  return name.length <= max ? name : `${name.slice(0, max - 11)}_${shortHash(name)}`;
}

function consumerNotFound(err: unknown): boolean {
  return err instanceof NatsError && err.api_error?.err_code === 10014;
}

/**
 * Creates or updates the durable pull consumer. Deliver policy `new`: a consumer
 * created for a new sensor starts at the events published from then on (replaying
 * a week of retained webhooks into a new sensor would fire stale workflows; Argo
 * Events does the same). Once it exists, the server keeps its ack floor, so
 * everything not acknowledged yet is delivered, whoever restarts.
 * `resumeFrom`: the consumer existed until then and was lost (deleted, or the
 * stream was recreated): start from that time so nothing published since is missed.
 */
export async function ensureConsumer(
  jsm: JetStreamManager,
  stream: string,
  name: string,
  subject: string,
  maxDeliver: number,
  logger: Logger,
  resumeFrom?: Date,
  ackWaitMs = ACK_WAIT_MS,
  maxAckPending = DEFAULT_MAX_ACK_PENDING,
): Promise<void> {
  const want: Partial<ConsumerConfig> = {
    durable_name: name,
    ack_policy: AckPolicy.Explicit,
    ...(resumeFrom
      ? { deliver_policy: DeliverPolicy.StartTime, opt_start_time: resumeFrom.toISOString() }
      : { deliver_policy: DeliverPolicy.New }),
    replay_policy: ReplayPolicy.Instant,
    filter_subject: subject,
    ack_wait: nanos(ackWaitMs),
    max_deliver: maxDeliver,
    max_ack_pending: maxAckPending,
  };
  let existing;
  try {
    existing = await jsm.consumers.info(stream, name);
  } catch (err) {
    if (!consumerNotFound(err)) throw err;
  }
  if (!existing) {
    try {
      await jsm.consumers.add(stream, want);
      logger.info({ stream, consumer: name, subject, resumeFrom }, "jetstream consumer created");
      return;
    } catch (err) {
      // Another process may have created it between our info and add.
      existing = await jsm.consumers.info(stream, name).catch(() => undefined);
      if (!existing) throw err;
    }
  }
  const c = existing.config;
  if (c.filter_subject !== subject) {
    // The durable now means another subject (nats-server 2.9 cannot change a filter): start over.
    logger.warn({ stream, consumer: name, from: c.filter_subject, to: subject }, "jetstream consumer subject changed, recreating it");
    await jsm.consumers.delete(stream, name);
    await jsm.consumers.add(stream, want);
    return;
  }
  if (
    c.max_deliver !== maxDeliver ||
    c.ack_wait !== want.ack_wait ||
    c.ack_policy !== AckPolicy.Explicit ||
    c.max_ack_pending !== maxAckPending
  ) {
    try {
      await jsm.consumers.update(stream, name, { max_deliver: maxDeliver, ack_wait: want.ack_wait, max_ack_pending: maxAckPending });
      logger.info({ stream, consumer: name, maxDeliver, maxAckPending }, "jetstream consumer updated");
    } catch (err) {
      logger.warn({ stream, consumer: name, err: errorMessage(err) }, "jetstream consumer config differs and cannot be updated; using it as it is");
    }
  }
}

const utf8 = new TextDecoder();

function decode(data: Uint8Array): CloudEvent {
  const text = utf8.decode(data);
  // Remembered: a router forwards the event inside work messages without serialising it again.
  const v: unknown = rememberJsonText(JSON.parse(text) as unknown, text);
  if (typeof v !== "object" || v === null || typeof (v as { id?: unknown }).id !== "string") {
    throw new Error("not a CloudEvent: no string id");
  }
  return v as CloudEvent;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Ends a pull: unsubscribing at once would drop messages already on the wire
 * (the server counts them delivered: back only after the ack wait). Draining
 * its inbox subscription (nats.js ends the pull when that completes) lets them
 * arrive, to be nak'ed by the loop.
 */
async function stopFetch(f: ConsumerMessages): Promise<void> {
  const sub = (f as { sub?: { drain?: () => Promise<void>; isClosed?: () => boolean } }).sub;
  try {
    if (sub?.drain && !sub.isClosed?.()) await sub.drain();
    else await f.close();
  } catch {
    await f.close().catch(() => undefined);
  }
}

export interface SubscriptionDeps {
  js: JetStreamClient;
  jsm: JetStreamManager;
  stream: string;
  logger: Logger;
  /** Default ACK_WAIT_MS. */
  ackWaitMs?: number;
  /** Batches acks into one socket write per event-loop turn. */
  sends: SendCoalescer;
}

/**
 * One subscription: a fetch loop per subject, sharing `concurrency` handler slots.
 * Each loop only asks the server for as many messages as it holds free slots, so
 * no message waits in a local buffer while its ack timer runs.
 */
export class JetStreamSubscription implements Subscription {
  private readonly concurrency: number;
  private readonly maxDeliver: number;
  private readonly ackWaitMs: number;
  // Ordered: the server hands out one unacknowledged message per subject.
  private readonly maxAckPending: number;
  private free: number;
  private running = 0;
  private stopping = false;
  private readonly waiters = new Set<() => void>();
  private readonly fetches = new Set<ConsumerMessages>();
  private readonly loops: Promise<void>[] = [];
  private readonly idle = new Set<() => void>();
  private readonly working = new Set<{ m: JsMsg; started: number; settled: () => boolean }>();
  private sweep: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly deps: SubscriptionDeps,
    private readonly options: SubscribeOptions,
    private readonly handler: MessageHandler,
  ) {
    this.concurrency = Math.max(1, options.concurrency ?? 4);
    this.maxDeliver = options.maxDeliver === undefined ? DEFAULT_MAX_DELIVER : options.maxDeliver <= 0 ? -1 : options.maxDeliver;
    this.ackWaitMs = deps.ackWaitMs ?? ACK_WAIT_MS;
    this.maxAckPending = options.ordered ? 1 : DEFAULT_MAX_ACK_PENDING;
    this.free = this.concurrency;
  }

  /** Creates the consumers (so failures surface to the caller), then starts fetching. */
  async start(): Promise<void> {
    const subjects = [...new Set(this.options.subjects)];
    const names = subjects.map((s) => consumerName(this.options.durable, s, subjects.length));
    for (let i = 0; i < subjects.length; i++) {
      await ensureConsumer(this.deps.jsm, this.deps.stream, names[i] as string, subjects[i] as string, this.maxDeliver, this.deps.logger, undefined, this.ackWaitMs, this.maxAckPending);
    }
    // A pull is capped: what the server sends after a drain ended the pull is lost until
    // the ack wait, so a process that stops under load must have little on the wire.
    const share = this.options.ordered ? 1 : Math.min(MAX_PULL, Math.max(1, Math.floor(this.concurrency / subjects.length)));
    for (let i = 0; i < subjects.length; i++) {
      this.loops.push(this.loop(names[i] as string, subjects[i] as string, share));
    }
  }

  async drain(): Promise<void> {
    if (!this.stopping) {
      this.stopping = true;
      for (const w of this.waiters) w();
      for (const f of this.fetches) void stopFetch(f);
    }
    await Promise.all(this.loops);
    if (this.running > 0) await new Promise<void>((resolve) => this.idle.add(resolve));
  }

  /**
   * Waits for free slots and takes up to `max`; 0 once stopping. While handlers
   * run it waits for half of `max`: a pull request per finished message cost more
   * than the messages themselves under load.
   */
  private async reserve(max: number): Promise<number> {
    const enough = Math.max(1, Math.floor(max / 2));
    while ((this.free === 0 || (this.running > 0 && this.free < enough)) && !this.stopping) {
      await new Promise<void>((resolve) => {
        const w = (): void => {
          this.waiters.delete(w);
          resolve();
        };
        this.waiters.add(w);
      });
    }
    if (this.stopping) return 0;
    const n = Math.min(max, this.free);
    this.free -= n;
    return n;
  }

  private release(n: number): void {
    if (n <= 0) return;
    this.free += n;
    for (const w of [...this.waiters]) w();
  }

  private async loop(name: string, subject: string, share: number): Promise<void> {
    const log = this.deps.logger.child({ consumer: name, subject });
    let consumer: Consumer | undefined;
    let backoff = 100;
    // When the consumer last answered; a margin covers clock skew with the server.
    let aliveAt = new Date(Date.now() - 10_000);
    while (!this.stopping) {
      const n = await this.reserve(share);
      if (n === 0) break;
      let taken = 0;
      try {
        if (!consumer) {
          await ensureConsumer(this.deps.jsm, this.deps.stream, name, subject, this.maxDeliver, log, aliveAt, this.ackWaitMs, this.maxAckPending);
          consumer = await this.deps.js.consumers.get(this.deps.stream, name);
        }
        aliveAt = new Date(Date.now() - 10_000);
        const batch = await consumer.fetch({ max_messages: n, expires: FETCH_EXPIRES_MS, idle_heartbeat: FETCH_HEARTBEAT_MS });
        this.fetches.add(batch);
        const silent = this.watchHeartbeats(batch);
        try {
          for await (const m of batch) {
            if (this.stopping) {
              // Hand it back now rather than after the ack wait.
              m.nak();
              continue;
            }
            taken++;
            this.dispatch(m, log);
          }
          const err = await batch.closed();
          if (err) throw err;
          if (silent.missed) throw new Error("the server stopped answering the pull (consumer or stream deleted?)");
        } finally {
          this.fetches.delete(batch);
        }
        backoff = 100;
      } catch (err) {
        if (this.stopping) break;
        // Server gone, consumer deleted, ...: look the consumer up again once it is back.
        log.warn({ err: errorMessage(err), retryInMs: backoff }, "jetstream fetch failed");
        consumer = undefined;
        await sleep(backoff);
        backoff = Math.min(backoff * 2, 2000);
      } finally {
        this.release(n - taken);
      }
    }
  }

  /**
   * nats.js answers missed heartbeats by polling the consumer's info with a backoff of
   * its own, which kept a pull on a deleted consumer alive for many seconds: end the
   * pull at once instead, and let the loop's own recovery run.
   */
  private watchHeartbeats(batch: ConsumerMessages): { missed: boolean } {
    const state = { missed: false };
    void (async () => {
      for await (const s of await batch.status()) {
        if (s.type === ConsumerEvents.HeartbeatsMissed) {
          state.missed = true;
          await stopFetch(batch);
          return;
        }
      }
    })().catch(() => undefined);
    return state;
  }

  /**
   * Long handlers (trigger retries) tell the server they are alive, so it does not
   * redeliver: one timer for all of them, running while any handler does.
   */
  private keepAlive(): void {
    if (this.sweep) return;
    this.sweep = setInterval(() => {
      const now = Date.now();
      for (const w of this.working) {
        if (!w.settled() && now - w.started < MAX_WORKING_MS && now - w.started >= this.ackWaitMs / 3) w.m.working();
      }
      if (this.working.size === 0) {
        clearInterval(this.sweep);
        this.sweep = undefined;
      }
    }, this.ackWaitMs / 3);
    this.sweep.unref?.();
  }

  private dispatch(m: JsMsg, log: Logger): void {
    let event: CloudEvent;
    try {
      event = decode(m.data);
    } catch (err) {
      log.error({ seq: m.seq, err: errorMessage(err) }, "undecodable message on the bus, terminating it");
      m.term();
      this.release(1);
      return;
    }
    let settled = false;
    const once = (): boolean => (settled ? false : (settled = true));
    const msg: BusMessage = {
      subject: m.subject,
      event,
      // Parsed from the reply subject on demand: only failures read it.
      get deliveryCount() {
        return m.info.redeliveryCount;
      },
      ack: async () => {
        if (!once()) return;
        // Not confirmed (ackAck): a round trip per message halved consumer throughput,
        // and a lost ack only brings the message back after the ack wait, where the
        // idempotent trigger absorbs the repeat.
        this.deps.sends.defer(() => m.ack());
      },
      nak: async (delayMs?: number) => {
        if (once()) this.deps.sends.defer(() => m.nak(delayMs));
      },
      term: async () => {
        if (once()) this.deps.sends.defer(() => m.term());
      },
    };
    const working = { m, started: Date.now(), settled: () => settled };
    this.working.add(working);
    this.keepAlive();
    this.running++;
    void Promise.resolve()
      .then(() => this.handler(msg))
      .catch((err: unknown) => {
        log.error({ eventId: event.id, err: errorMessage(err) }, "handler failed");
        if (once()) this.deps.sends.defer(() => m.nak(1000));
      })
      .finally(() => {
        this.working.delete(working);
        // Returned without settling: let someone else have it now.
        if (once()) this.deps.sends.defer(() => m.nak());
        this.running--;
        this.release(1);
        if (this.running === 0) for (const f of [...this.idle]) (this.idle.delete(f), f());
      });
  }
}

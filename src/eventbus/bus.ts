import type { CloudEvent } from "./cloudevent.js";
import type { KvBucket } from "./kv.js";

/** One delivery of an event to a subscriber. Settle it exactly once. */
export interface BusMessage {
  subject: string;
  event: CloudEvent;
  /** 1 on the first delivery, then counts redeliveries. */
  deliveryCount: number;
  ack(): Promise<void>;
  /** Ask for a redelivery after `delayMs` (transient failure). */
  nak(delayMs?: number): Promise<void>;
  /** Give up on this message: never redelivered. */
  term(): Promise<void>;
}

export interface SubscribeOptions {
  /** Durable consumer name: subscribers sharing it split the work. */
  durable: string;
  /** Subjects (no wildcards needed) to consume. */
  subjects: string[];
  /** Handlers running at once for this subscription. */
  concurrency?: number;
  /** Deliveries before a message is handed to onDeadLetter. */
  maxDeliver?: number;
  /**
   * Per-subject order: one message of a subject in flight at a time, across every
   * subscriber of the durable (JetStream `max_ack_pending: 1`); the next waits for
   * the ack or term of the previous, a nak'ed one is redelivered first.
   */
  ordered?: boolean;
  /**
   * A wildcard subject (`<prefix>.>`) covering `subjects`: a bus may serve every
   * unordered subscription naming the same one from a single consumer, each handler
   * still getting only its own subjects, at most `concurrency` at once. For many
   * small subscriptions: on JetStream a pulling consumer per subscription costs the
   * server work for each of them on every message. `durable` then only names the
   * subscription; the subscribers of one subject share its messages all the same.
   */
  shared?: string;
}

export type MessageHandler = (msg: BusMessage) => Promise<void>;

export interface Subscription {
  /** Stop taking new messages and wait for handlers in flight. */
  drain(): Promise<void>;
}

/** What a bus may say about an accepted event. */
export interface PublishResult {
  /** The bus already held an event with this id (inside its duplicates window) and kept only that one. */
  duplicate: boolean;
}

/**
 * The event bus between receivers and sensors. `publish` resolves only once the
 * event is accepted (durably, for a real bus); a rejection means it was not stored.
 */
export interface EventBus {
  readonly name: string;
  /** Resolves to a PublishResult when the bus can tell a duplicate (JetStream); void otherwise. */
  publish(subject: string, event: CloudEvent): Promise<PublishResult | void>;
  subscribe(options: SubscribeOptions, handler: MessageHandler): Promise<Subscription>;
  close(): Promise<void>;
  /**
   * Optional: resolves once every event the bus accepted has been settled by a
   * subscriber. Only a bus without durable storage needs it; the gateway calls it
   * while draining, after the receivers stopped accepting.
   */
  settle?(): Promise<void>;
  /**
   * Optional capability: a key-value bucket shared by every process on this bus
   * (JetStream KV). Buses without it keep such state in process.
   */
  openKv?(bucket: string): Promise<KvBucket>;
  /** Optional: true while the bus can take events, else why not (for /readyz). */
  ready?(): true | string;
}

/** Subject of an event: `<bus>.<namespace>.<eventSourceName>.<eventName>`; the namespace keeps tenants' same-named EventSources apart (Argo Events has a bus per namespace). */
export function eventSubject(busName: string, namespace: string, eventSourceName: string, eventName: string): string {
  return `${busName}.${namespace}.${eventSourceName}.${eventName}`;
}

import type { CloudEvent } from "./cloudevent.js";
import type { BusMessage, EventBus, MessageHandler, SubscribeOptions, Subscription } from "./bus.js";
import { BusUnavailableError } from "../errors.js";

interface Pending {
  subject: string;
  event: CloudEvent;
  deliveryCount: number;
  /** Ordered consumers: a redelivery that still holds its subject's one slot. */
  holds?: boolean;
}

interface Worker {
  handler: MessageHandler;
  concurrency: number;
  running: number;
  closed: boolean;
  idle: Set<() => void>;
}

/**
 * A durable consumer of the in-process bus: it receives every event published on
 * its subjects after it was created, and its subscribers compete for them, as
 * processes sharing a JetStream durable consumer do.
 */
class MemoryConsumer {
  readonly subjects: Set<string>;
  private readonly queue: Pending[] = [];
  private readonly workers: Worker[] = [];
  private next = 0;
  private readonly timers = new Map<NodeJS.Timeout, () => void>();
  /** Ordered: subjects with a message delivered and not yet acked or termed. */
  private readonly busy = new Set<string>();
  ordered = false;

  constructor(subjects: string[]) {
    this.subjects = new Set(subjects);
  }

  enqueue(p: Pending): void {
    // An ordered redelivery goes first: it is the oldest unsettled message of its subject.
    if (p.holds) this.queue.unshift(p);
    else this.queue.push(p);
    this.pump();
  }

  addWorker(w: Worker): void {
    this.workers.push(w);
    this.pump();
  }

  removeWorker(w: Worker): void {
    const i = this.workers.indexOf(w);
    if (i >= 0) this.workers.splice(i, 1);
  }

  /**
   * Nothing queued, waiting for a redelivery, or being handled. A consumer nobody
   * subscribes to any more (a removed sensor's) counts as idle: nothing would take its events.
   */
  idle(): boolean {
    if (this.workers.length === 0) return true;
    return this.queue.length === 0 && this.timers.size === 0 && this.workers.every((w) => w.running === 0);
  }

  /** Redeliver now what waits for a backoff timer (used while draining). */
  hurry(): void {
    for (const [t, fire] of [...this.timers]) {
      clearTimeout(t);
      fire();
    }
  }

  close(): void {
    for (const t of this.timers.keys()) clearTimeout(t);
    this.timers.clear();
  }

  private pickWorker(): Worker | undefined {
    for (let i = 0; i < this.workers.length; i++) {
      const w = this.workers[(this.next + i) % this.workers.length];
      if (!w.closed && w.running < w.concurrency) {
        this.next = (this.next + i + 1) % this.workers.length;
        return w;
      }
    }
    return undefined;
  }

  private nextIndex(): number {
    if (!this.ordered) return this.queue.length > 0 ? 0 : -1;
    return this.queue.findIndex((p) => p.holds === true || !this.busy.has(p.subject));
  }

  private pump(): void {
    for (;;) {
      const i = this.nextIndex();
      if (i < 0) return;
      const w = this.pickWorker();
      if (!w) return;
      const [p] = this.queue.splice(i, 1) as [Pending];
      if (this.ordered) this.busy.add(p.subject);
      this.deliver(w, p);
    }
  }

  /** The message is settled for good: its subject may deliver the next one. */
  private release(subject: string): void {
    if (this.busy.delete(subject)) this.pump();
  }

  private deliver(w: Worker, p: Pending): void {
    let settled = false;
    const settle = (): boolean => {
      if (settled) return false;
      settled = true;
      return true;
    };
    const redeliver = (delayMs: number): void => {
      const again = { ...p, deliveryCount: p.deliveryCount + 1, holds: this.ordered };
      if (delayMs <= 0) {
        this.enqueue(again);
        return;
      }
      const fire = (): void => {
        this.timers.delete(t);
        this.enqueue(again);
      };
      const t = setTimeout(fire, delayMs);
      this.timers.set(t, fire);
    };
    const msg: BusMessage = {
      subject: p.subject,
      event: p.event,
      deliveryCount: p.deliveryCount,
      ack: async () => {
        if (settle()) this.release(p.subject);
      },
      nak: async (delayMs = 0) => {
        if (settle()) redeliver(delayMs);
      },
      term: async () => {
        if (settle()) this.release(p.subject);
      },
    };
    w.running++;
    void w
      .handler(msg)
      .catch(() => {
        // A handler that throws without settling gets the message again, as an ack wait would.
        if (settle()) redeliver(1000);
      })
      .finally(() => {
        // Unsettled after the handler returned: the subscriber lost it, redeliver.
        if (settle()) redeliver(0);
        w.running--;
        if (w.running === 0) for (const f of w.idle) f();
        this.pump();
      });
  }
}

/**
 * The embedded event bus: in-process, not durable across restarts. `publish`
 * resolves once every matching durable consumer holds the event.
 */
export class MemoryEventBus implements EventBus {
  private readonly consumers = new Map<string, MemoryConsumer>();
  private closed = false;

  constructor(readonly name = "default") {}

  async publish(subject: string, event: CloudEvent): Promise<void> {
    if (this.closed) throw new BusUnavailableError("event bus is closed");
    for (const c of this.consumers.values()) {
      if (c.subjects.has(subject)) c.enqueue({ subject, event, deliveryCount: 1 });
    }
  }

  async subscribe(options: SubscribeOptions, handler: MessageHandler): Promise<Subscription> {
    if (this.closed) throw new BusUnavailableError("event bus is closed");
    let consumer = this.consumers.get(options.durable);
    if (!consumer) {
      consumer = new MemoryConsumer(options.subjects);
      this.consumers.set(options.durable, consumer);
    } else {
      for (const s of options.subjects) consumer.subjects.add(s);
    }
    if (options.ordered) consumer.ordered = true;
    const worker: Worker = {
      handler,
      concurrency: Math.max(1, options.concurrency ?? 4),
      running: 0,
      closed: false,
      idle: new Set(),
    };
    const c = consumer;
    c.addWorker(worker);
    return {
      drain: async () => {
        worker.closed = true;
        c.removeWorker(worker);
        if (worker.running > 0) {
          await new Promise<void>((resolve) => worker.idle.add(resolve));
        }
      },
    };
  }

  /**
   * Resolves once nothing is queued, waiting for a redelivery or being handled, without
   * hurrying anything: from then on nothing happens until the next publish. Tests use it
   * to check that something did not happen.
   */
  async whenIdle(): Promise<void> {
    while (![...this.consumers.values()].every((c) => c.idle())) await new Promise((r) => setTimeout(r, 2));
  }

  async settle(): Promise<void> {
    for (;;) {
      const busy = [...this.consumers.values()].filter((c) => !c.idle());
      if (busy.length === 0) return;
      // A retry waiting for its backoff happens now: the process is about to go.
      for (const c of busy) c.hurry();
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const c of this.consumers.values()) c.close();
  }

  /** In process: up until closed. */
  ready(): true | string {
    return this.closed ? "event bus is closed" : true;
  }
}

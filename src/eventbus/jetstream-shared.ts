import type { BusMessage, MessageHandler, SubscribeOptions, Subscription } from "./bus.js";
import { consumerName, JetStreamSubscription, type SubscriptionDeps } from "./jetstream-consumer.js";
import { GatewayError } from "../errors.js";

/** Messages one process holds at once from a shared consumer (running or waiting for their subject's slot). */
export const SHARED_POOL_SIZE = 256;
// A message of a subject nobody here consumes (its Sensor being reloaded here, or loaded
// only by another replica) comes back after this; past ORPHAN_DELIVERIES nobody took it.
const ORPHAN_DELAY_MS = 1_000;
const ORPHAN_DELIVERIES = 30;
// Server-side backstop for a message that kills the process each time it is handled;
// handlers settle earlier by their own maxDeliver.
const SHARED_MAX_DELIVER = 100;

interface Member {
  handler: MessageHandler;
  concurrency: number;
  running: number;
  /** Messages waiting for one of this member's slots; `false` = hand it to someone else. */
  waiting: ((go: boolean) => void)[];
  idle: (() => void)[];
}

/**
 * One durable consumer over a wildcard subject serving many subscriptions: nats-server
 * wakes every pulling consumer whose filter matches a stored message, so a consumer per
 * subscription made each message cost the server work for every trigger. Here each
 * message goes to a member subscribed to its exact subject, at most `concurrency` of
 * a member's at once; the others of the pool wait for a slot.
 */
export class SharedConsumer {
  private readonly members = new Map<string, Member[]>();
  private sub: JetStreamSubscription | undefined;
  /** start/stop of the pool, one at a time. */
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly deps: SubscriptionDeps,
    readonly filter: string,
    private readonly poolSize = SHARED_POOL_SIZE,
  ) {}

  async add(options: SubscribeOptions, handler: MessageHandler): Promise<Subscription> {
    const prefix = this.filter.slice(0, -1);
    for (const s of options.subjects) {
      if (!this.filter.endsWith(".>") || !s.startsWith(prefix) || s.length === prefix.length) {
        throw new GatewayError(`subject ${s} is outside the shared consumer's ${this.filter}`);
      }
    }
    const subjects = [...new Set(options.subjects)];
    const member: Member = { handler, concurrency: Math.max(1, options.concurrency ?? 4), running: 0, waiting: [], idle: [] };
    for (const s of subjects) this.members.set(s, [...(this.members.get(s) ?? []), member]);
    try {
      await this.serialize(async () => {
        if (!this.sub && this.members.size > 0) await this.startPool();
      });
    } catch (err) {
      this.remove(subjects, member);
      throw err;
    }
    return { drain: () => this.drainMember(subjects, member) };
  }

  /** Stops the pool (the bus is closing). */
  async close(): Promise<void> {
    await this.serialize(async () => {
      const sub = this.sub;
      this.sub = undefined;
      await sub?.drain();
    });
  }

  private serialize(fn: () => Promise<void>): Promise<void> {
    const next = this.chain.then(fn);
    this.chain = next.catch(() => undefined);
    return next;
  }

  private async startPool(): Promise<void> {
    const durable = consumerName(`shared_${this.filter}`, this.filter, 1);
    const sub = new JetStreamSubscription(
      { ...this.deps, logger: this.deps.logger.child({ shared: this.filter }) },
      { durable, subjects: [this.filter], concurrency: this.poolSize, maxDeliver: SHARED_MAX_DELIVER },
      (msg) => this.dispatch(msg),
    );
    await sub.start();
    this.sub = sub;
  }

  private remove(subjects: string[], member: Member): void {
    for (const s of subjects) {
      const rest = (this.members.get(s) ?? []).filter((m) => m !== member);
      if (rest.length > 0) this.members.set(s, rest);
      else this.members.delete(s);
    }
  }

  /** Takes no new messages for the member, hands its waiting ones on, waits for its running ones. */
  private async drainMember(subjects: string[], member: Member): Promise<void> {
    this.remove(subjects, member);
    for (const w of member.waiting.splice(0)) w(false);
    if (member.running > 0) await new Promise<void>((resolve) => member.idle.push(resolve));
    if (this.members.size === 0) {
      await this.serialize(async () => {
        if (this.members.size > 0 || !this.sub) return;
        const sub = this.sub;
        this.sub = undefined;
        await sub.drain();
      });
    }
  }

  private async dispatch(msg: BusMessage): Promise<void> {
    for (;;) {
      const members = this.members.get(msg.subject);
      if (!members || members.length === 0) return this.orphan(msg);
      // The least busy member with a free slot, else wait for the least busy one.
      let best = members[0] as Member;
      for (const m of members) if (m.running - m.concurrency < best.running - best.concurrency) best = m;
      if (best.running >= best.concurrency) {
        // true: a finishing message handed its slot over (running already counts this one).
        const go = await new Promise<boolean>((resolve) => best.waiting.push(resolve));
        if (!go) continue;
      } else {
        best.running++;
      }
      return this.run(best, msg);
    }
  }

  private async run(member: Member, msg: BusMessage): Promise<void> {
    try {
      await member.handler(msg);
    } finally {
      const next = member.waiting.shift();
      if (next) next(true);
      else member.running--;
      if (member.running === 0) for (const f of member.idle.splice(0)) f();
    }
  }

  private async orphan(msg: BusMessage): Promise<void> {
    if (msg.deliveryCount < ORPHAN_DELIVERIES) return msg.nak(ORPHAN_DELAY_MS);
    this.deps.logger.warn({ subject: msg.subject, eventId: msg.event.id, deliveries: msg.deliveryCount }, "no subscriber took this message; dropped");
    await msg.term();
  }
}

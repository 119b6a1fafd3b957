// What a gateway process still holds while it shuts down, for the log line
// written when the grace period runs out.
import type { EventBus, MessageHandler } from "../eventbus/index.js";

export interface InFlight {
  /** The shutdown phase under way, once shutdown began. */
  phase?: string;
  /** HTTP requests being answered (receivers and the events endpoint). */
  requests: number;
  /** Bus messages being handled, per durable consumer (one per sensor trigger, the binding dispatcher). */
  handlers: Record<string, number>;
}

/** Counts the handlers running per durable consumer. */
export class HandlerCounts {
  private readonly counts = new Map<string, number>();

  wrap(durable: string, handler: MessageHandler): MessageHandler {
    return async (msg) => {
      this.counts.set(durable, (this.counts.get(durable) ?? 0) + 1);
      try {
        await handler(msg);
      } finally {
        const left = (this.counts.get(durable) ?? 1) - 1;
        if (left === 0) this.counts.delete(durable);
        else this.counts.set(durable, left);
      }
    };
  }

  snapshot(): Record<string, number> {
    return Object.fromEntries(this.counts);
  }

  get total(): number {
    let n = 0;
    for (const c of this.counts.values()) n += c;
    return n;
  }
}

/** The same bus, its subscribers' handlers counted. */
export function countingBus(bus: EventBus, counts: HandlerCounts): EventBus {
  const subscribe: EventBus["subscribe"] = (options, handler) => bus.subscribe(options, counts.wrap(options.durable, handler));
  // A proxy, so optional members (openKv) and class-private state keep working.
  return new Proxy(bus, {
    get(target, prop) {
      if (prop === "subscribe") return subscribe;
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

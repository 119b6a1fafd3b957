// The event buses: the in-process one and NATS JetStream, behind one EventBus interface.
import type { JetStreamEventBus } from "./jetstream.js";
import type { JetStreamOptions } from "./jetstream-options.js";

export * from "./bus.js";
export * from "./cloudevent.js";
export type { KvBucket, KvEntry } from "./kv.js";
export { MemoryEventBus } from "./memory.js";
export type { JetStreamEventBus };
export * from "./jetstream-options.js";

/**
 * Connects to NATS JetStream and ensures the bus's stream (`JetStreamEventBus.connect`).
 * nats is loaded on the first call, not when this module is imported: a gateway on the
 * in-process bus never loads it.
 */
export async function connectJetStream(options: JetStreamOptions): Promise<JetStreamEventBus> {
  const { JetStreamEventBus } = await import("./jetstream.js");
  return JetStreamEventBus.connect(options);
}
export { hasJsonText, jsonTextOf, rememberJsonText, rememberJsonTextWithin, toJsonText } from "./json-text.js";

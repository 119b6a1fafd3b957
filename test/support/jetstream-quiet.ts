import { AckPolicy, connect } from "nats";

export interface QuietConsumer {
  stream: string;
  name: string;
  pending: number;
  ackPending: number;
}

/**
 * Waits until JetStream has nothing left to hand out: every consumer that acks (the
 * sensors', the bindings dispatcher's) has no message waiting and none delivered but
 * un-acked. From then on no redelivery can come (an acked message is never sent again),
 * so "nothing more arrived" is checked on the mechanism rather than after a fixed sleep.
 * A message nak'ed with a delay stays un-acked until it is redelivered and settled.
 */
export async function waitForJetStreamQuiet(
  servers: string | string[],
  options: { streams?: string[]; timeoutMs?: number } = {},
): Promise<QuietConsumer[]> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const nc = await connect({ servers, timeout: 5000 });
  try {
    const jsm = await nc.jetstreamManager();
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const consumers: QuietConsumer[] = [];
      for (const stream of await jsm.streams.list().next()) {
        if (options.streams && !options.streams.includes(stream.config.name)) continue;
        for (const c of await jsm.consumers.list(stream.config.name).next()) {
          if (c.config.ack_policy === AckPolicy.None) continue;
          consumers.push({ stream: stream.config.name, name: c.name, pending: c.num_pending, ackPending: c.num_ack_pending });
        }
      }
      const busy = consumers.filter((c) => c.pending > 0 || c.ackPending > 0);
      if (consumers.length > 0 && busy.length === 0) return consumers;
      if (Date.now() > deadline) {
        throw new Error(`JetStream not quiet after ${timeoutMs} ms: ${JSON.stringify(busy.length ? busy : "no acking consumer")}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    await nc.close();
  }
}

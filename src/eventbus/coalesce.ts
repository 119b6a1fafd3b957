/**
 * Defers NATS sends to the end of the event-loop turn, so the many publishes and
 * acks one turn produces leave in one socket write. nats.js flushes its outbound
 * buffer in a microtask after each send, and every HTTP request or JetStream
 * message arrives in its own macrotask: unbatched, each event cost a write() of
 * its own for the publish and another for the ack, the largest part of the
 * gateway's system time under load.
 */
export class SendCoalescer {
  private queue: (() => void)[] = [];
  private scheduled = false;

  /** Runs `send` in the check phase of this turn, together with the others queued in it. */
  defer(send: () => void): void {
    this.queue.push(send);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(this.flush);
  }

  /** Resolves in the check phase of this turn: code after `await turn()` sends with the others. */
  turn(): Promise<void> {
    return new Promise((resolve) => this.defer(resolve));
  }

  private readonly flush = (): void => {
    const queue = this.queue;
    this.queue = [];
    this.scheduled = false;
    for (const send of queue) {
      try {
        send();
      } catch {
        // A send on a closed connection: the message is redelivered after the ack wait.
      }
    }
  };
}

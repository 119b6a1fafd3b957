// Where the JSON log lines go (stdout). pino's own destination (sonic-boom) writes from
// the thread pool and flushes at exit; that flush retried a write that failed with EPIPE
// forever, sleeping between tries, so a stdout nobody reads any more (`serve | head -1`,
// a spawnSync past its timeout, a supervisor gone) held the process and no signal ended
// it. Here each line is written at once on the main thread, as process.stdout writes
// to a pipe; what a full pipe does not take (the reader is slow) is held, tried again
// every few milliseconds and at exit for a bounded time; any other error (EPIPE: the
// reader went away) stops the logging.
import { writeSync } from "node:fs";

export interface FdDestinationOptions {
  /** Characters held while the reader is slower than the logging; past them lines are dropped, and counted. Default 16 Mi. */
  maxPendingChars?: number;
  /** How long the flush at exit waits for a reader that is only slow (a full pipe). Default 1000 ms. */
  exitFlushMs?: number;
  /** The wait before what a full pipe did not take is tried again. Default 10 ms. */
  retryMs?: number;
}

/** Errors of a reader that has no room now: tried again. Any other error ends the logging. */
const TRY_AGAIN = new Set(["EAGAIN", "EWOULDBLOCK", "EBUSY", "EINTR"]);

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** A pino destination on a file descriptor (non-blocking, as libuv leaves a pipe on stdout, or a file). */
export class FdDestination {
  /** Lines a full pipe did not take yet, after `head`. */
  private pending: string[] = [];
  private pendingChars = 0;
  /** The bytes a write did not take: written first. */
  private head: Buffer | undefined;
  private retry: NodeJS.Timeout | undefined;
  private dropped = 0;
  private stopped = false;
  private readonly drained: (() => void)[] = [];
  private readonly maxPendingChars: number;
  private readonly exitFlushMs: number;
  private readonly retryMs: number;

  constructor(
    readonly fd: number,
    o: FdDestinationOptions = {},
  ) {
    this.maxPendingChars = o.maxPendingChars ?? 16 * 1024 * 1024;
    this.exitFlushMs = o.exitFlushMs ?? 1000;
    this.retryMs = o.retryMs ?? 10;
  }

  /** True once a write failed for good (EPIPE: the reader went away; EBADF ...): every line since is dropped. */
  get broken(): boolean {
    return this.stopped;
  }

  write(line: string): boolean {
    if (this.stopped) return true;
    if (this.head) {
      // The pipe was full: after what it did not take.
      if (this.pendingChars + line.length > this.maxPendingChars) this.dropped++;
      else {
        this.pending.push(line);
        this.pendingChars += line.length;
      }
      return true;
    }
    let n: number;
    try {
      n = writeSync(this.fd, line);
    } catch (err) {
      if (!this.failed(err)) return true;
      n = 0;
    }
    if (n < Buffer.byteLength(line)) this.hold(Buffer.from(line).subarray(n));
    return true;
  }

  /** Calls `cb` once every line given so far is written (or dropped: the destination broke). */
  flush(cb?: (err?: Error) => void): void {
    if (!cb) return;
    if (this.stopped || !this.head) process.nextTick(cb);
    else this.drained.push(cb);
  }

  /** Writes what is held, for the exit: stops at the first error but a full pipe, and waits for a full one at most `timeoutMs`. */
  flushSync(timeoutMs = this.exitFlushMs): void {
    clearTimeout(this.retry);
    this.retry = undefined;
    const deadline = Date.now() + timeoutMs;
    while (!this.stopped && this.head) {
      if (this.writeHeld() === "full") {
        if (Date.now() >= deadline) return;
        sleepSync(5);
      }
    }
  }

  /** Keeps what a full pipe did not take, and tries it again shortly. */
  private hold(rest: Buffer): void {
    this.head = rest;
    this.schedule();
  }

  private schedule(): void {
    if (this.retry || this.stopped) return;
    // Does not keep the process up: the exit writes what is held.
    this.retry = setTimeout(() => {
      this.retry = undefined;
      while (!this.stopped && this.head) {
        if (this.writeHeld() === "full") return this.schedule();
      }
      for (const cb of this.drained.splice(0)) cb();
    }, this.retryMs);
    this.retry.unref();
  }

  /** One write of `head` (then the held lines, and a note of the dropped ones); "full" when the pipe took nothing. */
  private writeHeld(): "full" | "wrote" {
    const buf = this.head as Buffer;
    let n: number;
    try {
      n = writeSync(this.fd, buf);
    } catch (err) {
      if (this.failed(err)) return "full";
      return "wrote";
    }
    if (n < buf.length) {
      this.head = buf.subarray(n);
      return n === 0 ? "full" : "wrote";
    }
    this.head = undefined;
    if (this.pending.length > 0 || this.dropped > 0) {
      let text = this.pending.join("");
      if (this.dropped > 0) {
        text += `${JSON.stringify({ level: 40, time: Date.now(), msg: `${this.dropped} log line(s) dropped: the reader of the logs was too slow` })}\n`;
        this.dropped = 0;
      }
      this.pending = [];
      this.pendingChars = 0;
      this.head = Buffer.from(text);
    }
    return "wrote";
  }

  /** True for a full pipe (try again); else the logging stops. */
  private failed(err: unknown): boolean {
    if (TRY_AGAIN.has((err as NodeJS.ErrnoException).code ?? "")) return true;
    this.stopped = true;
    clearTimeout(this.retry);
    this.retry = undefined;
    this.pending = [];
    this.pendingChars = 0;
    this.head = undefined;
    for (const cb of this.drained.splice(0)) cb();
    return false;
  }
}

let stdout: FdDestination | undefined;

/** The process's one stdout destination; what it holds is written (bounded) when the process exits. */
export function stdoutDestination(): FdDestination {
  if (!stdout) {
    const dest = new FdDestination(1);
    stdout = dest;
    process.on("exit", () => dest.flushSync());
  }
  return stdout;
}

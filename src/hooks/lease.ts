// Which replica manages the hooks: a lease in a JetStream KV bucket, taken and renewed
// with the bucket's compare-and-set writes (the only arbiter; no home-made election).
// The value names the holder and when the lease lapses; another replica takes it over
// only once it has lapsed. Without a shared bus (the in-process one) there is one
// process, and it always holds the lease.
import { randomUUID } from "node:crypto";
import type { KvBucket } from "../eventbus/index.js";

export interface Lease {
  /** Take or renew the lease; true while this process holds it. */
  acquire(): Promise<boolean>;
  /** Give it up (on shutdown), so another replica takes over at once. */
  release(): Promise<void>;
}

export const SOLE_LEASE: Lease = { acquire: async () => true, release: async () => {} };

interface Held {
  holder: string;
  expiresAt: number;
}

const KEY = "hook-manager";

export class KvLease implements Lease {
  private readonly id = randomUUID();

  constructor(
    private readonly bucket: KvBucket,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  async acquire(): Promise<boolean> {
    const mine = () => new TextEncoder().encode(JSON.stringify({ holder: this.id, expiresAt: this.now() + this.ttlMs } satisfies Held));
    const entry = await this.bucket.get(KEY);
    if (!entry) return (await this.bucket.create(KEY, mine())) !== undefined;
    const held = parse(entry.value);
    if (held && held.holder !== this.id && held.expiresAt > this.now()) return false;
    return (await this.bucket.update(KEY, mine(), entry.revision)) !== undefined;
  }

  async release(): Promise<void> {
    const entry = await this.bucket.get(KEY);
    if (!entry || parse(entry.value)?.holder !== this.id) return;
    await this.bucket.update(KEY, new TextEncoder().encode(JSON.stringify({ holder: "", expiresAt: 0 } satisfies Held)), entry.revision);
  }
}

function parse(value: Uint8Array): Held | undefined {
  try {
    const v = JSON.parse(new TextDecoder().decode(value)) as Partial<Held>;
    return typeof v.holder === "string" && typeof v.expiresAt === "number" ? { holder: v.holder, expiresAt: v.expiresAt } : undefined;
  } catch {
    return undefined;
  }
}

// Keeps the hooks the EventSources ask for on their providers: created or updated at
// start, after a reload and every check interval; deleted at shutdown only with
// `deleteHookOnFinish`; and, where the provider's API can resend (GitHub, GitLab),
// deliveries that failed while the gateway was down or refusing are sent again. The
// event id derives from the delivery's GUID, so a resent delivery the gateway had in
// fact accepted never becomes a second Workflow. Only the replica holding the lease
// acts. A failure is logged and reported, never fatal to receiving.
import type { EventSource } from "../api/types.js";
import type { SecretStore } from "../config/index.js";
import { errorMessage } from "../errors.js";
import type { Logger } from "../logger.js";
import { SOLE_LEASE, type Lease } from "./lease.js";
import { managedHooksOf, type HookProvider, type ManagedHook } from "./managed.js";
import type { SecretFingerprints } from "./github.js";
import type { DeliveryRecovery, HookClient, HookTarget } from "./types.js";

/** What one sync of one hook did, for logs, metrics and the flow page. */
export interface HookSyncOutcome {
  key: string;
  provider: HookProvider;
  target: string;
  url: string;
  action: "created" | "updated" | "unchanged" | "removed" | "failed";
  error?: string;
  at: Date;
}

/** A failed delivery the provider was asked to send again. */
export interface RecoveredDelivery {
  key: string;
  provider: HookProvider;
  target: string;
  guid: string;
  event: string;
  deliveredAt: Date;
}

export interface HookManagerOptions {
  eventSources: () => readonly EventSource[];
  secrets: SecretStore;
  logger: Logger;
  /** Default: the sole lease (one process). Replicas share a KvLease. */
  lease?: Lease;
  /** How far back a first look recovers failed deliveries. Default 3 days (GitHub keeps deliveries that long). */
  recoveryWindowMs?: number;
  /** Redeliveries asked for per hook and check (GitLab allows 5 a minute). Default 5. */
  maxRedeliveriesPerCheck?: number;
  /** How often the manager wakes to see which hooks are due. Default 10 s. */
  tickMs?: number;
  bitbucketBaseURL?: string;
  /** Where GitHub clients remember the secrets they set; shared by replicas, it makes a restart write nothing. */
  secretFingerprints?: SecretFingerprints;
  onSync?: (o: HookSyncOutcome) => void;
  onRecovered?: (r: RecoveredDelivery) => void;
  now?: () => number;
}

const DAY_MS = 86_400_000;

const targetName = (t: HookTarget) => `${t.scope}:${t.name}`;

export class HookManager {
  private readonly clients = new Map<string, HookClient & Partial<DeliveryRecovery>>();
  private readonly lastChecked = new Map<string, number>();
  private readonly recoveredUntil = new Map<string, number>();
  private readonly outcomes = new Map<string, HookSyncOutcome>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private leader = false;
  private stopped = false;

  constructor(private readonly o: HookManagerOptions) {}

  private now(): number {
    return (this.o.now ?? Date.now)();
  }

  private hooks(): ManagedHook[] {
    const out: ManagedHook[] = [];
    for (const es of this.o.eventSources()) {
      // One EventSource's bad entry never stops the others' hooks being kept.
      try {
        out.push(...managedHooksOf(es, { secrets: this.o.secrets, bitbucketBaseURL: this.o.bitbucketBaseURL, clients: this.clients, secretFingerprints: this.o.secretFingerprints }));
      } catch (err) {
        this.o.logger.warn({ eventSource: `${es.metadata.namespace ?? "default"}/${es.metadata.name ?? ""}`, err: errorMessage(err) }, "managed hook: entries not read");
      }
    }
    return out;
  }

  /** First check now, then one every tick for the hooks that are due. */
  start(): void {
    void this.check(true);
    this.timer = setInterval(() => void this.check(false), this.o.tickMs ?? 10_000);
    this.timer.unref();
  }

  /** After a reload: every hook is checked again at once. */
  reloaded(): Promise<void> {
    return this.check(true);
  }

  /** Sync the hooks that are due (all with `force`); one check at a time. */
  check(force = true): Promise<void> {
    if (this.stopped) return Promise.resolve();
    const run = (this.running ?? Promise.resolve()).then(() => this.checkOnce(force));
    this.running = run.catch(() => undefined);
    return run;
  }

  private async checkOnce(force: boolean): Promise<void> {
    const hooks = this.hooks();
    if (hooks.length === 0) return;
    try {
      this.leader = await (this.o.lease ?? SOLE_LEASE).acquire();
    } catch (err) {
      this.leader = false;
      this.o.logger.warn({ err: errorMessage(err) }, "hook manager: the lease could not be read; hooks are left as they are");
    }
    if (!this.leader) return;
    const now = this.now();
    for (const hook of hooks) {
      if (!force && now - (this.lastChecked.get(hook.key) ?? 0) < hook.checkIntervalMs) continue;
      this.lastChecked.set(hook.key, now);
      await this.sync(hook);
    }
  }

  private report(o: Omit<HookSyncOutcome, "at">): void {
    const outcome = { ...o, at: new Date(this.now()) };
    this.outcomes.set(`${o.key} ${o.target}`, outcome);
    const fields = { hook: o.key, provider: o.provider, target: o.target, url: o.url, action: o.action };
    if (o.action === "failed") this.o.logger.warn({ ...fields, err: o.error }, "managed hook: sync failed");
    else if (o.action !== "unchanged") this.o.logger.info(fields, `managed hook ${o.action}`);
    this.o.onSync?.(outcome);
  }

  private async sync(hook: ManagedHook): Promise<void> {
    let resolved;
    try {
      resolved = await hook.resolve();
    } catch (err) {
      // With no target to name, the entry itself is reported, so a refused config is seen.
      const targets = hook.targets.length > 0 ? hook.targets.map(targetName) : ["-"];
      for (const target of targets) this.report({ key: hook.key, provider: hook.provider, target, url: hook.url, action: "failed", error: errorMessage(err) });
      return;
    }
    for (const target of hook.targets) {
      const base = { key: hook.key, provider: hook.provider, target: targetName(target), url: hook.url };
      try {
        const sync = await resolved.client.ensure(target, resolved.desired);
        this.report({ ...base, action: sync.action });
        if (resolved.client.failedSince && resolved.client.redeliver) await this.recover(hook, target, sync.id, resolved.client as DeliveryRecovery);
      } catch (err) {
        this.report({ ...base, action: "failed", error: errorMessage(err) });
      }
    }
  }

  private async recover(hook: ManagedHook, target: HookTarget, hookId: string, api: DeliveryRecovery): Promise<void> {
    const key = `${hook.key} ${targetName(target)}`;
    const now = this.now();
    // Overlap the previous look by a check interval: a delivery may be logged late.
    const since = Math.max(now - (this.o.recoveryWindowMs ?? 3 * DAY_MS), (this.recoveredUntil.get(key) ?? 0) - hook.checkIntervalMs);
    const failed = await api.failedSince(target, hookId, new Date(since));
    let asked = 0;
    for (const d of failed) {
      if (asked >= (this.o.maxRedeliveriesPerCheck ?? 5)) break;
      await api.redeliver(target, hookId, d.id);
      asked++;
      const r = { key: hook.key, provider: hook.provider, target: targetName(target), guid: d.guid, event: d.event, deliveredAt: d.deliveredAt };
      this.o.logger.info({ hook: r.key, target: r.target, guid: r.guid, event: r.event }, "managed hook: failed delivery sent again");
      this.o.onRecovered?.(r);
    }
    // Only when every failed delivery was asked for: the rest wait for the next check.
    if (asked === failed.length) this.recoveredUntil.set(key, now);
  }

  /** The last outcome of each hook and target. */
  snapshot(): HookSyncOutcome[] {
    return [...this.outcomes.values()];
  }

  /** Stop checking; with `removeHooks` (shutdown), delete the hooks that ask for it, if this replica manages them. */
  async stop(o: { removeHooks: boolean } = { removeHooks: true }): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.running;
    if (!this.leader) return;
    if (o.removeHooks) {
      for (const hook of this.hooks().filter((h) => h.deleteOnFinish)) {
        try {
          const { client } = await hook.resolve();
          for (const t of hook.targets) {
            const base = { key: hook.key, provider: hook.provider, target: targetName(t), url: hook.url };
            try {
              if (await client.remove(t, hook.url)) this.report({ ...base, action: "removed" });
            } catch (err) {
              this.report({ ...base, action: "failed", error: errorMessage(err) });
            }
          }
        } catch (err) {
          this.o.logger.warn({ hook: hook.key, err: errorMessage(err) }, "managed hook: not deleted");
        }
      }
    }
    await (this.o.lease ?? SOLE_LEASE).release().catch(() => undefined);
  }
}

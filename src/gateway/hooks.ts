// The managed-hook side of a gateway: started with the receivers, stopped (deleting
// the hooks that ask for it) before the bus closes. A reload needs no signal: each
// tick reads the specs, and a hook not seen before is due at once.
import type { SecretStore } from "../config/index.js";
import type { Logger } from "../logger.js";
import { HookManager, KvFingerprints, KvLease, SOLE_LEASE, type HookManagerOptions } from "../hooks/index.js";
import type { Gateway } from "./gateway.js";

/** The KV bucket of the replicas' hook-manager lease and GitHub secret fingerprints. */
export const HOOK_LEASE_BUCKET = "trigger-gateway-hooks";
const LEASE_TTL_MS = 30_000;

export type HookEvents = Pick<HookManagerOptions, "onSync" | "onRecovered">;

/** Starts a HookManager on the gateway's specs; the returned gateway stops it first when it closes. */
export async function withHookManager(gateway: Gateway, o: { secrets: SecretStore; logger: Logger; events?: HookEvents }): Promise<{ gateway: Gateway; manager: HookManager }> {
  const bus = gateway.bus();
  const bucket = bus.openKv ? await bus.openKv(HOOK_LEASE_BUCKET) : undefined;
  const manager = new HookManager({
    eventSources: () => gateway.specs().eventSources,
    secrets: o.secrets,
    logger: o.logger,
    lease: bucket ? new KvLease(bucket, LEASE_TTL_MS) : SOLE_LEASE,
    secretFingerprints: bucket ? new KvFingerprints(bucket) : undefined,
    ...o.events,
  });
  manager.start();
  return {
    manager,
    gateway: {
      ...gateway,
      close: async () => {
        await manager.stop({ removeHooks: true });
        await gateway.close();
      },
    },
  };
}

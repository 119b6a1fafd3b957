// The public surface of src/hooks: the only module other folders import from it.
export { BitbucketServerHookClient } from "./bitbucketserver.js";
export { HookManager, type HookManagerOptions, type HookSyncOutcome, type RecoveredDelivery } from "./manager.js";
export { KvLease, SOLE_LEASE, type Lease } from "./lease.js";
export { managedHookErrors } from "./config-check.js";
export { managedHooksOf, HOOK_PROVIDERS, type HookConfigIssue, type HookProvider, type ManagedHook } from "./managed.js";
export type { DeliveryRecovery, DesiredHook, FailedDelivery, HookClient, HookSync, HookTarget } from "./types.js";
export { KvFingerprints } from "./fingerprints.js";

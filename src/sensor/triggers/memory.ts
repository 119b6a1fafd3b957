import type { KubeObject } from "../../api/index.js";

/** A manifest a `url` source fetched, and when (ms since the epoch). */
export interface FetchedSource {
  fetchedAt: number;
  obj: KubeObject;
}

/**
 * What triggers remember from one firing to the next. Trigger parameters
 * recompile the action at every firing, so this cannot live in the action; it
 * is made once per gateway (or per SensorRunner when none is given) and reaches
 * the actions through the TriggerRuntime, so two gateways in one process (or
 * two tests) never share it.
 */
export interface TriggerMemory {
  /** `log` with intervalSeconds: when each trigger (`namespace/sensor/trigger`) last logged. */
  readonly lastLogged: Map<string, number>;
  /** `url` sources: the manifest fetched per verification mode and URL, reused for URL_SOURCE_TTL_MS. */
  readonly urlSources: Map<string, FetchedSource>;
}

export function newTriggerMemory(): TriggerMemory {
  return { lastLogged: new Map(), urlSources: new Map() };
}

import type { TriggerSourceKind, KubeObject } from "../../api/index.js";
import type { WorkflowClient } from "../../workflows/index.js";
import type { FetchedSource } from "../triggers/memory.js";
import type { FileSourcePolicy } from "./file.js";

/** What a source may read from when it is read at firing time. */
export interface SourceContext {
  workflows: WorkflowClient;
  /** The sensor's namespace: where a `configmap` source is looked up. */
  namespace: string;
  /** Where a `url` source keeps what it fetched (the runtime's TriggerMemory.urlSources). */
  urlSources: Map<string, FetchedSource>;
  /** Which files a `file` source may read (default: any, as Argo Events in the Sensor's pod). */
  files?: FileSourcePolicy;
}

/**
 * Where a trigger's resource comes from (`source.resource`, `inline`, `file`,
 * `url`, `configmap`). Sources known at load time carry the object in
 * `loaded`, so a firing can be planned without I/O (and the dry run shows it);
 * the others are read by `load` when the trigger fires.
 */
export interface TriggerSource {
  readonly kind: TriggerSourceKind;
  readonly loaded?: KubeObject;
  /** For display (dry run, logs): where the resource will come from. */
  describe(): Record<string, unknown>;
  load(ctx: SourceContext): Promise<KubeObject>;
}

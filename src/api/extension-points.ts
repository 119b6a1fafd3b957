// The names of every extension point the gateway implements, and the shared facts
// about argoproj.io objects, each stated once. The registries that implement them
// (eventsource/registry.ts, sensor/triggers/registry.ts, sensor/sources/registry.ts,
// sensor/filters/registry.ts) are typed by these names, so a name added here without
// its implementation, or an implementation without its name, does not compile.
// Validation, the `not supported` table, test-sensor and the flow page read the
// lists from here.

/** EventSource types the gateway receives, and where each entry keeps its HTTP route. */
export const SOURCE_TYPE_ROUTES = {
  github: "webhook",
  gitlab: "webhook",
  bitbucket: "webhook",
  bitbucketserver: "webhook",
  webhook: "self",
} as const satisfies Record<string, "webhook" | "self">;

export type SourceTypeName = keyof typeof SOURCE_TYPE_ROUTES;
export const SOURCE_TYPE_NAMES = Object.keys(SOURCE_TYPE_ROUTES) as SourceTypeName[];

export function isSourceType(name: string): name is SourceTypeName {
  return Object.hasOwn(SOURCE_TYPE_ROUTES, name);
}

/** EventSource `spec` keys that are not a source type. */
export const EVENT_SOURCE_META_KEYS = ["eventBusName", "template", "service", "replicas"] as const;

/** Trigger template keys, each naming one trigger type. */
export const TRIGGER_TYPE_NAMES = ["argoWorkflow", "k8s", "http", "log"] as const;
export type TriggerTypeName = (typeof TRIGGER_TYPE_NAMES)[number];

/** TriggerTemplate keys that are not a trigger type. */
export const TRIGGER_TEMPLATE_META_KEYS = ["name", "conditions", "conditionsReset"] as const;

/** Where a trigger's resource may come from (ArtifactLocation keys the gateway reads). */
export const TRIGGER_SOURCE_KINDS = ["resource", "inline", "file", "url", "configmap"] as const;
export type TriggerSourceKind = (typeof TRIGGER_SOURCE_KINDS)[number];

/** Every ArtifactLocation key Argo Events defines (the rest are refused as not supported). */
export const ARGO_TRIGGER_SOURCES = [...TRIGGER_SOURCE_KINDS, "git", "s3"] as const;

/**
 * Dependency filter kinds, in the order Argo Events evaluates them (filterEvent in
 * pkg/sensors/dependencies/filter.go: exprs, data, context, time). `script` (Lua) is
 * not supported.
 */
export const FILTER_KIND_NAMES = ["exprs", "data", "context", "time"] as const;
export type FilterKindName = (typeof FILTER_KIND_NAMES)[number];

/** argoWorkflow trigger operations ("" means submit). */
export const ARGO_WORKFLOW_OPERATIONS = ["submit", "submit-from", "resubmit", "retry", "resume", "suspend", "terminate", "stop"] as const;
export type ArgoWorkflowOperation = (typeof ARGO_WORKFLOW_OPERATIONS)[number];

/** k8s trigger operations ("" means create). */
export const K8S_OPERATIONS = ["create", "update", "patch", "delete"] as const;

/**
 * Kinds without a namespace that a trigger may create or a template reference may
 * name: Argo Events' list for k8s triggers, Argo's cluster template, and CRDs.
 */
export const CLUSTER_SCOPED_KINDS: ReadonlySet<string> = new Set([
  "ClusterWorkflowTemplate",
  "Namespace",
  "Node",
  "PersistentVolume",
  "ClusterRole",
  "ClusterRoleBinding",
  "CustomResourceDefinition",
]);

/** A JSON object (not null, not an array). */
export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

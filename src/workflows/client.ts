import type { KubeObject } from "../api/index.js";

/**
 * Where triggers create resources: the Kubernetes API in a cluster, the local
 * store on embedded defaults. Both follow the API's semantics: `generateName`
 * gets a random suffix, an existing name is an AlreadyExistsError, a missing
 * object a NotFoundError.
 */
export interface WorkflowClient {
  create(obj: KubeObject): Promise<KubeObject>;
  get(apiVersion: string, kind: string, namespace: string, name: string): Promise<KubeObject>;
  list(apiVersion: string, kind: string, namespace: string, options?: ListOptions): Promise<KubeObject[]>;
  /** Replace an object; a stale `metadata.resourceVersion` is a ConflictError. */
  update(obj: KubeObject): Promise<KubeObject>;
  patch(
    apiVersion: string,
    kind: string,
    namespace: string,
    name: string,
    patch: unknown,
    strategy: PatchStrategy,
  ): Promise<KubeObject>;
  delete(apiVersion: string, kind: string, namespace: string, name: string): Promise<void>;
}

/** `namespace` "" addresses a cluster-scoped kind (ClusterWorkflowTemplate). */
export interface ListOptions {
  /** Kubernetes label selector syntax: `a=b,c!=d,e`. */
  labelSelector?: string;
}

/** `merge` = RFC 7386 merge patch, `json` = RFC 6902 JSON patch, `strategic` = Kubernetes strategic merge. */
export type PatchStrategy = "merge" | "json" | "strategic";

export const WORKFLOW_API_VERSION = "argoproj.io/v1alpha1";

export const LABEL_SENSOR = "events.argoproj.io/sensor";
export const LABEL_TRIGGER = "events.argoproj.io/trigger";
export const LABEL_ACTION_TIMESTAMP = "events.argoproj.io/action-timestamp";

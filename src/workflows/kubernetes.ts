import {
  CustomObjectsApi,
  KubeConfig,
  KubernetesObjectApi,
  PatchStrategy as ClientPatchStrategy,
  setHeaderOptions,
  type KubernetesObject,
} from "@kubernetes/client-node";
import type { KubeObject } from "../api/index.js";
import { BadRequestError, NotSupportedError } from "../errors.js";
import type { ListOptions, PatchStrategy, WorkflowClient } from "./client.js";
import { kubeError } from "./kube-errors.js";

interface KindInfo {
  plural: string;
  namespaced: boolean;
}

// The argoproj.io kinds the gateway touches; other custom kinds fall back to the
// usual lowercase plural, core kinds go through discovery (KubernetesObjectApi).
const ARGO_KINDS: Record<string, KindInfo> = {
  Workflow: { plural: "workflows", namespaced: true },
  WorkflowTemplate: { plural: "workflowtemplates", namespaced: true },
  ClusterWorkflowTemplate: { plural: "clusterworkflowtemplates", namespaced: false },
  CronWorkflow: { plural: "cronworkflows", namespaced: true },
  WorkflowEventBinding: { plural: "workfloweventbindings", namespaced: true },
  EventSource: { plural: "eventsources", namespaced: true },
  Sensor: { plural: "sensors", namespaced: true },
  EventBus: { plural: "eventbus", namespaced: true },
};

const CONTENT_TYPES: Record<PatchStrategy, ClientPatchStrategy> = {
  merge: ClientPatchStrategy.MergePatch,
  json: ClientPatchStrategy.JsonPatch,
  strategic: ClientPatchStrategy.StrategicMergePatch,
};

interface Resource {
  group: string;
  version: string;
  plural: string;
  /** "" for cluster-scoped kinds. */
  namespace: string;
}

function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const i = apiVersion.indexOf("/");
  return i < 0 ? { group: "", version: apiVersion } : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
}

/** `argoproj.io/v1alpha1` Workflow or `v1` Secret, with its namespace, for messages. */
function describe(kind: string, namespace: string, name: string): string {
  return `${kind} ${namespace ? `${namespace}/` : ""}${name}`;
}

/**
 * The WorkflowClient of a real cluster: custom resources through CustomObjectsApi
 * (plural from a small map), core kinds through KubernetesObjectApi (discovery).
 * API failures become the typed errors of src/errors.ts (see kubeError).
 */
export class KubernetesWorkflowClient implements WorkflowClient {
  private readonly custom: CustomObjectsApi;
  private readonly objects: KubernetesObjectApi;

  constructor(readonly kubeConfig: KubeConfig) {
    this.custom = kubeConfig.makeApiClient(CustomObjectsApi);
    this.objects = KubernetesObjectApi.makeApiClient(kubeConfig);
  }

  /** The custom resource's path parts, or undefined for a core (`v1`) kind. */
  private resource(apiVersion: string, kind: string, namespace: string): Resource | undefined {
    const { group, version } = splitApiVersion(apiVersion);
    if (!group) return undefined;
    const info = group === "argoproj.io" ? ARGO_KINDS[kind] : undefined;
    const plural = info?.plural ?? `${kind.toLowerCase()}s`;
    const namespaced = info ? info.namespaced : namespace !== "";
    return { group, version, plural, namespace: namespaced ? namespace || "default" : "" };
  }

  async create(obj: KubeObject): Promise<KubeObject> {
    if (!obj?.apiVersion || !obj.kind || !obj.metadata) throw new BadRequestError("object must have apiVersion, kind and metadata");
    const namespace = obj.metadata.namespace ?? "";
    const what = describe(obj.kind, namespace, obj.metadata.name ?? `${obj.metadata.generateName ?? ""}*`);
    const r = this.resource(obj.apiVersion, obj.kind, namespace);
    try {
      if (!r) return (await this.objects.create(obj as KubernetesObject)) as KubeObject;
      return (await (r.namespace
        ? this.custom.createNamespacedCustomObject({ ...r, namespace: r.namespace, body: obj })
        : this.custom.createClusterCustomObject({ ...r, body: obj }))) as KubeObject;
    } catch (err) {
      throw kubeError(err, `create ${what}`);
    }
  }

  async get(apiVersion: string, kind: string, namespace: string, name: string): Promise<KubeObject> {
    const r = this.resource(apiVersion, kind, namespace);
    try {
      if (!r) return (await this.objects.read({ apiVersion, kind, metadata: { name, namespace } })) as KubeObject;
      return (await (r.namespace
        ? this.custom.getNamespacedCustomObject({ ...r, namespace: r.namespace, name })
        : this.custom.getClusterCustomObject({ ...r, name }))) as KubeObject;
    } catch (err) {
      throw kubeError(err, `get ${describe(kind, namespace, name)}`);
    }
  }

  async list(apiVersion: string, kind: string, namespace: string, options: ListOptions = {}): Promise<KubeObject[]> {
    const r = this.resource(apiVersion, kind, namespace);
    const { labelSelector } = options;
    try {
      let items: unknown[];
      if (!r) {
        const l = await this.objects.list(apiVersion, kind, namespace || undefined, undefined, undefined, undefined, undefined, labelSelector);
        items = l.items;
      } else {
        const l = (await (r.namespace
          ? this.custom.listNamespacedCustomObject({ ...r, namespace: r.namespace, labelSelector })
          : this.custom.listClusterCustomObject({ ...r, labelSelector }))) as { items?: unknown[] };
        items = l.items ?? [];
      }
      // List items carry no apiVersion/kind on a real server; put them back for callers.
      return items.map((o) => ({ ...(o as KubeObject), apiVersion, kind }));
    } catch (err) {
      throw kubeError(err, `list ${kind}${namespace ? ` in ${namespace}` : ""}`);
    }
  }

  async update(obj: KubeObject): Promise<KubeObject> {
    const namespace = obj.metadata.namespace ?? "";
    const name = obj.metadata.name ?? "";
    const r = this.resource(obj.apiVersion, obj.kind, namespace);
    try {
      if (!r) return (await this.objects.replace(obj as KubernetesObject)) as KubeObject;
      return (await (r.namespace
        ? this.custom.replaceNamespacedCustomObject({ ...r, namespace: r.namespace, name, body: obj })
        : this.custom.replaceClusterCustomObject({ ...r, name, body: obj }))) as KubeObject;
    } catch (err) {
      throw kubeError(err, `update ${describe(obj.kind, namespace, name)}`);
    }
  }

  async patch(
    apiVersion: string,
    kind: string,
    namespace: string,
    name: string,
    patch: unknown,
    strategy: PatchStrategy,
  ): Promise<KubeObject> {
    const r = this.resource(apiVersion, kind, namespace);
    const contentType = CONTENT_TYPES[strategy];
    const what = `patch ${describe(kind, namespace, name)}`;
    try {
      if (!r) {
        if (strategy === "json" || patch === null || typeof patch !== "object" || Array.isArray(patch)) {
          throw new NotSupportedError(`${what}: only merge and strategic patches of core kinds are supported`);
        }
        const body = { ...(patch as Record<string, unknown>), apiVersion, kind, metadata: { ...((patch as KubeObject).metadata ?? {}), name, namespace } };
        return (await this.objects.patch(body as KubernetesObject, undefined, undefined, undefined, undefined, contentType)) as KubeObject;
      }
      const options = setHeaderOptions("Content-Type", contentType);
      return (await (r.namespace
        ? this.custom.patchNamespacedCustomObject({ ...r, namespace: r.namespace, name, body: patch as object }, options)
        : this.custom.patchClusterCustomObject({ ...r, name, body: patch as object }, options))) as KubeObject;
    } catch (err) {
      throw kubeError(err, what);
    }
  }

  async delete(apiVersion: string, kind: string, namespace: string, name: string): Promise<void> {
    const r = this.resource(apiVersion, kind, namespace);
    try {
      if (!r) {
        await this.objects.delete({ apiVersion, kind, metadata: { name, namespace } });
        return;
      }
      await (r.namespace
        ? this.custom.deleteNamespacedCustomObject({ ...r, namespace: r.namespace, name })
        : this.custom.deleteClusterCustomObject({ ...r, name }));
    } catch (err) {
      throw kubeError(err, `delete ${describe(kind, namespace, name)}`);
    }
  }
}

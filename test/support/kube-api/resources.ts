// The resource types the test server serves and the discovery documents that
// describe them (KubernetesObjectApi looks kinds up through discovery).
import type { ResourceType } from "./types.js";

const RW = ["create", "delete", "get", "list", "patch", "update", "watch"] as const;

function argo(plural: string, kind: string, opts: Partial<ResourceType> = {}): ResourceType {
  return {
    group: "argoproj.io",
    version: "v1alpha1",
    plural,
    singular: kind.toLowerCase(),
    kind,
    namespaced: true,
    statusSubresource: false,
    custom: true,
    verbs: RW,
    ...opts,
  };
}

function core(plural: string, kind: string, opts: Partial<ResourceType> = {}): ResourceType {
  return {
    group: "",
    version: "v1",
    plural,
    singular: kind.toLowerCase(),
    kind,
    namespaced: true,
    statusSubresource: false,
    custom: false,
    verbs: RW,
    ...opts,
  };
}

function rbac(plural: string, kind: string, opts: Partial<ResourceType> = {}): ResourceType {
  return core(plural, kind, { group: "rbac.authorization.k8s.io", ...opts });
}

/** What the gateway touches: Argo Workflows and Argo Events CRs, plus a few core kinds. */
export const DEFAULT_RESOURCES: readonly ResourceType[] = [
  argo("workflows", "Workflow", { shortNames: ["wf"] }),
  argo("workflowtemplates", "WorkflowTemplate", { shortNames: ["wftmpl"] }),
  argo("clusterworkflowtemplates", "ClusterWorkflowTemplate", { namespaced: false, shortNames: ["cwftmpl"] }),
  argo("cronworkflows", "CronWorkflow", { shortNames: ["cwf"] }),
  argo("workfloweventbindings", "WorkflowEventBinding", { shortNames: ["wfeb"] }),
  argo("eventsources", "EventSource", { statusSubresource: true, shortNames: ["es"] }),
  argo("sensors", "Sensor", { statusSubresource: true, shortNames: ["sn"] }),
  argo("eventbus", "EventBus", { statusSubresource: true, shortNames: ["eb"] }),
  core("secrets", "Secret"),
  core("configmaps", "ConfigMap", { shortNames: ["cm"] }),
  core("events", "Event", { shortNames: ["ev"] }),
  core("namespaces", "Namespace", { namespaced: false, statusSubresource: true, shortNames: ["ns"] }),
  core("serviceaccounts", "ServiceAccount", { shortNames: ["sa"] }),
  rbac("roles", "Role"),
  rbac("rolebindings", "RoleBinding"),
  rbac("clusterroles", "ClusterRole", { namespaced: false }),
  rbac("clusterrolebindings", "ClusterRoleBinding", { namespaced: false }),
];

/** Create-only review resources (answered by auth.ts, never stored). */
export const REVIEW_RESOURCES: readonly ResourceType[] = [
  {
    group: "authentication.k8s.io",
    version: "v1",
    plural: "tokenreviews",
    singular: "tokenreview",
    kind: "TokenReview",
    namespaced: false,
    statusSubresource: false,
    custom: false,
    verbs: ["create"],
  },
  {
    group: "authorization.k8s.io",
    version: "v1",
    plural: "subjectaccessreviews",
    singular: "subjectaccessreview",
    kind: "SubjectAccessReview",
    namespaced: false,
    statusSubresource: false,
    custom: false,
    verbs: ["create"],
  },
];

export function apiVersionOf(rt: ResourceType): string {
  return rt.group ? `${rt.group}/${rt.version}` : rt.version;
}

/** Lookup of resource types by group/version and by apiVersion+kind. */
export class ResourceRegistry {
  private readonly all: ResourceType[];

  constructor(types: readonly ResourceType[]) {
    this.all = [...types];
  }

  types(): readonly ResourceType[] {
    return this.all;
  }

  byPlural(group: string, version: string, plural: string): ResourceType | undefined {
    return this.all.find((t) => t.group === group && t.version === version && t.plural === plural);
  }

  byKind(apiVersion: string, kind: string): ResourceType | undefined {
    return this.all.find((t) => apiVersionOf(t) === apiVersion && t.kind === kind);
  }

  hasGroupVersion(group: string, version: string): boolean {
    return this.all.some((t) => t.group === group && t.version === version);
  }

  /** `/api/v1` or `/apis/{group}/{version}`: an APIResourceList. */
  resourceList(group: string, version: string): Record<string, unknown> {
    const resources: Record<string, unknown>[] = [];
    for (const t of this.all.filter((x) => x.group === group && x.version === version)) {
      const entry: Record<string, unknown> = {
        name: t.plural,
        singularName: t.singular,
        namespaced: t.namespaced,
        kind: t.kind,
        verbs: [...t.verbs],
      };
      if (t.shortNames) entry.shortNames = [...t.shortNames];
      resources.push(entry);
      if (t.statusSubresource) {
        resources.push({ name: `${t.plural}/status`, singularName: "", namespaced: t.namespaced, kind: t.kind, verbs: ["get", "patch", "update"] });
      }
    }
    return { kind: "APIResourceList", apiVersion: "v1", groupVersion: group ? `${group}/${version}` : version, resources };
  }

  /** `/apis`: an APIGroupList. */
  groupList(): Record<string, unknown> {
    const groups = new Map<string, Set<string>>();
    for (const t of this.all) {
      if (!t.group) continue;
      const set = groups.get(t.group) ?? new Set<string>();
      set.add(t.version);
      groups.set(t.group, set);
    }
    return {
      kind: "APIGroupList",
      apiVersion: "v1",
      groups: [...groups].map(([name, versions]) => {
        const vs = [...versions].map((v) => ({ groupVersion: `${name}/${v}`, version: v }));
        return { name, versions: vs, preferredVersion: vs[0] };
      }),
    };
  }
}

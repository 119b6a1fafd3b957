// RBAC as the API server evaluates it, from the Role, ClusterRole, RoleBinding and
// ClusterRoleBinding objects stored in the test server: a request is allowed when
// any rule bound to the user (or one of its groups) covers it. Aggregated roles and
// the built-in system bindings are not modelled (the few a test needs are objects).
import type { ObjectStore } from "./store.js";
import type { ResourceRegistry } from "./resources.js";
import { isRecord, type KubeObject, type SubjectAccessReviewSpec } from "./types.js";

/** What the authorizer is asked: the user and the request's resource attributes. */
export interface RequestAttributes {
  user: string;
  groups: readonly string[];
  verb: string;
  /** "" for the core group. */
  group: string;
  resource: string;
  subresource?: string;
  /** Undefined for cluster-scoped requests and cross-namespace lists. */
  namespace?: string;
  name?: string;
}

interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames: string[];
}

interface Subject {
  kind: string;
  name: string;
  namespace?: string;
}

const RBAC = "rbac.authorization.k8s.io/v1";

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
}

function rulesOf(role: KubeObject | undefined): PolicyRule[] {
  const rules = role && Array.isArray(role.rules) ? role.rules : [];
  return rules.filter(isRecord).map((r) => ({
    apiGroups: strings(r.apiGroups),
    resources: strings(r.resources),
    verbs: strings(r.verbs),
    resourceNames: strings(r.resourceNames),
  }));
}

function has(list: string[], value: string): boolean {
  return list.includes("*") || list.includes(value);
}

function ruleCovers(r: PolicyRule, a: RequestAttributes): boolean {
  if (!has(r.verbs, a.verb) || !has(r.apiGroups, a.group)) return false;
  const combined = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const resourceOk =
    r.resources.includes("*") ||
    r.resources.includes(combined) ||
    (a.subresource !== undefined && r.resources.includes(`*/${a.subresource}`));
  if (!resourceOk) return false;
  // A rule naming objects cannot cover a request without a name (create, list, watch).
  return r.resourceNames.length === 0 || (a.name !== undefined && r.resourceNames.includes(a.name));
}

function subjectMatches(s: Subject, a: RequestAttributes, bindingNamespace: string | undefined): boolean {
  switch (s.kind) {
    case "User":
      return s.name === a.user;
    case "Group":
      return a.groups.includes(s.name);
    case "ServiceAccount":
      return a.user === `system:serviceaccount:${s.namespace ?? bindingNamespace ?? ""}:${s.name}`;
    default:
      return false;
  }
}

function subjectsOf(binding: KubeObject): Subject[] {
  const list = Array.isArray(binding.subjects) ? binding.subjects : [];
  return list.filter(isRecord).map((s) => ({
    kind: String(s.kind ?? ""),
    name: String(s.name ?? ""),
    ...(typeof s.namespace === "string" && s.namespace ? { namespace: s.namespace } : {}),
  }));
}

function roleRef(binding: KubeObject): { kind: string; name: string } {
  const ref = isRecord(binding.roleRef) ? binding.roleRef : {};
  return { kind: String(ref.kind ?? ""), name: String(ref.name ?? "") };
}

export class RbacAuthorizer {
  constructor(
    private readonly store: ObjectStore,
    private readonly registry: ResourceRegistry,
  ) {}

  private objects(kind: string, namespace?: string): KubeObject[] {
    const rt = this.registry.byKind(RBAC, kind);
    return rt ? this.store.list(rt, namespace, () => true).items : [];
  }

  private role(kind: string, name: string, namespace: string | undefined): KubeObject | undefined {
    const rt = this.registry.byKind(RBAC, kind);
    return rt ? this.store.find(rt, kind === "Role" ? namespace : undefined, name) : undefined;
  }

  allows(a: RequestAttributes): boolean {
    for (const b of this.objects("ClusterRoleBinding")) {
      if (!subjectsOf(b).some((s) => subjectMatches(s, a, undefined))) continue;
      const ref = roleRef(b);
      if (ref.kind === "ClusterRole" && rulesOf(this.role("ClusterRole", ref.name, undefined)).some((r) => ruleCovers(r, a))) return true;
    }
    // A RoleBinding grants only inside its own namespace, whatever role it names.
    if (a.namespace === undefined) return false;
    for (const b of this.objects("RoleBinding", a.namespace)) {
      if (!subjectsOf(b).some((s) => subjectMatches(s, a, a.namespace))) continue;
      const ref = roleRef(b);
      if (rulesOf(this.role(ref.kind, ref.name, a.namespace)).some((r) => ruleCovers(r, a))) return true;
    }
    return false;
  }

  /** The same rules, for SubjectAccessReviews. */
  review(spec: SubjectAccessReviewSpec): boolean {
    const ra = spec.resourceAttributes;
    if (!ra) return false;
    return this.allows({
      user: spec.user ?? "",
      groups: spec.groups ?? [],
      verb: ra.verb ?? "",
      group: ra.group ?? "",
      resource: ra.resource ?? "",
      ...(ra.subresource ? { subresource: ra.subresource } : {}),
      ...(ra.namespace ? { namespace: ra.namespace } : {}),
      ...(ra.name ? { name: ra.name } : {}),
    });
  }
}

/** The groups the API server gives a user it authenticates or impersonates. */
export function groupsFor(username: string, groups: readonly string[] = []): string[] {
  const sa = /^system:serviceaccount:([^:]+):[^:]+$/.exec(username);
  const out = sa && groups.length === 0 ? ["system:serviceaccounts", `system:serviceaccounts:${sa[1]}`] : [...groups];
  if (!out.includes("system:authenticated")) out.push("system:authenticated");
  return out;
}

/** client-go's forbidden message: `workflows.argoproj.io "x" is forbidden: User "u" cannot create resource ...`. */
export function forbiddenMessage(a: RequestAttributes): string {
  const qualified = a.group ? `${a.resource}.${a.group}` : a.resource;
  const object = a.name ? `${qualified} "${a.name}"` : qualified;
  const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const scope = a.namespace ? `in the namespace "${a.namespace}"` : "at the cluster scope";
  return `${object} is forbidden: User "${a.user}" cannot ${a.verb} resource "${resource}" in API group "${a.group}" ${scope}`;
}

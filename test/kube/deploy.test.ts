// deploy/ and crds/ are what `kubectl apply -k deploy/` installs. No kubectl or
// kustomize runs here, so this checks what they would: files resolve, references
// name objects that exist, selectors select, and the CRDs are structural.
import { existsSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { packageRoot } from "../../src/paths.js";
import { WATCHED_KINDS } from "../../src/config/kube/spec-source.js";

type Obj = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> }; [k: string]: unknown };
type Rec = Record<string, unknown>;

const root = packageRoot();

function docs(file: string): Obj[] {
  const out: Obj[] = [];
  for (const d of parseAllDocuments(readFileSync(file, "utf8"))) {
    expect(d.errors, `${file}: ${d.errors.map((e) => e.message).join("; ")}`).toEqual([]);
    const v = d.toJS() as Obj | null;
    if (v) out.push(v);
  }
  return out;
}

interface Kustomization {
  dir: string;
  namespace?: string;
  objects: Obj[];
}

/** Resolves a kustomization's resources the way kustomize does: files, or directories with a kustomization.yaml. */
function kustomize(dir: string): Kustomization {
  const file = join(dir, "kustomization.yaml");
  expect(existsSync(file), `${relative(root, file)} exists`).toBe(true);
  const k = docs(file)[0] as unknown as { kind: string; namespace?: string; resources?: string[] };
  expect(k.kind).toBe("Kustomization");
  const objects: Obj[] = [];
  for (const r of k.resources ?? []) {
    const path = join(dir, r);
    expect(existsSync(path), `${relative(root, dir)}: resource ${r} exists`).toBe(true);
    if (statSync(path).isDirectory()) objects.push(...kustomize(path).objects);
    else objects.push(...docs(path));
  }
  // kustomize's namespace transformer: namespaced objects (and ServiceAccount subjects) move to it.
  if (k.namespace) {
    for (const o of objects) if (!CLUSTER_KINDS.has(o.kind)) o.metadata.namespace = k.namespace;
  }
  return { dir, namespace: k.namespace, objects };
}

const CLUSTER_KINDS = new Set(["Namespace", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition"]);
const deploy = kustomize(join(root, "deploy"));
const all = deploy.objects;
const ns = deploy.namespace ?? "default";
const find = (kind: string, name: string) => all.find((o) => o.kind === kind && o.metadata.name === name);
const workloads = all.filter((o) => o.kind === "Deployment" || o.kind === "StatefulSet");
type PodSpec = { serviceAccountName?: string; containers: { args?: string[]; ports?: { name?: string; containerPort: number }[] }[]; volumes?: { configMap?: { name: string } }[] };
const podOf = (w: Obj) => (w.spec as { template: { metadata: { labels: Record<string, string> }; spec: PodSpec } }).template;

describe("deploy/ manifests", () => {
  it("resolve to known kinds, one object per kind and name", () => {
    const kinds = new Set(all.map((o) => o.kind));
    for (const k of kinds) {
      expect(["Namespace", "ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding", "Deployment", "Service", "StatefulSet", "ConfigMap", "CustomResourceDefinition"]).toContain(k);
    }
    const keys = all.map((o) => `${o.kind}/${o.metadata.namespace ?? ""}/${o.metadata.name}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(find("Namespace", ns)).toBeDefined();
  });

  it("reference service accounts, roles and config maps that exist", () => {
    for (const w of workloads) {
      const pod = podOf(w).spec;
      if (pod.serviceAccountName) expect(find("ServiceAccount", pod.serviceAccountName), `${w.metadata.name}'s service account`).toBeDefined();
      for (const v of pod.volumes ?? []) if (v.configMap) expect(find("ConfigMap", v.configMap.name), `config map ${v.configMap.name}`).toBeDefined();
    }
    const bindings = all.filter((o) => o.kind === "RoleBinding" || o.kind === "ClusterRoleBinding");
    expect(bindings.length).toBeGreaterThan(0);
    for (const b of bindings) {
      const ref = b.roleRef as { kind: string; name: string };
      expect(find(ref.kind, ref.name), `${b.metadata.name} -> ${ref.kind} ${ref.name}`).toBeDefined();
      if (b.kind === "RoleBinding") expect(ref.kind === "ClusterRole" || find(ref.kind, ref.name)?.metadata.namespace === b.metadata.namespace).toBe(true);
      for (const s of b.subjects as { kind: string; name: string; namespace?: string }[]) {
        if (s.kind !== "ServiceAccount") continue;
        const sa = find("ServiceAccount", s.name);
        expect(sa, `subject ${s.name}`).toBeDefined();
        expect(s.namespace ?? b.metadata.namespace).toBe(sa?.metadata.namespace);
      }
    }
  });

  it("select pods with every Service, on container ports that exist", () => {
    for (const svc of all.filter((o) => o.kind === "Service")) {
      const spec = svc.spec as { selector: Record<string, string>; ports: { name: string; port: number; targetPort?: string | number }[] };
      const selected = workloads.filter((w) => Object.entries(spec.selector).every(([k, v]) => podOf(w).metadata.labels[k] === v));
      expect(selected.map((w) => w.metadata.name), `Service ${svc.metadata.name} selects a workload`).not.toEqual([]);
      const ports = selected.flatMap((w) => podOf(w).spec.containers.flatMap((c) => c.ports ?? []));
      for (const p of spec.ports) {
        const target = p.targetPort ?? p.port;
        expect(ports.some((cp) => (typeof target === "string" ? cp.name === target : cp.containerPort === target)), `${svc.metadata.name} port ${p.name}`).toBe(true);
      }
    }
    for (const w of workloads) {
      const sel = (w.spec as { selector: { matchLabels: Record<string, string> } }).selector.matchLabels;
      expect(podOf(w).metadata.labels).toMatchObject(sel);
    }
  });

  it("name NATS services and pods that exist, in the gateway's args and in the NATS routes", () => {
    const sts = find("StatefulSet", "nats")!;
    const stsSpec = sts.spec as { serviceName: string; replicas: number };
    expect(find("Service", stsSpec.serviceName)).toBeDefined();
    const args = workloads.flatMap((w) => podOf(w).spec.containers.flatMap((c) => c.args ?? []));
    const urls = args.filter((a) => a.startsWith("nats://")).flatMap((a) => a.split(","));
    const config = String((find("ConfigMap", "nats-config")!.data as Rec)["nats.conf"]);
    urls.push(...(config.match(/nats:\/\/[^\s\]]+/g) ?? []));
    expect(urls.length).toBeGreaterThan(0);
    for (const u of urls) {
      const { hostname, port } = new URL(u);
      const parts = hostname.split(".");
      // <svc>[.<ns>[.svc...]] or <pod>.<headless svc>[...]
      const svcName = find("Service", parts[0]) ? parts[0] : parts[1];
      const svc = find("Service", svcName);
      expect(svc, `${u}: service ${svcName}`).toBeDefined();
      if (svcName === parts[1]) {
        expect(stsSpec.serviceName).toBe(svcName);
        const ordinal = Number(/^nats-(\d+)$/.exec(parts[0])?.[1]);
        expect(ordinal, `${u}: pod of the StatefulSet`).toBeLessThan(stsSpec.replicas);
      } else if (parts[1] !== undefined) {
        expect(parts[1], `${u}: namespace`).toBe(svc?.metadata.namespace);
      }
      const ports = (svc!.spec as { ports: { port: number }[] }).ports.map((p) => String(p.port));
      expect(ports, `${u}: port`).toContain(port);
    }
  });

  it("grant what the gateway does in --kube mode", () => {
    const role = find("ClusterRole", "trigger-gateway")!;
    const rules = role.rules as { apiGroups: string[]; resources: string[]; verbs: string[] }[];
    const allows = (group: string, resource: string, verb: string) =>
      rules.some((r) => r.apiGroups.includes(group) && r.resources.includes(resource) && r.verbs.includes(verb));
    for (const k of WATCHED_KINDS) {
      for (const verb of ["get", "list", "watch"]) expect(allows("argoproj.io", k.plural, verb), `${verb} ${k.plural}`).toBe(true);
      if (k.status) expect(allows("argoproj.io", `${k.plural}/status`, "patch"), `patch ${k.plural}/status`).toBe(true);
    }
    // Triggers act as the Sensor's service account: the gateway itself creates nothing.
    for (const verb of ["create", "patch", "update", "delete"]) expect(allows("argoproj.io", "workflows", verb), `${verb} workflows`).toBe(false);
    const impersonate = find("ClusterRole", "trigger-gateway-impersonate")!;
    expect(impersonate.rules).toEqual([{ apiGroups: [""], resources: ["serviceaccounts"], verbs: ["impersonate"] }]);
    const secretRules = all.filter((o) => o.kind === "Role" || o.kind === "ClusterRole").flatMap((r) => r.rules as { resources: string[]; verbs: string[] }[]);
    for (const verb of ["get", "list", "watch"]) expect(secretRules.some((r) => r.resources.includes("secrets") && r.verbs.includes(verb)), `${verb} secrets`).toBe(true);
  });
});

const ALLOWED = new Set(["description", "type", "format", "properties", "additionalProperties", "items", "required", "enum", "nullable", "default", "pattern", "minimum", "maximum", "minLength", "maxLength", "minItems", "maxItems"]);

function structural(s: Rec, path: string, out: string[]): void {
  for (const key of Object.keys(s)) if (!ALLOWED.has(key) && !key.startsWith("x-kubernetes-")) out.push(`${path}: keyword ${key}`);
  if (s.type === undefined && s["x-kubernetes-preserve-unknown-fields"] !== true && s["x-kubernetes-int-or-string"] !== true) out.push(`${path}: no type`);
  if (s["x-kubernetes-preserve-unknown-fields"] === true && s.type !== "object") out.push(`${path}: preserve-unknown-fields on a non-object`);
  if (s.properties && s.additionalProperties) out.push(`${path}: both properties and additionalProperties`);
  for (const r of (s.required as string[] | undefined) ?? []) if (!(s.properties as Rec | undefined)?.[r]) out.push(`${path}: required ${r} is not a property`);
  if (s.type === "array" && !s.items) out.push(`${path}: array without items`);
  for (const [k, v] of Object.entries((s.properties as Record<string, Rec>) ?? {})) structural(v, `${path}.${k}`, out);
  if (s.items) structural(s.items as Rec, `${path}[]`, out);
  if (s.additionalProperties && typeof s.additionalProperties === "object") structural(s.additionalProperties as Rec, `${path}{}`, out);
}

describe("crds/", () => {
  const crds = kustomize(join(root, "crds")).objects;
  const files = readFileSync(join(root, "crds/kustomization.yaml"), "utf8");

  it("lists every CRD file in its kustomization", () => {
    expect(crds.length).toBeGreaterThan(0);
    for (const f of ["eventsource.yaml", "sensor.yaml", "eventbus.yaml"]) expect(files).toContain(f);
    expect(all.filter((o) => o.kind === "CustomResourceDefinition").map((o) => o.metadata.name).sort()).toEqual(crds.map((o) => o.metadata.name).sort());
  });

  it.each(crds.map((c) => [c.metadata.name, c] as const))("%s is a valid structural apiextensions.k8s.io/v1 CRD", (_name, crd) => {
    expect(crd.apiVersion).toBe("apiextensions.k8s.io/v1");
    expect(crd.kind).toBe("CustomResourceDefinition");
    const spec = crd.spec as { group: string; scope: string; names: { kind: string; plural: string; singular?: string; listKind?: string }; versions: Rec[] };
    expect(crd.metadata.name).toBe(`${spec.names.plural}.${spec.group}`);
    expect(["Namespaced", "Cluster"]).toContain(spec.scope);
    expect(spec.names.plural).toMatch(/^[a-z0-9]+$/);
    if (spec.names.singular) expect(spec.names.singular).toMatch(/^[a-z0-9]+$/);
    expect(spec.versions.filter((v) => v.storage === true)).toHaveLength(1);
    const watched = WATCHED_KINDS.find((k) => k.kind === spec.names.kind);
    if (watched) {
      expect(spec.names.plural).toBe(watched.plural);
      expect(spec.scope === "Namespaced").toBe(watched.namespaced);
    }
    for (const v of spec.versions) {
      expect(typeof v.name).toBe("string");
      expect(typeof v.served).toBe("boolean");
      const schema = (v.schema as { openAPIV3Schema?: Rec } | undefined)?.openAPIV3Schema;
      expect(schema, `${String(v.name)} has an openAPIV3Schema`).toBeDefined();
      expect(schema!.type).toBe("object");
      const problems: string[] = [];
      structural(schema!, String(v.name), problems);
      expect(problems).toEqual([]);
      if (watched?.status) expect((v.subresources as Rec | undefined)?.status).toEqual({});
    }
  });
});

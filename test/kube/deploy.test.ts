// deploy/ is what `kubectl apply -k deploy/` installs, crds/ what `kubectl apply -k crds/`
// adds where Argo Events' CRDs are not installed. This checks what kubectl would, without a
// cluster: files resolve, references name objects that exist, selectors select, the CRDs are
// structural; and what running it needs: no CRD in the default install, disruption budgets
// and anti-affinity for each replicated workload, a NetworkPolicy and a Service port for
// every container port, one NATS token shared by NATS and the gateway, an image to set.
import { existsSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { packageRoot } from "../../src/paths.js";
import { WATCHED_KINDS } from "../../src/config/kube/spec-source.js";
import { objectProblems } from "../../src/config/kube/spec-object.js";
import { chooseEventBus } from "../../src/config/bus.js";
import { jetStreamOptionsFromSpec } from "../../src/eventbus/index.js";
import type { EventBus as EventBusSpec, KubeObject, SecretKeySelector } from "../../src/api/types.js";

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

interface Generator {
  name: string;
  envs?: string[];
  files?: string[];
  literals?: string[];
  options?: { disableNameSuffixHash?: boolean };
}
interface ImageEntry {
  name: string;
  newName?: string;
  newTag?: string;
}
interface KustomizationFile {
  kind: string;
  namespace?: string;
  resources?: string[];
  secretGenerator?: Generator[];
  images?: ImageEntry[];
}
interface Kustomization {
  dir: string;
  file: KustomizationFile;
  namespace?: string;
  objects: Obj[];
}

const CLUSTER_KINDS = new Set(["Namespace", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition"]);

/** Resolves a kustomization the way kustomize does: resources (files, or directories with a kustomization.yaml), secretGenerator, images, namespace. */
function kustomize(dir: string): Kustomization {
  const path = join(dir, "kustomization.yaml");
  expect(existsSync(path), `${relative(root, path)} exists`).toBe(true);
  const k = docs(path)[0] as unknown as KustomizationFile;
  expect(k.kind).toBe("Kustomization");
  const objects: Obj[] = [];
  for (const r of k.resources ?? []) {
    const p = join(dir, r);
    expect(existsSync(p), `${relative(root, dir)}: resource ${r} exists`).toBe(true);
    if (statSync(p).isDirectory()) objects.push(...kustomize(p).objects);
    else objects.push(...docs(p));
  }
  // The generated Secrets: names only (their files are the user's, not in the repository).
  for (const g of k.secretGenerator ?? []) {
    expect(g.options?.disableNameSuffixHash, `secretGenerator ${g.name}: the EventBus and the Role name it without a hash suffix`).toBe(true);
    objects.push({ apiVersion: "v1", kind: "Secret", metadata: { name: g.name }, type: "Opaque", generator: g });
  }
  for (const o of objects) {
    for (const c of o.kind === "Deployment" || o.kind === "StatefulSet" ? podOf(o).spec.containers : []) {
      const entry = (k.images ?? []).find((i) => i.name === c.image.split(":")[0]);
      if (entry) c.image = `${entry.newName ?? entry.name}:${entry.newTag ?? c.image.split(":")[1] ?? "latest"}`;
    }
  }
  // kustomize's namespace transformer: namespaced objects move to it.
  if (k.namespace) {
    for (const o of objects) if (!CLUSTER_KINDS.has(o.kind)) o.metadata.namespace = k.namespace;
  }
  return { dir, file: k, namespace: k.namespace, objects };
}

type Port = { name?: string; containerPort: number };
type Container = {
  name: string;
  image: string;
  args?: string[];
  ports?: Port[];
  env?: { name: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[];
};
type PodSpec = {
  serviceAccountName?: string;
  containers: Container[];
  volumes?: { configMap?: { name: string }; secret?: { secretName: string } }[];
  affinity?: { podAntiAffinity?: { preferredDuringSchedulingIgnoredDuringExecution?: { weight: number; podAffinityTerm: { topologyKey: string; labelSelector: { matchLabels: Record<string, string> } } }[] } };
};
type Template = { metadata: { labels: Record<string, string> }; spec: PodSpec };
const podOf = (w: Obj) => (w.spec as { template: Template }).template;
const replicasOf = (w: Obj) => (w.spec as { replicas?: number }).replicas ?? 1;
const portsOf = (w: Obj) => podOf(w).spec.containers.flatMap((c) => c.ports ?? []);
const matches = (selector: Record<string, string>, labels: Record<string, string>) => Object.entries(selector).every(([k, v]) => labels[k] === v);
/** The workloads whose pods a label selector (in the selector's namespace) selects. */
const selectedBy = (selector: Record<string, string>, namespace: string | undefined) =>
  workloads.filter((w) => w.metadata.namespace === namespace && matches(selector, podOf(w).metadata.labels));

// `kubectl apply -k deploy/` applies deploy/base; the overlays build on it.
const deploy = kustomize(join(root, "deploy/base"));
const all = deploy.objects;
const ns = deploy.namespace ?? "default";
const find = (kind: string, name: string) => all.find((o) => o.kind === kind && o.metadata.name === name);
const workloads = all.filter((o) => o.kind === "Deployment" || o.kind === "StatefulSet");
const gateway = find("Deployment", "trigger-gateway")!;
const nats = find("StatefulSet", "nats")!;

describe("deploy/ manifests", () => {
  it("resolve to known kinds, one object per kind and name", () => {
    const kinds = new Set(all.map((o) => o.kind));
    for (const k of kinds) {
      expect([
        "Namespace",
        "ServiceAccount",
        "ClusterRole",
        "ClusterRoleBinding",
        "Role",
        "RoleBinding",
        "Deployment",
        "Service",
        "StatefulSet",
        "ConfigMap",
        "Secret",
        "PodDisruptionBudget",
        "NetworkPolicy",
        "EventBus",
      ]).toContain(k);
    }
    const keys = all.map((o) => `${o.kind}/${o.metadata.namespace ?? ""}/${o.metadata.name}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(find("Namespace", ns)).toBeDefined();
    expect(gateway).toBeDefined();
    expect(nats).toBeDefined();
  });

  it("install no CRD, so that Argo Events' CRDs are left alone; crds/ defines every argoproj.io kind they create", () => {
    expect(all.filter((o) => o.kind === "CustomResourceDefinition")).toEqual([]);
    for (const r of deploy.file.resources ?? []) expect(r, "deploy/ pulls in no other directory").not.toMatch(/\.\.|crds/);
    const defined = kustomize(join(root, "crds")).objects.map((c) => (c.spec as { names: { kind: string } }).names.kind);
    for (const o of all.filter((x) => x.apiVersion.startsWith("argoproj.io/"))) expect(defined, `${o.kind} ${o.metadata.name}`).toContain(o.kind);
  });

  it("reference service accounts, roles, config maps and secrets that exist", () => {
    for (const w of workloads) {
      const pod = podOf(w).spec;
      if (pod.serviceAccountName) expect(find("ServiceAccount", pod.serviceAccountName), `${w.metadata.name}'s service account`).toBeDefined();
      for (const v of pod.volumes ?? []) {
        if (v.configMap) expect(find("ConfigMap", v.configMap.name), `config map ${v.configMap.name}`).toBeDefined();
        if (v.secret) expect(find("Secret", v.secret.secretName), `secret ${v.secret.secretName}`).toBeDefined();
      }
      for (const e of pod.containers.flatMap((c) => c.env ?? [])) {
        const ref = e.valueFrom?.secretKeyRef;
        if (ref) expect(find("Secret", ref.name), `${w.metadata.name} env ${e.name}: secret ${ref.name}`).toBeDefined();
      }
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
      const selected = selectedBy(spec.selector, svc.metadata.namespace);
      expect(selected.map((w) => w.metadata.name), `Service ${svc.metadata.name} selects a workload`).not.toEqual([]);
      const ports = selected.flatMap(portsOf);
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

  it("reach every container port through a Service (an EventSource's port added to the Deployment needs one)", () => {
    for (const w of workloads) {
      const services = all.filter((o) => o.kind === "Service" && selectedBy((o.spec as { selector: Record<string, string> }).selector, o.metadata.namespace).includes(w));
      const targets = services.flatMap((s) => (s.spec as { ports: { port: number; targetPort?: string | number }[] }).ports.map((p) => p.targetPort ?? p.port));
      for (const cp of portsOf(w)) {
        expect(targets.includes(cp.name ?? "") || targets.includes(cp.containerPort), `${w.metadata.name} port ${cp.name ?? cp.containerPort} is in a Service`).toBe(true);
      }
    }
    // The gateway's ports: the webhooks (EventSources), the events endpoint and the admin port.
    expect(portsOf(gateway).map((p) => p.containerPort)).toEqual(expect.arrayContaining([12000, 2746, 7777]));
  });

  it("name NATS services and pods that exist, in the gateway's args, the EventBus and the NATS routes", () => {
    const stsSpec = nats.spec as { serviceName: string; replicas: number };
    expect(find("Service", stsSpec.serviceName)).toBeDefined();
    const args = workloads.flatMap((w) => podOf(w).spec.containers.flatMap((c) => c.args ?? []));
    const urls = args.filter((a) => a.startsWith("nats://")).flatMap((a) => a.split(","));
    const config = String((find("ConfigMap", "nats-config")!.data as Rec)["nats.conf"]);
    urls.push(...(config.match(/nats:\/\/[^\s\]]+/g) ?? []));
    for (const bus of all.filter((o) => o.kind === "EventBus")) urls.push(...String((bus.spec as { jetstreamExotic?: { url?: string } }).jetstreamExotic?.url ?? "").split(",").filter(Boolean));
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

describe("deploy/ availability", () => {
  const pdbs = all.filter((o) => o.kind === "PodDisruptionBudget");
  type PdbSpec = { selector: { matchLabels: Record<string, string> }; minAvailable?: number; maxUnavailable?: number };

  it("gives each replicated workload one PodDisruptionBudget that lets a drain proceed and keeps it serving", () => {
    for (const p of pdbs) {
      expect(p.apiVersion).toBe("policy/v1");
      const spec = p.spec as PdbSpec;
      expect(selectedBy(spec.selector.matchLabels, p.metadata.namespace), `PDB ${p.metadata.name} selects one workload`).toHaveLength(1);
    }
    for (const w of workloads.filter((x) => replicasOf(x) > 1)) {
      const mine = pdbs.filter((p) => selectedBy((p.spec as PdbSpec).selector.matchLabels, p.metadata.namespace).includes(w));
      expect(mine.map((p) => p.metadata.name), `${w.metadata.name} has one PDB`).toHaveLength(1);
      const spec = mine[0].spec as PdbSpec;
      const down = spec.maxUnavailable ?? replicasOf(w) - (spec.minAvailable ?? 0);
      expect(down, `${w.metadata.name}: a drain may evict one pod`).toBeGreaterThanOrEqual(1);
      expect(replicasOf(w) - down, `${w.metadata.name}: one pod keeps serving`).toBeGreaterThanOrEqual(1);
    }
    expect((pdbs.find((p) => selectedBy((p.spec as PdbSpec).selector.matchLabels, ns).includes(gateway))!.spec as PdbSpec).minAvailable).toBe(1);
    // NATS: with one of three servers away, the other two keep the JetStream quorum.
    const natsPdb = pdbs.find((p) => selectedBy((p.spec as PdbSpec).selector.matchLabels, ns).includes(nats))!.spec as PdbSpec;
    expect(natsPdb.maxUnavailable).toBe(1);
    expect(replicasOf(nats) - 1).toBeGreaterThan(replicasOf(nats) / 2);
  });

  it("spreads each replicated workload's pods over nodes (preferred anti-affinity by hostname)", () => {
    for (const w of workloads.filter((x) => replicasOf(x) > 1)) {
      const terms = podOf(w).spec.affinity?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? [];
      const own = terms.filter((t) => t.podAffinityTerm.topologyKey === "kubernetes.io/hostname" && matches(t.podAffinityTerm.labelSelector.matchLabels, podOf(w).metadata.labels));
      expect(own.length, `${w.metadata.name}: anti-affinity to its own pods by hostname`).toBe(1);
      // Only its own pods: a term that also matched the other workload would push unrelated pods apart.
      expect(selectedBy(own[0].podAffinityTerm.labelSelector.matchLabels, w.metadata.namespace)).toEqual([w]);
      expect(own[0].weight).toBeGreaterThan(0);
    }
  });
});

describe("deploy/ NetworkPolicies", () => {
  type Peer = { podSelector?: { matchLabels?: Record<string, string> }; namespaceSelector?: { matchLabels?: Record<string, string> }; ipBlock?: unknown };
  type Rule = { from?: Peer[]; ports?: { port?: string | number; protocol?: string }[] };
  type PolicySpec = { podSelector: { matchLabels?: Record<string, string> }; policyTypes?: string[]; ingress?: Rule[] };
  const policies = all.filter((o) => o.kind === "NetworkPolicy");
  const policiesOf = (w: Obj) => policies.filter((p) => selectedBy((p.spec as PolicySpec).podSelector.matchLabels ?? {}, p.metadata.namespace).includes(w));
  /** The ingress rules that admit traffic to container port `cp` of workload `w`. */
  const rulesFor = (w: Obj, cp: Port) =>
    policiesOf(w)
      .flatMap((p) => (p.spec as PolicySpec).ingress ?? [])
      .filter((r) => !r.ports || r.ports.some((rp) => rp.port === undefined || rp.port === cp.name || rp.port === cp.containerPort));
  const fromAnywhere = (r: Rule) => r.from === undefined || r.from.length === 0;
  /** Which workloads of this namespace a peer admits; "outside" for namespace or IP peers. */
  const peerWorkloads = (peer: Peer) => (peer.namespaceSelector || peer.ipBlock ? "outside" : selectedBy(peer.podSelector?.matchLabels ?? {}, ns));
  const portNamed = (w: Obj, name: string) => portsOf(w).find((p) => p.name === name)!;

  it("select every workload and admit each of its container ports (ports not named are closed)", () => {
    for (const w of workloads) {
      expect(policiesOf(w).length, `${w.metadata.name} has a NetworkPolicy`).toBeGreaterThan(0);
      for (const p of policiesOf(w)) expect((p.spec as PolicySpec).policyTypes).toContain("Ingress");
      for (const cp of portsOf(w)) expect(rulesFor(w, cp).length, `${w.metadata.name} port ${cp.name ?? cp.containerPort}`).toBeGreaterThan(0);
    }
    // Every rule names its ports: a rule without ports would open all of them.
    for (const p of policies) for (const r of (p.spec as PolicySpec).ingress ?? []) expect(r.ports?.length, `${p.metadata.name}: a rule without ports`).toBeGreaterThan(0);
  });

  it("admit the webhook and events ports from anywhere (webhooks come through an Ingress)", () => {
    for (const name of ["webhooks", "events-api"]) expect(rulesFor(gateway, portNamed(gateway, name)).some(fromAnywhere), name).toBe(true);
    // Every other gateway port but admin is an EventSource port: the same rule.
    for (const cp of portsOf(gateway).filter((p) => p.name !== "admin")) expect(rulesFor(gateway, cp).some(fromAnywhere), `${cp.name ?? cp.containerPort}`).toBe(true);
  });

  it("admit the admin port only from the namespace and monitoring namespaces", () => {
    const rules = rulesFor(gateway, portNamed(gateway, "admin"));
    expect(rules.length).toBeGreaterThan(0);
    for (const r of rules) {
      expect(fromAnywhere(r)).toBe(false);
      for (const peer of r.from!) {
        if (peer.namespaceSelector) {
          expect(peer.podSelector, "a namespace peer is a monitoring namespace, any of its pods").toBeUndefined();
          expect(Object.keys(peer.namespaceSelector.matchLabels ?? {}).length, "monitoring namespaces by label, not all namespaces").toBeGreaterThan(0);
        } else {
          expect(peer.ipBlock).toBeUndefined();
          expect(peer.podSelector).toBeDefined();
        }
      }
    }
  });

  it("admit the NATS client port only from the gateway pods, the cluster port only from NATS pods", () => {
    const only = (port: string, allowed: Obj) => {
      const rules = rulesFor(nats, portNamed(nats, port));
      expect(rules.length, port).toBeGreaterThan(0);
      for (const r of rules) {
        expect(fromAnywhere(r), `${port} from anywhere`).toBe(false);
        for (const peer of r.from!) expect(peerWorkloads(peer), `${port} from ${JSON.stringify(peer)}`).toEqual([allowed]);
      }
    };
    only("client", gateway);
    only("cluster", nats);
    for (const r of rulesFor(nats, portNamed(nats, "monitor"))) expect(fromAnywhere(r), "monitor from anywhere").toBe(false);
  });
});

describe("deploy/ NATS auth", () => {
  const natsContainer = podOf(nats).spec.containers[0];
  const tokenEnv = (natsContainer.env ?? []).filter((e) => e.valueFrom?.secretKeyRef);
  const config = String((find("ConfigMap", "nats-config")!.data as Rec)["nats.conf"]);
  const generated = (name: string) => (find("Secret", name) as (Obj & { generator?: Generator }) | undefined)?.generator;

  it("has NATS require a token from a Secret, through its environment", () => {
    expect(tokenEnv).toHaveLength(1);
    const auth = /authorization\s*\{([^}]*)\}/.exec(config)?.[1] ?? "";
    expect(auth, "nats.conf has an authorization block").not.toBe("");
    expect(auth).toMatch(new RegExp(`token:\\s*\\$${tokenEnv[0].name}\\b`));
    // NATS reads the token from its env: the variable name is not quoted (quotes would make it literal).
    expect(auth).not.toMatch(/token:\s*["']/);
  });

  it("gives the gateway the same Secret and key through the EventBus it chooses", async () => {
    const ref = tokenEnv[0].valueFrom!.secretKeyRef!;
    const buses = all.filter((o) => o.kind === "EventBus") as unknown as EventBusSpec[];
    const bus = chooseEventBus(buses)!;
    expect(bus, "an EventBus the gateway chooses").toBeDefined();
    expect(objectProblems(bus as unknown as KubeObject), "the gateway accepts the EventBus").toEqual([]);
    const access = (bus.spec as { jetstreamExotic?: { accessSecret?: SecretKeySelector } }).jetstreamExotic?.accessSecret;
    expect(access).toEqual({ name: ref.name, key: ref.key });
    // What the gateway makes of it, with the Deployment's --nats-url: the token goes along.
    const args = podOf(gateway).spec.containers[0].args ?? [];
    const natsUrl = args[args.indexOf("--nats-url") + 1];
    expect(natsUrl).toMatch(/^nats:\/\//);
    const reads: string[] = [];
    const secrets = {
      get: async (namespace: string, sel: SecretKeySelector) => {
        reads.push(`${namespace}/${sel.name}/${sel.key}`);
        return "the-token";
      },
    };
    const options = await jetStreamOptionsFromSpec(bus, secrets, { natsUrl });
    expect(options.auth).toEqual({ token: "the-token" });
    expect(options.servers).toEqual([natsUrl]);
    expect(reads).toEqual([`${bus.metadata.namespace}/${ref.name}/${ref.key}`]);
  });

  it("lets the gateway read that Secret, and nothing secret is in the repository", () => {
    const ref = tokenEnv[0].valueFrom!.secretKeyRef!;
    const bus = all.find((o) => o.kind === "EventBus")!;
    // The Secret lives where NATS and the EventBus are, and the gateway's Role names it.
    expect(find("Secret", ref.name)?.metadata.namespace).toBe(nats.metadata.namespace);
    expect(bus.metadata.namespace).toBe(nats.metadata.namespace);
    const sa = podOf(gateway).spec.serviceAccountName!;
    const granted = all
      .filter((b) => b.kind === "RoleBinding" && b.metadata.namespace === bus.metadata.namespace)
      .filter((b) => (b.subjects as { kind: string; name: string }[]).some((s) => s.kind === "ServiceAccount" && s.name === sa))
      .map((b) => find((b.roleRef as { kind: string; name: string }).kind, (b.roleRef as { name: string }).name)!)
      .flatMap((r) => r.rules as { resources: string[]; resourceNames?: string[]; verbs: string[] }[])
      .filter((r) => r.resources.includes("secrets") && r.verbs.includes("get"));
    expect(granted.some((r) => !r.resourceNames || r.resourceNames.includes(ref.name)), `the gateway may get secret ${ref.name}`).toBe(true);
    // Generated from a file the user writes (git-ignored), with the key both sides read.
    const g = generated(ref.name);
    expect(g, `secret ${ref.name} comes from the secretGenerator`).toBeDefined();
    expect(g!.literals ?? []).toEqual([]);
    const ignored = readFileSync(join(root, "deploy/.gitignore"), "utf8").split("\n").map((l) => l.trim());
    for (const f of [...(g!.envs ?? []), ...(g!.files ?? []).map((x) => x.split("=").pop()!)]) {
      expect(ignored, `deploy/${f} is git-ignored`).toContain(f);
    }
    const kustomizationText = readFileSync(join(root, "deploy/base/kustomization.yaml"), "utf8");
    expect(kustomizationText, "the kustomization says how to write the key").toContain(`echo "${ref.key}=$(openssl rand -hex 32)" > deploy/base/${g!.envs![0]}`);
  });
});

describe("deploy/ image", () => {
  it("is a name that kustomization.yaml `images:` sets, not a registry nothing publishes to", () => {
    const raw = docs(join(root, "deploy/base/deployment.yaml"))[0];
    const image = podOf(raw).spec.containers[0].image;
    expect(image, "a bare name, set by the kustomization").toBe("trigger-gateway");
    const entry = (deploy.file.images ?? []).find((i) => i.name === image);
    expect(entry).toBeDefined();
    expect(entry!.newName, "a placeholder registry (example.com)").toMatch(/^registry\.example\.com\//);
    const version = (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string }).version;
    expect(entry!.newTag).toBe(version);
    expect(podOf(gateway).spec.containers[0].image).toBe(`${entry!.newName}:${entry!.newTag}`);
  });

  it("is built from a Dockerfile whose context holds what it copies, exposing ports the Deployment declares", () => {
    const dockerfile = readFileSync(join(root, "Dockerfile"), "utf8");
    const copies = [...dockerfile.matchAll(/^COPY\s+(?!--from)(.+)$/gm)].map((m) => m[1].trim().split(/\s+/).slice(0, -1)).flat();
    expect(copies.length).toBeGreaterThan(0);
    for (const src of copies) expect(existsSync(join(root, src)), `Dockerfile COPY ${src}`).toBe(true);
    // Files the final stage takes from the build stage's /app that are sources, not build output.
    for (const m of dockerfile.matchAll(/^COPY\s+--from=\w+\s+\/app\/(\S+)/gm)) {
      if (!/^(dist|node_modules|package\.json)/.test(m[1])) expect(existsSync(join(root, m[1])), `Dockerfile COPY --from ${m[1]}`).toBe(true);
    }
    const entry = /ENTRYPOINT\s*\[\s*"node",\s*"dist\/(src\/[^"]+)\.js"/.exec(dockerfile)?.[1];
    expect(entry && existsSync(join(root, `${entry}.ts`)), `ENTRYPOINT's source ${entry}.ts`).toBe(true);
    // EXPOSE documents the default ports; the Deployment may add EventSource ports.
    const exposed = (/^EXPOSE\s+(.+)$/m.exec(dockerfile)?.[1] ?? "").split(/\s+/).map(Number);
    expect(exposed.length).toBeGreaterThan(0);
    expect(portsOf(gateway).map((p) => p.containerPort)).toEqual(expect.arrayContaining(exposed));
  });
});

describe("deploy/overlays", () => {
  const key = (o: Obj) => `${o.kind}/${o.metadata.namespace ?? ""}/${o.metadata.name}`;
  const base = all.map(key).sort();

  it("deploy/ is the base, as is", () => {
    expect(kustomize(join(root, "deploy")).objects.map(key).sort()).toEqual(base);
  });

  it("with-crds: the base plus exactly the CRDs of crds/, for clusters without Argo Events", () => {
    const overlay = kustomize(join(root, "deploy/overlays/with-crds")).objects;
    const crds = kustomize(join(root, "crds")).objects;
    expect(overlay.map(key).sort()).toEqual([...base, ...crds.map(key)].sort());
    expect(overlay.filter((o) => o.kind === "CustomResourceDefinition").map((o) => o.metadata.name).sort()).toEqual(
      ["eventbus.argoproj.io", "eventsources.argoproj.io", "sensors.argoproj.io"],
    );
  });

  it("monitoring: the base plus one ServiceMonitor", () => {
    const overlay = kustomize(join(root, "deploy/overlays/monitoring")).objects;
    expect(overlay.map(key).sort()).toEqual([...base, `ServiceMonitor/${ns}/trigger-gateway`].sort());
  });
});

describe("deploy/overlays/monitoring/servicemonitor.yaml (opt-in)", () => {
  const monitors = docs(join(root, "deploy/overlays/monitoring/servicemonitor.yaml"));

  it("is not in the default kustomization", () => {
    expect(all.some((o) => o.kind === "ServiceMonitor")).toBe(false);
  });

  it("scrapes /metrics on the admin port of the gateway's Service", () => {
    expect(monitors).toHaveLength(1);
    const m = monitors[0];
    expect(m.apiVersion).toBe("monitoring.coreos.com/v1");
    expect(m.kind).toBe("ServiceMonitor");
    expect(m.metadata.namespace, "it names the base's namespace").toBe(ns);
    const spec = m.spec as { selector: { matchLabels: Record<string, string> }; endpoints: { port: string; path?: string }[] };
    const services = all.filter((o) => o.kind === "Service" && matches(spec.selector.matchLabels, o.metadata.labels ?? {}));
    expect(services.map((s) => s.metadata.name)).toEqual(["trigger-gateway"]);
    const ports = (services[0].spec as { ports: { name: string; targetPort?: string | number }[] }).ports;
    for (const e of spec.endpoints) {
      expect(ports.find((p) => p.name === e.port)?.targetPort, `endpoint ${e.port}`).toBe("admin");
      expect(e.path ?? "/metrics").toBe("/metrics");
    }
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
    expect(crds.map((o) => o.kind)).toEqual(crds.map(() => "CustomResourceDefinition"));
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

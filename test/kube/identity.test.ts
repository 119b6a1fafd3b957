// Per-Sensor identity: with the shipped RBAC (deploy/base/rbac.yaml) on an API server that
// enforces authentication, impersonation and RBAC, each Sensor's triggers act as its
// own service account, a binding's Workflow is created as its poster, and the
// gateway itself creates nothing. team-a cannot create in team-b.
import { readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { serveCommand } from "../../src/gateway/serve.js";
import type { Gateway } from "../../src/gateway/gateway.js";
import { ForbiddenError } from "../../src/errors.js";
import { packageRoot } from "../../src/paths.js";
import { KubernetesWorkflowClient } from "../../src/workflows/kubernetes.js";
import { serviceAccountUser, startKubeApiServer, type KubeApiServer, type KubeObject } from "../support/kube-api/index.js";
import { waitFor } from "../support/wait.js";
import { captureLogger, V, type CapturedLogger } from "./support.js";

const RBAC = "rbac.authorization.k8s.io/v1";
const GATEWAY_NS = "trigger-gateway";

/** deploy/base/rbac.yaml as `kubectl apply -k deploy/` installs it (namespaced objects in the gateway's namespace). */
function shippedRbac(): KubeObject[] {
  const text = readFileSync(join(packageRoot(), "deploy/base/rbac.yaml"), "utf8");
  return parseAllDocuments(text)
    .map((d) => d.toJS() as KubeObject)
    .map((o) => (o.kind.startsWith("Cluster") ? o : { ...o, metadata: { ...o.metadata, namespace: GATEWAY_NS } }));
}

/** A Role that lets `account` create Workflows in `namespace`, as Argo Events' docs set up for sensors. */
function workflowCreator(namespace: string, account: string, extra: { verbs: string[]; resources: string[] }[] = []): KubeObject[] {
  return [
    {
      apiVersion: RBAC,
      kind: "Role",
      metadata: { name: `${account}-role`, namespace },
      rules: [{ apiGroups: ["argoproj.io"], resources: ["workflows"], verbs: ["create", "get"] }, ...extra.map((r) => ({ apiGroups: ["argoproj.io"], ...r }))],
    },
    {
      apiVersion: RBAC,
      kind: "RoleBinding",
      metadata: { name: `${account}-binding`, namespace },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: `${account}-role` },
      subjects: [{ kind: "ServiceAccount", name: account, namespace }],
    },
  ];
}

function inlineWorkflow(name: string, namespace: string) {
  return {
    template: {
      name,
      argoWorkflow: {
        operation: "submit",
        source: {
          resource: {
            apiVersion: V,
            kind: "Workflow",
            metadata: { generateName: `${name}-`, namespace },
            spec: { entrypoint: "main", templates: [{ name: "main", container: { image: "alpine:3" } }] },
          },
        },
      },
    },
  };
}

function webhookSource(namespace: string, port: string): KubeObject {
  return {
    apiVersion: V,
    kind: "EventSource",
    metadata: { name: "hooks", namespace },
    spec: { webhook: { build: { port, endpoint: `/${namespace}`, method: "POST" } } },
  };
}

function sensor(namespace: string, name: string, triggers: unknown[], serviceAccountName?: string): KubeObject {
  return {
    apiVersion: V,
    kind: "Sensor",
    metadata: { name, namespace },
    spec: {
      ...(serviceAccountName ? { template: { serviceAccountName } } : {}),
      dependencies: [{ name: "hook", eventSourceName: "hooks", eventName: "build" }],
      triggers,
    },
  };
}

let server: KubeApiServer;
let gateway: Gateway;
let log: CapturedLogger;
let dir: string;
let eventsUrl: string;

const creates = (namespace: string) =>
  server.requests.filter((r) => r.method === "POST" && r.path === `/apis/argoproj.io/v1alpha1/namespaces/${namespace}/workflows`);
const failed = (sensorName: string, trigger: string) =>
  log.lines.filter((l) => String(l.msg).startsWith("trigger failed") && l.sensor === sensorName && l.trigger === trigger);
const errText = (l: Record<string, unknown>) => String((l.err as { message?: string } | undefined)?.message ?? "");
const hook = async (namespace: string) => {
  const url = gateway.endpoints().find((e) => e.url.endsWith(`/${namespace}`))?.url;
  if (!url) throw new Error(`no endpoint for ${namespace}`);
  return (await fetch(url, { method: "POST", headers: { "Content-Type": "application/json" }, body: '{"ok":true}' })).status;
};

beforeAll(async () => {
  server = await startKubeApiServer({
    rbac: true,
    namespaces: ["default", GATEWAY_NS, "team-a", "team-b"],
    tokens: {
      "gateway-token": serviceAccountUser(GATEWAY_NS, "trigger-gateway"),
      "poster-token": serviceAccountUser("team-a", "poster"),
    },
  });
  for (const o of shippedRbac()) server.put(o);
  for (const o of workflowCreator("team-a", "operate-workflow-sa")) server.put(o);
  for (const o of workflowCreator("team-a", "poster", [
    { resources: ["workfloweventbindings"], verbs: ["list"] },
    { resources: ["workflowtemplates"], verbs: ["get"] },
  ])) server.put(o);
  server.put(webhookSource("team-a", "12000"));
  server.put(webhookSource("team-b", "12001"));
  server.put(sensor("team-a", "builds", [inlineWorkflow("own", "team-a"), inlineWorkflow("escape", "team-b")], "operate-workflow-sa"));
  server.put(sensor("team-b", "no-account", [inlineWorkflow("plain", "team-b")]));
  server.put({ apiVersion: V, kind: "WorkflowTemplate", metadata: { name: "build", namespace: "team-a" }, spec: { entrypoint: "main", templates: [{ name: "main", container: { image: "alpine:3" } }] } });
  server.put({
    apiVersion: V,
    kind: "WorkflowEventBinding",
    metadata: { name: "on-build", namespace: "team-a" },
    spec: { event: { selector: "payload.ok == true" }, submit: { workflowTemplateRef: { name: "build" } } },
  });

  dir = await mkdtemp(join(tmpdir(), "tg-identity-"));
  const kubeconfig = join(dir, "kubeconfig");
  await writeFile(kubeconfig, server.kubeConfig({ token: "gateway-token" }).exportConfig());
  log = captureLogger();
  ({ gateway } = await serveCommand({
    config: [],
    kube: { kubeconfig, inCluster: false },
    localStore: join(dir, "unused"),
    host: "127.0.0.1",
    ports: ["12000=0", "12001=0"],
    events: { port: 0, mode: "sync" },
    logger: log.logger,
  }));
  eventsUrl = String(log.lines.find((l) => l.msg === "events endpoint listening")?.url);
});

afterAll(async () => {
  await gateway?.close();
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

describe("per-Sensor identity (--kube)", () => {
  it("the shipped ClusterRole lets the gateway watch and report, but not create Workflows as itself", async () => {
    const asGateway = new KubernetesWorkflowClient(server.kubeConfig({ token: "gateway-token" }));
    await expect(
      asGateway.create({ apiVersion: V, kind: "Workflow", metadata: { generateName: "x-", namespace: "team-a" }, spec: {} }),
    ).rejects.toThrow(ForbiddenError);
    expect(gateway.specs().sensors.map((s) => `${s.metadata.namespace}/${s.metadata.name}`).sort()).toEqual(["team-a/builds", "team-b/no-account"]);
  });

  it("a Sensor acts as its service account: it creates in its namespace, and team-b refuses it", async () => {
    expect(await hook("team-a")).toBe(200);
    const [own] = await waitFor(() => {
      const w = server.list(V, "Workflow", "team-a").filter((x) => x.metadata.labels?.["events.argoproj.io/trigger"] === "own");
      return w.length > 0 ? w : undefined;
    }, 10_000, "team-a's Workflow");
    expect(own.metadata.labels).toMatchObject({ "events.argoproj.io/sensor": "builds" });
    expect(creates("team-a").map((r) => ({ token: r.token, user: r.user }))).toContainEqual({ token: "gateway-token", user: "system:serviceaccount:team-a:operate-workflow-sa" });

    const [escape] = await waitFor(() => {
      const f = failed("builds", "escape");
      return f.length > 0 ? f : undefined;
    }, 10_000, "the refused trigger");
    expect(errText(escape)).toContain(
      `User "system:serviceaccount:team-a:operate-workflow-sa" cannot create resource "workflows" in API group "argoproj.io" in the namespace "team-b"`,
    );
    expect(escape.msg).toBe("trigger failed"); // a 403 is final: no retry
    expect(server.list(V, "Workflow", "team-b")).toEqual([]);
  });

  it("a Sensor without serviceAccountName acts as its namespace's default account", async () => {
    expect(await hook("team-b")).toBe(200);
    const [refused] = await waitFor(() => {
      const f = failed("no-account", "plain");
      return f.length > 0 ? f : undefined;
    }, 10_000, "the refused trigger");
    expect(errText(refused)).toContain(`User "system:serviceaccount:team-b:default" cannot create resource "workflows"`);
    expect(creates("team-b").map((r) => r.user)).toContain("system:serviceaccount:team-b:default");
    expect(server.list(V, "Workflow", "team-b")).toEqual([]);
  });

  it("a WorkflowEventBinding's Workflow is created as the poster's service account", async () => {
    const post = (namespace: string) =>
      fetch(`${eventsUrl}${namespace}/build`, {
        method: "POST",
        headers: { Authorization: "Bearer poster-token", "Content-Type": "application/json" },
        body: '{"ok":true}',
      });
    expect((await post("team-a")).status).toBe(200);
    const [wf] = await waitFor(() => {
      const w = server.list(V, "Workflow", "team-a").filter((x) => x.metadata.labels?.["workflows.argoproj.io/workflow-event-binding"] === "on-build");
      return w.length > 0 ? w : undefined;
    }, 10_000, "the binding's Workflow");
    expect(wf.spec).toMatchObject({ workflowTemplateRef: { name: "build" } });
    expect(creates("team-a").map((r) => r.user)).toContain("system:serviceaccount:team-a:poster");
    // The poster has no rights in team-b: refused before anything is published.
    expect((await post("team-b")).status).toBe(403);
  });
});

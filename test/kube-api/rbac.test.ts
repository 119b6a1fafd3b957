// The test server's RBAC mode: authentication, impersonation and RBAC as the real
// API server applies them, through the real client.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuthorizationV1Api, CustomObjectsApi, type KubeConfig } from "@kubernetes/client-node";
import { apiFailure, serviceAccountUser, startKubeApiServer, type KubeApiServer, type KubeObject } from "../support/kube-api/index.js";
import { impersonating } from "../../src/config/kube/kubeconfig.js";

const RBAC = "rbac.authorization.k8s.io/v1";
const wf = (namespace: string): KubeObject => ({
  apiVersion: "argoproj.io/v1alpha1",
  kind: "Workflow",
  metadata: { generateName: "w-", namespace },
  spec: { entrypoint: "main" },
});
const group = "argoproj.io";
const version = "v1alpha1";
const plural = "workflows";

let server: KubeApiServer;
const create = (kc: KubeConfig, namespace: string) =>
  kc.makeApiClient(CustomObjectsApi).createNamespacedCustomObject({ group, version, plural, namespace, body: wf(namespace) });

beforeAll(async () => {
  server = await startKubeApiServer({
    rbac: true,
    namespaces: ["default", "team-a", "team-b"],
    tokens: { gw: serviceAccountUser("gw", "gateway"), alice: { username: "alice", groups: ["devs"] } },
  });
  server.put({ apiVersion: RBAC, kind: "ClusterRole", metadata: { name: "impersonator" }, rules: [{ apiGroups: [""], resources: ["serviceaccounts"], verbs: ["impersonate"] }] });
  server.put({
    apiVersion: RBAC,
    kind: "ClusterRoleBinding",
    metadata: { name: "impersonator" },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "impersonator" },
    subjects: [{ kind: "ServiceAccount", name: "gateway", namespace: "gw" }],
  });
  server.put({
    apiVersion: RBAC,
    kind: "ClusterRole",
    metadata: { name: "workflow-creator" },
    rules: [{ apiGroups: ["argoproj.io"], resources: ["workflows"], verbs: ["create", "get"] }],
  });
  // team-a's sensor account may create there (a RoleBinding to a ClusterRole grants in its namespace only).
  server.put({
    apiVersion: RBAC,
    kind: "RoleBinding",
    metadata: { name: "sensor", namespace: "team-a" },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "workflow-creator" },
    subjects: [{ kind: "ServiceAccount", name: "sensor", namespace: "team-a" }],
  });
  // The devs group may read one named Workflow in team-b.
  server.put({
    apiVersion: RBAC,
    kind: "Role",
    metadata: { name: "read-one", namespace: "team-b" },
    rules: [{ apiGroups: ["argoproj.io"], resources: ["workflows"], verbs: ["get"], resourceNames: ["w-known"] }],
  });
  server.put({
    apiVersion: RBAC,
    kind: "RoleBinding",
    metadata: { name: "read-one", namespace: "team-b" },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "read-one" },
    subjects: [{ kind: "Group", name: "devs" }],
  });
});
afterAll(() => server.close());

describe("kube-api RBAC mode", () => {
  it("answers 401 Unauthorized without a known bearer token", async () => {
    expect((await apiFailure(create(server.kubeConfig({ token: "stolen" }), "team-a"))).code).toBe(401);
    // The generated client drops a 401's body; the server still sends the Status.
    const res = await fetch(`${server.url}/apis/argoproj.io/v1alpha1/namespaces/team-a/workflows`);
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ kind: "Status", reason: "Unauthorized", message: "Unauthorized", code: 401 });
  });

  it("forbids what no rule grants, with the API server's message", async () => {
    const f = await apiFailure(create(server.kubeConfig({ token: "gw" }), "team-a"));
    expect(f.code).toBe(403);
    expect(f.body).toMatchObject({
      reason: "Forbidden",
      message: `workflows.argoproj.io is forbidden: User "system:serviceaccount:gw:gateway" cannot create resource "workflows" in API group "argoproj.io" in the namespace "team-a"`,
      details: { group: "argoproj.io", kind: "workflows" },
    });
    expect(server.list("argoproj.io/v1alpha1", "Workflow", "team-a")).toEqual([]);
  });

  it("acts as an impersonated service account, whose RoleBinding holds in its own namespace only", async () => {
    const asSensor = impersonating(server.kubeConfig({ token: "gw" }), "system:serviceaccount:team-a:sensor");
    const made = (await create(asSensor, "team-a")) as KubeObject;
    expect(made.metadata.namespace).toBe("team-a");
    expect(server.requests.at(-1)).toMatchObject({ method: "POST", token: "gw", user: "system:serviceaccount:team-a:sensor" });
    const f = await apiFailure(create(asSensor, "team-b"));
    expect(f.code).toBe(403);
    expect(String((f.body as { message: string }).message)).toContain(`User "system:serviceaccount:team-a:sensor" cannot create resource "workflows" in API group "argoproj.io" in the namespace "team-b"`);
    expect(server.list("argoproj.io/v1alpha1", "Workflow", "team-b")).toEqual([]);
  });

  it("checks the impersonate verb: a user without it cannot act as anyone", async () => {
    const f = await apiFailure(create(impersonating(server.kubeConfig({ token: "alice" }), "system:serviceaccount:team-a:sensor"), "team-a"));
    expect(f.code).toBe(403);
    expect((f.body as { message: string }).message).toBe(
      `serviceaccounts "sensor" is forbidden: User "alice" cannot impersonate resource "serviceaccounts" in API group "" in the namespace "team-a"`,
    );
  });

  it("grants through groups and honours resourceNames", async () => {
    const api = server.kubeConfig({ token: "alice" }).makeApiClient(CustomObjectsApi);
    server.put({ apiVersion: "argoproj.io/v1alpha1", kind: "Workflow", metadata: { name: "w-known", namespace: "team-b" }, spec: {} });
    server.put({ apiVersion: "argoproj.io/v1alpha1", kind: "Workflow", metadata: { name: "w-other", namespace: "team-b" }, spec: {} });
    const got = (await api.getNamespacedCustomObject({ group, version, plural, namespace: "team-b", name: "w-known" })) as KubeObject;
    expect(got.metadata.name).toBe("w-known");
    expect((await apiFailure(api.getNamespacedCustomObject({ group, version, plural, namespace: "team-b", name: "w-other" }))).code).toBe(403);
    // A rule that names objects cannot cover a list.
    expect((await apiFailure(api.listNamespacedCustomObject({ group, version, plural, namespace: "team-b" }))).code).toBe(403);
  });

  it("answers SubjectAccessReviews from the same rules", async () => {
    const api = server.kubeConfig({ token: "gw" }).makeApiClient(AuthorizationV1Api);
    // The gateway may not create reviews until a rule says so.
    expect((await apiFailure(api.createSubjectAccessReview({ body: { spec: { user: "x", resourceAttributes: { verb: "get" } } } }))).code).toBe(403);
    server.put({
      apiVersion: RBAC,
      kind: "ClusterRole",
      metadata: { name: "reviewer" },
      rules: [{ apiGroups: ["authorization.k8s.io"], resources: ["subjectaccessreviews"], verbs: ["create"] }],
    });
    server.put({
      apiVersion: RBAC,
      kind: "ClusterRoleBinding",
      metadata: { name: "reviewer" },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "reviewer" },
      subjects: [{ kind: "ServiceAccount", name: "gateway", namespace: "gw" }],
    });
    const review = (namespace: string) =>
      api.createSubjectAccessReview({
        body: {
          spec: {
            user: "system:serviceaccount:team-a:sensor",
            groups: ["system:serviceaccounts"],
            resourceAttributes: { group: "argoproj.io", resource: "workflows", verb: "create", namespace },
          },
        },
      });
    expect((await review("team-a")).status?.allowed).toBe(true);
    expect((await review("team-b")).status?.allowed).toBe(false);
  });
});

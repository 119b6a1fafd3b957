// The Kubernetes backends against the in-repo API server, and the full path
// signed GitHub push -> endpoint -> bus -> Workflow in "the cluster".
import { createHmac } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MemoryEventBus } from "../../src/eventbus/memory.js";
import { ForbiddenError } from "../../src/errors.js";
import { startBindings, type Bindings } from "../../src/binding/index.js";
import { KubeAuthenticator, KubeAuthorizer, KubeEventRecorder, KubeWebhookClientSource } from "../../src/binding/kubernetes.js";
import { binding, submitting, template } from "../support/binding-fixtures.js";
import { silentLogger } from "../../src/logger.js";
import { KubernetesWorkflowClient } from "../../src/workflows/kubernetes.js";
import { serviceAccountUser, startKubeApiServer, type KubeApiServer, type SubjectAccessReviewSpec } from "../support/kube-api/index.js";
import { waitFor } from "../support/wait.js";

const SECRET = "gh-s3cret";
const b64 = (s: string) => Buffer.from(s).toString("base64");

// RBAC of the `github` ServiceAccount in `argo`: the role Argo documents for webhooks.
function authorize(spec: SubjectAccessReviewSpec): boolean {
  const a = spec.resourceAttributes;
  if (spec.user !== "system:serviceaccount:argo:github" || !a) return false;
  if (a.namespace === "argo" && a.verb === "list" && a.resource === "workfloweventbindings") return true;
  if (a.namespace === "argo" && a.verb === "create" && a.resource === "workflows") return true;
  return a.namespace === "argo" && a.verb === "get" && a.resource === "workflowtemplates" && a.name === "ci-build";
}

let server: KubeApiServer;
beforeAll(async () => {
  server = await startKubeApiServer({
    namespaces: ["default", "argo"],
    tokens: { "sa-token": serviceAccountUser("argo", "github"), "other-token": serviceAccountUser("other", "x") },
    authorize,
  });
  server.put({
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: "argo-workflows-webhook-clients", namespace: "argo" },
    data: { github: b64(`type: github\nsecret: ${SECRET}\n`), broken: b64("type: svn\nsecret: x\n") },
  });
});
afterAll(() => server.close());

describe("Kubernetes auth backends", () => {
  it("TokenReview: a ServiceAccount token is its identity, anything else none", async () => {
    const authn = new KubeAuthenticator(server.kubeConfig());
    expect(await authn.authenticate("sa-token")).toEqual({
      username: "system:serviceaccount:argo:github",
      groups: ["system:serviceaccounts", "system:serviceaccounts:argo", "system:authenticated"],
    });
    expect(await authn.authenticate("nope")).toBeUndefined();
  });

  it("SubjectAccessReview: allowed, and denied with a clear message", async () => {
    const authz = new KubeAuthorizer(server.kubeConfig());
    const github = { username: "system:serviceaccount:argo:github" };
    await expect(authz.authorizeEvent(github, "argo")).resolves.toBeUndefined();
    await expect(authz.authorizeTemplate(github, "argo", { name: "ci-build", clusterScope: false })).resolves.toBeUndefined();
    await expect(authz.authorizeEvent(github, "prod")).rejects.toThrow(ForbiddenError);
    await expect(authz.authorizeTemplate(github, "argo", { name: "shared", clusterScope: true })).rejects.toThrow(
      /cannot get clusterworkflowtemplates "shared"/,
    );
  });

  it("webhook clients come from the namespace's Secret, cached; a missing Secret is no clients", async () => {
    let now = 0;
    const source = new KubeWebhookClientSource(server.kubeConfig(), 1000, () => now);
    const list = await source.clients("argo");
    expect(list.clients).toEqual([{ serviceAccount: "github", type: "github", secret: SECRET }]);
    expect(list.invalid).toEqual([{ serviceAccount: "broken", error: expect.stringMatching(/unknown webhook client type "svn"/) }]);
    const reads = () => server.requests.filter((r) => r.path.endsWith("/secrets/argo-workflows-webhook-clients")).length;
    const before = reads();
    await source.clients("argo");
    expect(reads()).toBe(before);
    now = 2000;
    await source.clients("argo");
    expect(reads()).toBe(before + 1);
    expect(await source.clients("default")).toEqual({ clients: [], invalid: [] });
  });

  it("records a Warning Event on the binding", async () => {
    const b = binding("on-push", { event: { selector: "true" } });
    b.metadata.uid = "uid-1";
    await new KubeEventRecorder(server.kubeConfig()).warning(b, "WorkflowEventBindingError", "failed to dispatch event: x");
    const [ev] = server.list("v1", "Event", "argo");
    expect(ev).toMatchObject({
      metadata: { name: expect.stringMatching(/^on-push\.[0-9a-f]+$/), namespace: "argo" },
      involvedObject: { kind: "WorkflowEventBinding", name: "on-push", namespace: "argo", uid: "uid-1" },
      reason: "WorkflowEventBindingError",
      type: "Warning",
      message: "failed to dispatch event: x",
    });
  });
});

describe("full path in --kube mode", () => {
  let bindings: Bindings;
  beforeAll(async () => {
    const kc = server.kubeConfig();
    bindings = await startBindings({
      specs: {
        bindings: [
          submitting("github-push", 'metadata["x-github-event"] == ["push"]', "ci-build", { repo: "payload.repository.full_name" }),
          submitting("cluster", 'metadata["x-github-event"] == ["push"]', "shared", {}, { clusterScope: true }),
        ],
        workflowTemplates: [template("ci-build")],
      },
      bus: new MemoryEventBus(),
      workflows: new KubernetesWorkflowClient(kc),
      logger: silentLogger(),
      port: 0,
      host: "127.0.0.1",
      authenticator: new KubeAuthenticator(kc),
      authorizer: new KubeAuthorizer(kc),
      webhookClients: new KubeWebhookClientSource(kc),
      recorder: new KubeEventRecorder(kc),
    });
  });
  afterAll(() => bindings.close());

  const post = (body: string, headers: Record<string, string>) =>
    fetch(`${bindings.url}/api/v1/events/argo/`, { method: "POST", headers, body });

  it("signed GitHub push -> Workflow in the API; the binding without RBAC gets a Warning Event", async () => {
    const body = JSON.stringify({ ref: "refs/heads/main", repository: { full_name: "acme/api" } });
    const res = await post(body, {
      "X-GitHub-Event": "push",
      "X-Hub-Signature-256": `sha256=${createHmac("sha256", SECRET).update(body).digest("hex")}`,
    });
    expect(res.status).toBe(200);
    const [wf] = await waitFor(() => {
      const l = server.list("argoproj.io/v1alpha1", "Workflow", "argo");
      return l.length > 0 ? l : undefined;
    });
    expect(wf).toMatchObject({
      metadata: {
        generateName: "ci-build-",
        labels: {
          "workflows.argoproj.io/workflow-template": "ci-build",
          "workflows.argoproj.io/workflow-event-binding": "github-push",
          "workflows.argoproj.io/creator": "system-serviceaccount-argo-github",
        },
      },
      spec: { workflowTemplateRef: { name: "ci-build" }, arguments: { parameters: [{ name: "repo", value: "acme/api" }] } },
    });
    const warning = await waitFor(() =>
      server.list("v1", "Event", "argo").find((e) => (e as { involvedObject?: { name?: string } }).involvedObject?.name === "cluster"),
    );
    expect(warning).toMatchObject({ reason: "WorkflowEventBindingError", message: expect.stringMatching(/cannot get clusterworkflowtemplates/) });
  });

  it.each([
    ["a token of a ServiceAccount without RBAC here", { Authorization: "Bearer other-token" }, 403],
    ["an unknown token", { Authorization: "Bearer bad" }, 401],
    ["a wrong signature", { "X-GitHub-Event": "push", "X-Hub-Signature-256": `sha256=${"0".repeat(64)}` }, 403],
  ])("%s is refused", async (_n, headers, status) => {
    const res = await post("{}", headers);
    expect(res.status).toBe(status);
  });
});

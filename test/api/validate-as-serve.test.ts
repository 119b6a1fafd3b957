// What serve refuses at start, or fails at every event, validate reports at load
// (issue #18's review: each of these passed validate, then serve refused it, never got
// ready, or failed every delivery).
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { validateCommand } from "../../src/commands/validate.js";
import { jetStreamOptionsFromSpec } from "../../src/eventbus/index.js";
import { MapSecretStore } from "../../src/config/index.js";
import type { EventBus } from "../../src/api/index.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "tg-validate-serve-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function validate(...docs: string[]): Promise<{ code: number; lines: string[] }> {
  const file = join(dir, `${Math.random().toString(36).slice(2)}.yaml`);
  await writeFile(file, docs.join("---\n"));
  const lines: string[] = [];
  const code = await validateCommand([file], (l) => lines.push(l.replaceAll(file, "f.yaml")));
  return { code, lines };
}

const eventSource = (entry: string, name = "es") => `apiVersion: argoproj.io/v1alpha1
kind: EventSource
metadata: {name: ${name}, namespace: argo-events}
spec:
  webhook:
${entry}`;

const sensorWith = (eventSourceName: string, eventName: string) => `apiVersion: argoproj.io/v1alpha1
kind: Sensor
metadata: {name: s, namespace: argo-events}
spec:
  dependencies: [{name: d, eventSourceName: "${eventSourceName}", eventName: "${eventName}"}]
  triggers: [{template: {name: t, log: {}}}]
`;

const bus = (name: string, spec = "jetstream: {version: latest}") => `apiVersion: argoproj.io/v1alpha1
kind: EventBus
metadata: {name: ${name}, namespace: argo-events}
spec: {${spec}}
`;

const TEMPLATE = `apiVersion: argoproj.io/v1alpha1
kind: WorkflowTemplate
metadata: {name: wt, namespace: argo}
spec:
  entrypoint: main
  arguments: {parameters: [{name: need}]}
  templates: [{name: main, container: {image: alpine}}]
`;

const binding = (spec: string) => `apiVersion: argoproj.io/v1alpha1
kind: WorkflowEventBinding
metadata: {name: b, namespace: argo}
spec:
${spec}`;

describe("validate refuses what serve refuses", () => {
  it("an EventSource filter expression that does not compile", async () => {
    const r = await validate(eventSource(`    push:\n      endpoint: /push\n      port: "12000"\n      filter: {expression: "body.a ==="}\n`));
    expect(r.code).toBe(1);
    expect(r.lines[0]).toMatch(/^f\.yaml:9:\d+ EventSource\/es spec\.webhook\.push\.filter\.expression: expr "body\.a ===": /);
  });

  it.each([
    ["a space", "push it"],
    ["a wildcard", "push*"],
    ["a full wildcard", ">"],
  ])("an event name with %s (never a NATS subject token)", async (_what, name) => {
    const r = await validate(eventSource(`    "${name}":\n      endpoint: /push\n      port: "12000"\n`));
    expect(r.code).toBe(1);
    expect(r.lines[0]).toContain(`event name ${JSON.stringify(name)} cannot be part of a bus subject`);
  });

  it("a dependency naming such an event, and an EventSource name the API server would refuse", async () => {
    const r = await validate(sensorWith("my es", "push"), eventSource(`    push:\n      endpoint: /push\n      port: "12000"\n`, "My_ES"));
    expect(r.code).toBe(1);
    expect(r.lines.join("\n")).toMatch(/Sensor\/s spec\.dependencies\[0\]\.eventSourceName: "my es" cannot be part of a bus subject/);
    expect(r.lines.join("\n")).toMatch(/EventSource\/My_ES metadata\.name: "My_ES" is not a Kubernetes object name/);
  });

  it("two EventBus specs, none named default", async () => {
    const r = await validate(bus("a"), bus("b"));
    expect(r.code).toBe(1);
    expect(r.lines[0]).toMatch(/EventBus\/b metadata\.name: 2 EventBus specs and none is named "default"/);
    expect((await validate(bus("a"), bus("default"))).code).toBe(0);
  });

  it("a jetstreamExotic url that names no server, in validate and when serve reads the bus", async () => {
    const r = await validate(bus("default", `jetstreamExotic: {url: "nats://[::1"}`));
    expect(r.code).toBe(1);
    expect(r.lines[0]).toMatch(/spec\.jetstreamExotic\.url: "nats:\/\/\[::1" is not a NATS server URL/);
    const spec = { apiVersion: "argoproj.io/v1alpha1", kind: "EventBus", metadata: { name: "default" }, spec: { jetstreamExotic: { url: "http://x:4222" } } } as EventBus;
    await expect(jetStreamOptionsFromSpec(spec, new MapSecretStore({}), {})).rejects.toThrow(/spec\.jetstreamExotic\.url: "http:\/\/x:4222": scheme http is not one of nats, tls, ws, wss/);
    expect((await validate(bus("default", `jetstreamExotic: {url: "nats://a:4222, b:4222"}`))).code).toBe(0);
  });

  it.each([
    ["a maxAge that is no duration", "maxAge: abc", /spec\.jetstream\.streamConfig: maxAge: expected a duration like "72h", got "abc"/],
    ["a negative maxAge", "maxAge: -1h", /spec\.jetstream\.streamConfig: maxAge: must not be negative, got "-1h"/],
    ["a work-queue retention", "retention: 2", /spec\.jetstream\.streamConfig: retention: 2 \(WorkQueue\) cannot hold the gateway's consumers/],
    ["a list instead of a mapping", "[maxAge]", /spec\.jetstream\.streamConfig: streamConfig must be a YAML mapping/],
    ["zero replicas", "replicas: 0", /spec\.jetstream\.streamConfig: replicas: must be at least 1, got 0/],
  ])("an EventBus streamConfig with %s, as serve reads it when it makes the stream", async (_what, config, message) => {
    const r = await validate(bus("default", `jetstream: {version: latest, streamConfig: "${config}"}`));
    expect(r.code).toBe(1);
    expect(r.lines[0]).toMatch(message);
    const spec = { apiVersion: "argoproj.io/v1alpha1", kind: "EventBus", metadata: { name: "default" }, spec: { jetstream: { version: "latest", streamConfig: config } } } as EventBus;
    await expect(jetStreamOptionsFromSpec(spec, new MapSecretStore({}), {})).rejects.toThrow(message);
  });

  it.each([
    ["an empty name", `{name: "", key: token}`, /secret reference "" is not a Secret name/],
    ["a key with a slash", `{name: tok, key: "../x"}`, /secret reference "\.\.\/x" is not a Secret key/],
  ])("a Secret reference with %s, even without --secrets-dir", async (_what, ref, message) => {
    const r = await validate(eventSource(`    push:\n      endpoint: /push\n      port: "12000"\n      authSecret: ${ref}\n`));
    expect(r.code).toBe(1);
    expect(r.lines[0]).toMatch(/EventSource\/es spec\.webhook\.push\.authSecret: /);
    expect(r.lines[0]).toMatch(message);
  });
});

describe("validate refuses a managed hook no provider would accept", () => {
  const managed = (type: string, entry: string) => `apiVersion: argoproj.io/v1alpha1
kind: EventSource
metadata: {name: hooks, namespace: argo-events}
spec:
  ${type}:
    e:
      webhook: {endpoint: /e, port: "12000", url: "https://hooks.example.com"}
${entry}`;

  it.each([
    [
      "a Bitbucket Server checkInterval that is no duration",
      managed("bitbucketserver", `      bitbucketserverBaseURL: https://bbs.example.com/rest\n      accessToken: {name: bbs, key: token}\n      projectKey: PRJ\n      repositorySlug: repo\n      checkInterval: banana\n`),
      /spec\.bitbucketserver\.e\.checkInterval: must be a positive Go duration like "1m", got "banana" \(a managed hook/,
    ],
    [
      "a GitLab event with no hook option",
      managed("gitlab", `      gitlabBaseURL: https://gitlab.example.com\n      accessToken: {name: gl, key: token}\n      projects: ["1"]\n      events: [PushEvent]\n`),
      /spec\.gitlab\.e\.events\[0\]: "PushEvent" is no GitLab hook option Argo Events sets \(did you mean "PushEvents"\?\)/,
    ],
    [
      "a GitHub App ID of 0",
      managed("github", `      githubApp: {appID: 0, installationID: 7, privateKey: {name: app, key: pem}}\n      repositories: [{owner: octo, names: [r]}]\n      events: [push]\n`),
      /spec\.github\.e\.githubApp\.appID: must be a positive integer/,
    ],
    [
      "a GitHub owner with its repository",
      managed("github", `      apiToken: {name: gh, key: token}\n      repositories: [{owner: octo/r, names: [r]}]\n      events: [push]\n`),
      /spec\.github\.e\.repositories\[0\]\.owner: must be a user or organization name without "\/"/,
    ],
  ])("%s", async (_what, text, message) => {
    const r = await validate(text);
    expect(r.code).toBe(1);
    expect(r.lines.filter((l) => !l.startsWith("warning:"))).toHaveLength(1);
    expect(r.lines[0]).toMatch(message);
  });

  it("the same entries without credentials manage no hook and pass", async () => {
    const r = await validate(managed("gitlab", `      projects: ["1"]\n      events: [PushEvents]\n`));
    expect(r.code).toBe(0);
  });
});

describe("validate warns of what serve takes and fails at every event", () => {
  const submitting = (metadata: string, params = "") => `apiVersion: argoproj.io/v1alpha1
kind: Sensor
metadata: {name: s, namespace: argo-events}
spec:
  dependencies: [{name: d, eventSourceName: e, eventName: x}]
  triggers:
    - template:
        name: t
        argoWorkflow:
          operation: submit
${params}          source:
            resource:
              apiVersion: argoproj.io/v1alpha1
              kind: Workflow
              metadata: ${metadata}
              spec: {entrypoint: main, templates: [{name: main, container: {image: alpine}}]}
`;

  it.each([
    ["a generateName with capitals", "{generateName: Build-}", /metadata\.generateName "Build-" makes names that are not lowercase RFC 1123 subdomains: every firing fails/],
    ["a name with an underscore", "{name: my_wf}", /metadata\.name "my_wf" is not a lowercase RFC 1123 subdomain/],
    ["a namespace with capitals", "{generateName: b-, namespace: Team_A}", /metadata\.namespace "Team_A" is not a lowercase RFC 1123 label/],
    ["no name at all", "{labels: {a: b}}", /neither metadata\.name nor metadata\.generateName, and no parameter sets one/],
  ])("a created resource with %s", async (_what, metadata, message) => {
    const r = await validate(submitting(metadata));
    expect(r.code).toBe(0);
    expect(r.lines[0]).toMatch(/^warning: f\.yaml:\d+:\d+ Sensor\/s spec\.triggers\[0\]\.template\.argoWorkflow\.source: /);
    expect(r.lines[0]).toMatch(message);
  });

  it("a name a parameter sets at firing is not judged by its placeholder", async () => {
    const params = "          parameters:\n            - src: {dependencyName: d, dataKey: body.name}\n              dest: metadata.name\n";
    expect((await validate(submitting("{name: PLACEHOLDER}", params))).lines).toEqual(["1 spec(s) valid"]);
  });

  it("a parameter dest sjson cannot set", async () => {
    const params = "          parameters:\n            - src: {dependencyName: d, dataKey: body.a}\n              dest: spec.arguments.parameters.#.value\n";
    const r = await validate(submitting("{generateName: b-}", params));
    expect(r.lines[0]).toMatch(/spec\.triggers\[0\]\.template\.argoWorkflow\.parameters\[0\]\.dest: "spec\.arguments\.parameters\.#\.value": sjson cannot set a path with/);
  });

  it("an eventBusName other than the bus serve takes", async () => {
    const r = await validate(bus("default"), sensorWith("es", "push").replace("spec:\n", "spec:\n  eventBusName: team-bus\n"));
    expect(r.code).toBe(0);
    expect(r.lines[0]).toMatch(/^warning: .*Sensor\/s spec\.eventBusName: the gateway serves one bus \("default"\), and this Sensor is served on it/);
    expect((await validate(bus("default"), sensorWith("es", "push").replace("spec:\n", "spec:\n  eventBusName: default\n"))).lines).toEqual(["2 spec(s) valid"]);
  });

  it("a receiver on the admin or events port serve holds by default", async () => {
    const r = await validate(eventSource(`    push:\n      endpoint: /push\n      port: "7777"\n`));
    expect(r.code).toBe(0);
    expect(r.lines[0]).toMatch(/^warning: f\.yaml:8:\d+ EventSource\/es spec\.webhook\.push\.port: port 7777 is the admin port \(--admin-port, default 7777\)/);
  });

  it("a binding selector that does not compile", async () => {
    const r = await validate(binding(`  event: {selector: "payload.x =="}\n`));
    expect(r.code).toBe(0);
    expect(r.lines[0]).toMatch(/^warning: f\.yaml:5:\d+ WorkflowEventBinding\/b spec\.event\.selector: failed to compile selector: .*every event this binding meets fails/);
  });

  it("a binding parameter expression that does not compile names its field", async () => {
    const r = await validate(
      binding(`  event: {selector: "true"}\n  submit:\n    workflowTemplateRef: {name: wt}\n    arguments: {parameters: [{name: need, valueFrom: {event: "payload.("}}]}\n`),
      TEMPLATE,
    );
    expect(r.lines.join("\n")).toMatch(/warning: .*spec\.submit\.arguments\.parameters\[0\]\.valueFrom\.event: failed to compile parameter "need" expression/);
  });

  it("a binding's template: checked when given, a warning when not among the inputs", async () => {
    const missing = await validate(binding(`  event: {selector: "true"}\n  submit:\n    workflowTemplateRef: {name: nope}\n`), TEMPLATE);
    expect(missing.code).toBe(0);
    expect(missing.lines[0]).toMatch(/^warning: .*spec\.submit\.workflowTemplateRef\.name: WorkflowTemplate argo\/nope is not among the specs given/);
    const unsupplied = await validate(binding(`  event: {selector: "true"}\n  submit:\n    workflowTemplateRef: {name: wt}\n`), TEMPLATE);
    expect(unsupplied.code).toBe(1);
    expect(unsupplied.lines[0]).toMatch(/spec\.submit\.workflowTemplateRef\.name: does not match WorkflowTemplate argo\/wt: parameter "need" is required/);
  });
});

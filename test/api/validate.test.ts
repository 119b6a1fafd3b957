import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { loadSpecsFromText } from "../../src/api/load.js";
import { loadAndValidate, validateSpecs } from "../../src/api/validate.js";

function errorsOf(text: string, file = "f.yaml"): string[] {
  const { specs, errors } = loadSpecsFromText(text, file);
  expect(errors.map((e) => e.message)).toEqual([]);
  return validateSpecs(specs).map((e) => e.message);
}

// Lines 1-9; the first dependency is `dep-a` at line 7.
const HEAD = `apiVersion: argoproj.io/v1alpha1
kind: Sensor
metadata:
  name: s
spec:
  dependencies:
    - name: dep-a
      eventSourceName: webhook
      eventName: example
`;

/** A sensor with one trigger; `body` is the template body after `name: t` (line 12 on). */
function withTrigger(body: string, extraDeps = ""): string {
  return `${HEAD}${extraDeps}  triggers:\n    - template:\n        name: t\n${body}`;
}

const WORKFLOW_SOURCE = `          source:
            resource:
              apiVersion: argoproj.io/v1alpha1
              kind: Workflow
              metadata: {generateName: x-}
`;

describe("Sensor semantic checks", () => {
  test.each<[string, string, string[]]>([
    [
      "duplicate dependency names",
      withTrigger("        log: {}\n", "    - name: dep-a\n      eventSourceName: webhook\n      eventName: other\n"),
      ['f.yaml:10:7 Sensor/s spec.dependencies[1].name: duplicate dependency name "dep-a" (first at index 0)'],
    ],
    [
      "conditions syntax error",
      withTrigger("        conditions: dep-a && (dep-a\n        log: {}\n"),
      ['f.yaml:13:9 Sensor/s spec.triggers[0].template.conditions: syntax error: conditions "dep-a && (dep-a": expected ), got "end of input"'],
    ],
    [
      "parameter naming a missing dependency",
      withTrigger(
        `        argoWorkflow:\n${WORKFLOW_SOURCE}          parameters:\n            - src: {dependencyName: nope, dataKey: body}\n              dest: metadata.name\n`,
      ),
      ['f.yaml:20:21 Sensor/s spec.triggers[0].template.argoWorkflow.parameters[0].src.dependencyName: no dependency named "nope"'],
    ],
    [
      "empty dest",
      withTrigger(`        log: {}\n      parameters:\n        - src: {dependencyName: dep-a}\n          dest: ""\n`),
      ["f.yaml:16:11 Sensor/s spec.triggers[0].parameters[0].dest: must not be empty"],
    ],
    [
      "unknown argoWorkflow operation",
      withTrigger(`        argoWorkflow:\n          operation: launch\n${WORKFLOW_SOURCE}`),
      [
        'f.yaml:14:11 Sensor/s spec.triggers[0].template.argoWorkflow.operation: invalid argoWorkflow operation "launch"; must be one of "submit", "submit-from", "resubmit", "retry", "resume", "suspend", "terminate", "stop"',
      ],
    ],
    ["argoWorkflow resubmit", withTrigger(`        argoWorkflow:\n          operation: resubmit\n${WORKFLOW_SOURCE}`), []],
    ["k8s patch", withTrigger(`        k8s:\n          operation: patch\n${WORKFLOW_SOURCE}`), []],
    [
      "k8s apply patch strategy",
      withTrigger(`        k8s:\n          operation: patch\n          patchStrategy: application/apply-patch+yaml\n${WORKFLOW_SOURCE}`),
      ['f.yaml:15:11 Sensor/s spec.triggers[0].template.k8s.patchStrategy: not supported: k8s patch strategy "application/apply-patch+yaml"'],
    ],
    [
      "no trigger source",
      withTrigger("        argoWorkflow:\n          source: {}\n"),
      ['f.yaml:14:11 Sensor/s spec.triggers[0].template.argoWorkflow.source: must set one of "resource", "inline", "file", "url", "configmap", "git", "s3"'],
    ],
    ["url trigger source", withTrigger("        argoWorkflow:\n          source:\n            url: {path: https://example.com/wf.yaml}\n"), []],
    [
      "git trigger source",
      withTrigger("        argoWorkflow:\n          source:\n            git: {url: https://example.com/r.git, cloneDirectory: /tmp/r, filePath: wf.yaml}\n"),
      ['f.yaml:15:13 Sensor/s spec.triggers[0].template.argoWorkflow.source.git: not supported: trigger source "git"'],
    ],
    ["http trigger", withTrigger("        http:\n          url: https://example.com\n"), []],
    [
      "http trigger url that is not http(s)",
      withTrigger("        http:\n          url: ftp://example.com\n"),
      ['f.yaml:14:11 Sensor/s spec.triggers[0].template.http.url: must be an http(s) URL, got "ftp://example.com"'],
    ],
    [
      "slack trigger",
      withTrigger("        slack:\n          channel: general\n"),
      ['f.yaml:13:9 Sensor/s spec.triggers[0].template.slack: not supported: trigger type "slack"'],
    ],
    [
      "no trigger type",
      withTrigger("        conditions: dep-a\n"),
      ["f.yaml:11:7 Sensor/s spec.triggers[0].template: must set a trigger type (argoWorkflow, k8s, log, ...)"],
    ],
    [
      "dataTemplate parameter",
      withTrigger(`        log: {}\n      parameters:\n        - src: {dependencyName: dep-a, dataTemplate: "{{ .Input.body.x }}"}\n          dest: x\n`),
      [],
    ],
    [
      "dlqTrigger is checked like a trigger",
      withTrigger(`        log: {}\n      dlqTrigger:\n        template:\n          name: dlq\n          slack: {channel: general}\n`),
      ['f.yaml:17:11 Sensor/s spec.triggers[0].dlqTrigger.template.slack: not supported: trigger type "slack"'],
    ],
    // A misspelt field is a warning, not an error (Argo ignores it): see unknown-fields.test.ts.
    ["misspelt field", withTrigger("        log: {}\n      paramters: []\n"), []],
    [
      "number where a string is expected",
      withTrigger("        log: {intervalSeconds: 10}\n        conditions: 5\n"),
      ["f.yaml:14:9 Sensor/s spec.triggers[0].template.conditions: must be string"],
    ],
  ])("%s", (_name, text, expected) => {
    expect(errorsOf(text)).toEqual(expected);
  });

  test.each<[string, string, string[]]>([
    // validate.go validateEventDataFilter only requires a type: filterData errors on an
    // unknown one per event (pkg/sensors/dependencies/filter.go), so it loads.
    ["unknown type", "          - {path: body.n, type: int, value: ['1']}\n", []],
    ["empty type", "          - {path: body.n, type: '', value: ['1']}\n", ["f.yaml:12:28 Sensor/s spec.dependencies[0].filters.data[0].type: must not be empty"]],
    ["empty value", "          - {path: body.n, type: number, value: ['1', '']}\n", ["f.yaml:12:55 Sensor/s spec.dependencies[0].filters.data[0].value[1]: must not be empty"]],
    // A value that does not parse as the type is met per event (filterData), not at load.
    ["unparsable number", "          - {path: body.n, type: number, value: ['1', one]}\n", []],
    ["ordering comparator on a string", "          - {path: body.n, type: string, value: [a], comparator: '>'}\n", []],
    ["comparator", "          - {path: body.n, type: number, value: ['1'], comparator: '=='}\n", ['f.yaml:12:56 Sensor/s spec.dependencies[0].filters.data[0].comparator: invalid comparator "=="; must be one of "=", "!=", "<", "<=", ">", ">="']],
    ["empty path", "          - {path: '', type: string, value: [a]}\n", ["f.yaml:12:14 Sensor/s spec.dependencies[0].filters.data[0].path: must not be empty"]],
    ["template", "          - {path: body.a, type: string, value: [a], template: '{{ .Input }}'}\n", []],
  ])("data filter %s", (_name, entry, expected) => {
    const text = withTrigger("        log: {}\n").replace("      eventName: example\n", `      eventName: example\n      filters:\n        data:\n${entry}`);
    expect(errorsOf(text)).toEqual(expected);
  });

  test("transform and time filter", () => {
    const text = withTrigger("        log: {}\n").replace(
      "      eventName: example\n",
      "      eventName: example\n      transform: {jq: .body}\n      filters:\n        time: {start: '25:00:00', stop: '18:00:00'}\n",
    );
    expect(errorsOf(text)).toEqual([
      "f.yaml:10:7 Sensor/s spec.dependencies[0].transform: not supported: transform",
      'f.yaml:12:16 Sensor/s spec.dependencies[0].filters.time.start: must be a time of day HH:MM:SS, got "25:00:00"',
    ]);
  });

  test("every sample feature in one valid sensor gives no error", () => {
    const text = withTrigger(
      `        conditions: "dep-a || !(dep_b.x && dep-a)"\n        argoWorkflow:\n          operation: submit\n${WORKFLOW_SOURCE}`,
      "    - name: dep_b.x\n      eventSourceName: webhook\n      eventName: other\n",
    );
    expect(errorsOf(text)).toEqual([]);
  });
});

describe("EventSource checks", () => {
  const es = (name: string, body: string): string =>
    `apiVersion: argoproj.io/v1alpha1\nkind: EventSource\nmetadata:\n  name: ${name}\nspec:\n${body}`;

  test("endpoint, port and unsupported types", () => {
    const text = es(
      "e",
      `  webhook:
    a:
      endpoint: push
      port: "http"
      method: POST
  bitbucket:
    b:
      webhook: {endpoint: /bb, port: "12000"}
      auth: {}
      events: [repo:push]
`,
    );
    expect(errorsOf(text)).toEqual([
      'f.yaml:8:7 EventSource/e spec.webhook.a.endpoint: must start with "/", got "push"',
      'f.yaml:9:7 EventSource/e spec.webhook.a.port: must be a port number 1-65535 as a string, got "http"',
    ]);
  });

  test("github needs a webhook to listen on", () => {
    const text = es("e", "  github:\n    repo:\n      events: [push]\n");
    expect(errorsOf(text)).toEqual(["f.yaml:7:5 EventSource/e spec.github.repo.webhook: required field is missing"]);
  });

  test("github events are required, as in the official schema", () => {
    const text = es("e", "  github:\n    other:\n      webhook: {endpoint: /x, port: '1'}\n");
    expect(errorsOf(text)).toEqual(["f.yaml:7:5 EventSource/e spec.github.other.events: required field is missing"]);
  });

  test("two EventSources claiming the same port and endpoint", () => {
    const a = es("a", '  webhook:\n    one: {endpoint: /hook, port: "12000", method: POST}\n');
    const b = es("b", '  github:\n    two:\n      events: ["*"]\n      webhook: {endpoint: /hook, port: "12000"}\n');
    const specs = [...loadSpecsFromText(a, "a.yaml").specs, ...loadSpecsFromText(b, "b.yaml").specs];
    expect(validateSpecs(specs).map((e) => e.message)).toEqual([
      "b.yaml:9:17 EventSource/b spec.github.two.webhook.endpoint: port 12000 endpoint /hook is already used by EventSource/a at a.yaml:7:11 (spec.webhook.one)",
    ]);
  });

  test("same port with different endpoints is fine", () => {
    const a = es("a", '  webhook:\n    one: {endpoint: /a, port: "12000"}\n    two: {endpoint: /b, port: "12000"}\n');
    expect(errorsOf(a)).toEqual([]);
  });
});

describe("other kinds", () => {
  test.each<[string, string, string[]]>([
    [
      "EventBus kafka",
      "apiVersion: argoproj.io/v1alpha1\nkind: EventBus\nmetadata: {name: default}\nspec:\n  kafka: {url: kafka:9092}\n",
      ["f.yaml:5:3 EventBus/default spec.kafka: not supported: kafka event bus (use jetstream)"],
    ],
    [
      "WorkflowEventBinding without selector",
      "apiVersion: argoproj.io/v1alpha1\nkind: WorkflowEventBinding\nmetadata: {name: b}\nspec:\n  event: {}\n  submit: {workflowTemplateRef: {name: t}}\n",
      ["f.yaml:5:3 WorkflowEventBinding/b spec.event.selector: required field is missing"],
    ],
    [
      "WorkflowTemplate value outside its enum",
      "apiVersion: argoproj.io/v1alpha1\nkind: WorkflowTemplate\nmetadata: {name: t}\nspec:\n  arguments:\n    parameters:\n      - {name: env, value: prod, enum: [dev, staging]}\n",
      ['f.yaml:7:21 WorkflowTemplate/t spec.arguments.parameters[0].value: "prod" is not in enum [dev, staging]'],
    ],
    [
      "missing metadata.name",
      "apiVersion: argoproj.io/v1alpha1\nkind: WorkflowTemplate\nmetadata:\n  generateName: t-\nspec: {}\n",
      ["f.yaml:3:1 WorkflowTemplate/<no name> metadata.name: required field is missing"],
    ],
  ])("%s", (_name, text, expected) => {
    expect(errorsOf(text)).toEqual(expected);
  });
});

describe("loadAndValidate", () => {
  let dir = "";
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "tg-validate-"));
    await mkdir(join(dir, "sub"));
    const sensor = withTrigger("        log: {}\n");
    await writeFile(join(dir, "b.yaml"), sensor.replace("name: t\n", "name: t\n        conditions: nope\n"));
    await writeFile(join(dir, "a.yaml"), `${sensor}---\n${sensor.replace("name: s", "name: s2")}`);
    await writeFile(join(dir, "sub", "c.yml"), sensor); // same name as a.yaml's first sensor
    await writeFile(join(dir, "notes.txt"), "not a spec");
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test("errors sorted by file and line; invalid documents left out", async () => {
    const { specs, errors } = await loadAndValidate([dir]);
    expect(errors.map((e) => e.message)).toEqual([
      `${join(dir, "b.yaml")}:13:9 Sensor/s spec.triggers[0].template.conditions: no dependency named "nope"`,
      `${join(dir, "sub", "c.yml")}:4:3 Sensor/s metadata.name: duplicate Sensor name; first defined as Sensor/s at ${join(dir, "a.yaml")}:4:3`,
    ]);
    expect(specs.map((s) => `${s.file}#${s.spec.metadata.name}`)).toEqual([`${join(dir, "a.yaml")}#s`, `${join(dir, "a.yaml")}#s2`]);
  });

  test("a missing path is an error, not a crash", async () => {
    const { specs, errors } = await loadAndValidate([join(dir, "missing")]);
    expect(specs).toEqual([]);
    expect(errors[0].message).toContain("ENOENT");
  });
});

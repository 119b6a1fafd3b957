// validate's checks across documents and against the providers' event lists: what would
// fail every firing is an error when the referenced spec is given, a warning when not.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { validateCommand } from "../../src/commands/validate.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "tg-refs-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const TEMPLATE = `apiVersion: argoproj.io/v1alpha1
kind: WorkflowTemplate
metadata: {name: ci, namespace: argo}
spec:
  entrypoint: main
  arguments: {parameters: [{name: repo}, {name: branch, value: main}]}
  templates: [{name: main, container: {image: "alpine:3"}}]
`;

const sensor = (params: string) => `apiVersion: argoproj.io/v1alpha1
kind: Sensor
metadata: {name: s, namespace: argo-events}
spec:
  dependencies: [{name: d, eventSourceName: github, eventName: push}]
  triggers:
    - template:
        name: ci
        argoWorkflow:
          operation: submit
          source:
            resource:
              apiVersion: argoproj.io/v1alpha1
              kind: Workflow
              metadata: {generateName: ci-, namespace: argo}
              spec:
                workflowTemplateRef: {name: ci}
                arguments: {parameters: ${params}}
`;

async function run(files: Record<string, string>): Promise<{ code: number; lines: string[] }> {
  const sub = await mkdtemp(join(dir, "case-"));
  for (const [name, text] of Object.entries(files)) await writeFile(join(sub, name), text);
  const lines: string[] = [];
  const code = await validateCommand([sub], (l) => lines.push(l.replaceAll(`${sub}/`, "")));
  return { code, lines };
}

describe("references across specs", () => {
  it("a parameter the template does not declare is an error when the template is given", async () => {
    const r = await run({ "t.yaml": TEMPLATE, "s.yaml": sensor("[{name: repo, value: x}, {name: revison, value: y}]") });
    expect(r.code).toBe(1);
    expect(r.lines).toEqual([
      expect.stringMatching(/^s\.yaml:17:\d+ Sensor\/s spec\.triggers\[0\]\.template\.argoWorkflow\.source\.resource\.spec\.workflowTemplateRef\.name: does not match WorkflowTemplate argo\/ci: parameter "revison" is not declared \(declared: repo, branch\)$/),
    ]);
  });

  it("a required parameter left out is an error; supplied by a trigger parameter it is not", async () => {
    expect((await run({ "t.yaml": TEMPLATE, "s.yaml": sensor("[]") })).lines[0]).toMatch(/parameter "repo" is required/);
    const withParam = sensor("[{name: repo}]").replace(
      "          source:",
      "          parameters:\n            - src: {dependencyName: d, dataKey: body.repository.full_name}\n              dest: spec.arguments.parameters.0.value\n          source:",
    );
    expect(await run({ "t.yaml": TEMPLATE, "s.yaml": withParam })).toEqual({ code: 0, lines: ["2 spec(s) valid"] });
  });

  it("argo submit's -p in args supplies a parameter as serve applies it, and an undeclared one is an error", async () => {
    const withArgs = (args: string) => sensor("[]").replace("          source:", `          args: ${args}\n          source:`);
    expect(await run({ "t.yaml": TEMPLATE, "s.yaml": withArgs(`["-p", "repo=org/app"]`) })).toEqual({ code: 0, lines: ["2 spec(s) valid"] });
    const undeclared = await run({ "t.yaml": TEMPLATE, "s.yaml": withArgs(`["-p", "repo=org/app", "--parameter", "brnch=main"]`) });
    expect(undeclared.code).toBe(1);
    expect(undeclared.lines[0]).toMatch(/parameter "brnch" is not declared \(declared: repo, branch\)$/);
  });

  it("an enum value a trigger parameter overwrites at firing is not held against the placeholder", async () => {
    const withEnum = TEMPLATE.replace("{name: branch, value: main}", "{name: branch, value: main, enum: [main, dev]}");
    const overwritten = sensor("[{name: repo, value: x}, {name: branch, value: placeholder}]").replace(
      "          source:",
      "          parameters:\n            - src: {dependencyName: d, dataKey: body.ref}\n              dest: spec.arguments.parameters.1.value\n          source:",
    );
    expect(await run({ "t.yaml": withEnum, "s.yaml": overwritten })).toEqual({ code: 0, lines: ["2 spec(s) valid"] });
    const fixed = await run({ "t.yaml": withEnum, "s.yaml": sensor("[{name: repo, value: x}, {name: branch, value: placeholder}]") });
    expect(fixed.lines[0]).toMatch(/parameter "branch" value "placeholder" is not one of main, dev$/);
  });

  it("a template not among the inputs is a warning, so a Sensor can be checked alone", async () => {
    const r = await run({ "s.yaml": sensor("[{name: repo, value: x}]") });
    expect(r.code).toBe(0);
    expect(r.lines[0]).toMatch(/^warning: s\.yaml:17:\d+ .*WorkflowTemplate argo\/ci is not among the specs given: not checked/);
  });
});

describe("dependencies against the EventSources given", () => {
  const es = (namespace: string) => `apiVersion: argoproj.io/v1alpha1
kind: EventSource
metadata: {name: wh, namespace: ${namespace}}
spec:
  webhook:
    example: {endpoint: /example, port: "12000", method: POST}
`;
  const dependent = (eventSourceName: string, eventName: string) => `apiVersion: argoproj.io/v1alpha1
kind: Sensor
metadata: {name: s, namespace: team-a}
spec:
  dependencies: [{name: d, eventSourceName: ${eventSourceName}, eventName: ${eventName}}]
  triggers: [{template: {name: t, log: {}}}]
`;

  it("an event the EventSource does not define never arrives: a warning with what it has", async () => {
    const r = await run({ "es.yaml": es("team-a"), "s.yaml": dependent("wh", "exampel") });
    expect(r.code).toBe(0);
    expect(r.lines[0]).toMatch(/^warning: s\.yaml:5:\d+ Sensor\/s spec\.dependencies\[0\]\.eventName: EventSource team-a\/wh has no event "exampel" \(it has example\): this dependency never gets an event \(did you mean "example"\?\)$/);
  });

  it("an EventSource given only in another namespace is named as such", async () => {
    const r = await run({ "es.yaml": es("team-b"), "s.yaml": dependent("wh", "example") });
    expect(r.lines[0]).toMatch(/eventSourceName: no EventSource team-a\/wh among the specs given: .*\(given in team-b: a Sensor gets events of its own namespace only\)$/);
  });

  it("a matching dependency, or no EventSource among the inputs at all, says nothing", async () => {
    expect((await run({ "es.yaml": es("team-a"), "s.yaml": dependent("wh", "example") })).lines).toEqual(["2 spec(s) valid"]);
    expect((await run({ "s.yaml": dependent("wh", "example") })).lines).toEqual(["1 spec(s) valid"]);
  });
});

describe("provider event names", () => {
  it("warns about a GitHub or GitLab event name the provider never sends, with a hint", async () => {
    const es = `apiVersion: argoproj.io/v1alpha1
kind: EventSource
metadata: {name: git, namespace: argo-events}
spec:
  github:
    push:
      repositories: [{owner: o, names: [r]}]
      webhook: {endpoint: /push, port: "12000", method: POST}
      events: [PushEvent, pull_request]
  gitlab:
    mr:
      projects: ["1"]
      webhook: {endpoint: /mr, port: "12000", method: POST}
      events: [MergeRequestEvents, PushEvents]
`;
    const r = await run({ "es.yaml": es });
    expect(r.code).toBe(0);
    expect(r.lines).toEqual([
      expect.stringMatching(/^warning: es\.yaml:9:\d+ EventSource\/git spec\.github\.push\.events\[0\]: GitHub sends no event "PushEvent": deliveries of it never arrive \(did you mean "push"\?\)$/),
      expect.stringMatching(/^warning: es\.yaml:14:\d+ EventSource\/git spec\.gitlab\.mr\.events\[0\]: GitLab sends no event "MergeRequestEvents": .*\(did you mean "MergeRequestsEvents"\?\)$/),
      "1 spec(s) valid, 2 warning(s)",
    ]);
  });

  it("warns about a Bitbucket or Bitbucket Server event key the provider never sends", async () => {
    const es = `apiVersion: argoproj.io/v1alpha1
kind: EventSource
metadata: {name: bb, namespace: argo-events}
spec:
  bitbucket:
    cloud:
      webhook: {endpoint: /cloud, port: "12000", method: POST}
      auth: {oauthToken: {name: bb, key: token}}
      events: [repo:push, pullrequest:merged]
  bitbucketserver:
    dc:
      webhook: {endpoint: /dc, port: "12000", method: POST}
      bitbucketserverBaseURL: https://bitbucket.example.com/rest
      events: [pr:opened, repo:push]
`;
    const r = await run({ "es.yaml": es });
    expect(r.code).toBe(0);
    expect(r.lines).toEqual([
      expect.stringMatching(/^warning: es\.yaml:9:\d+ EventSource\/bb spec\.bitbucket\.cloud\.events\[1\]: Bitbucket sends no event "pullrequest:merged": deliveries of it never arrive/),
      expect.stringMatching(/^warning: es\.yaml:14:\d+ EventSource\/bb spec\.bitbucketserver\.dc\.events\[1\]: Bitbucket Server sends no event "repo:push": deliveries of it never arrive/),
      "1 spec(s) valid, 2 warning(s)",
    ]);
  });
});

describe("secrets against --secrets-dir", () => {
  it("a referenced Secret missing from the directory is an error at the selector; present, the specs pass", async () => {
    const { mkdir } = await import("node:fs/promises");
    const { packageRoot } = await import("../../src/paths.js");
    const quick = join(packageRoot(), "fixtures/quickstart");
    const empty = await mkdtemp(join(dir, "secrets-"));
    const lines: string[] = [];
    expect(await validateCommand([quick], (l) => lines.push(l), { secretsDir: empty })).toBe(1);
    expect(lines).toEqual([
      expect.stringMatching(/eventsource\.yaml:\d+:\d+ EventSource\/github spec\.github\.push\.webhookSecret: secret github-webhook\/secret is not in --secrets-dir /),
    ]);
    await mkdir(join(empty, "github-webhook"));
    await writeFile(join(empty, "github-webhook", "secret"), "s");
    const ok: string[] = [];
    expect(await validateCommand([quick], (l) => ok.push(l), { secretsDir: empty })).toBe(0);
    expect(await validateCommand([quick], () => undefined, { secretsDir: join(packageRoot(), "fixtures/quickstart/secrets") })).toBe(0);
  });
});

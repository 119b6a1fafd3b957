// test-sensor fed a provider's payload straight from its documentation: --provider builds
// the event as that receiver does; a bare payload without it gets a hint.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testSensorCommand } from "../../src/commands/test-sensor.js";
import { packageRoot } from "../../src/paths.js";

const quickstart = join(packageRoot(), "fixtures/quickstart/sensor.yaml");
const githubPush = join(packageRoot(), "fixtures/github/push.json");
const gitlabPush = join(packageRoot(), "fixtures/gitlab/push.json");

let dir: string;
let gitlabSensor: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "tg-test-sensor-"));
  gitlabSensor = join(dir, "gitlab.yaml");
  await writeFile(
    gitlabSensor,
    `apiVersion: argoproj.io/v1alpha1
kind: Sensor
metadata: {name: gl, namespace: argo-events}
spec:
  dependencies:
    - name: push
      eventSourceName: gitlab
      eventName: push
      filters:
        data:
          - {path: headers.X-Gitlab-Event, type: string, value: [Push Hook]}
          - {path: body.object_kind, type: string, value: [push]}
  triggers:
    - template: {name: log, log: {}}
      parameters:
        - src: {dependencyName: push, dataKey: body.project.path_with_namespace}
          dest: log.project
`,
  );
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe("test-sensor --provider", () => {
  it("github: the quickstart Sensor fires for the documented push payload", async () => {
    const r = await testSensorCommand(quickstart, [githubPush], { provider: "github", headers: ["X-GitHub-Event=push"] });
    expect(r.triggers).toEqual([expect.objectContaining({ name: "ci", fired: true })]);
    expect(r.hints).toBeUndefined();
  });

  it("gitlab: headers given as Name: Value, the event built as the receiver builds it", async () => {
    const r = await testSensorCommand(gitlabSensor, [gitlabPush], { provider: "gitlab", headers: ["X-Gitlab-Event: Push Hook"] });
    expect(r.triggers).toEqual([expect.objectContaining({ name: "log", fired: true })]);
  });

  it("a bare payload without --provider: the paths do not exist, and a hint says why", async () => {
    const r = await testSensorCommand(gitlabSensor, [gitlabPush]);
    expect(r.triggers[0]).toMatchObject({ fired: false });
    expect(r.hints?.[0]).toMatch(/looks like a raw provider payload; pass --provider/);
  });

  it("the event header is required, and --header needs --provider", async () => {
    await expect(testSensorCommand(quickstart, [githubPush], { provider: "github" })).rejects.toThrow("--provider github needs --header X-GitHub-Event=<event>");
    await expect(testSensorCommand(quickstart, [githubPush], { headers: ["X-GitHub-Event=push"] })).rejects.toThrow("--header needs --provider");
  });
});

describe("headersFrom", () => {
  it("keys headers as the receivers do, repeats in order, a __proto__ header kept as data", async () => {
    const { headersFrom } = await import("../../src/eventsource/index.js");
    const h = headersFrom([["x-a", "1"], ["X-A", "2"], ["__proto__", "p"]]);
    expect(h["X-A"]).toEqual(["1", "2"]);
    expect(Object.getOwnPropertyDescriptor(h, "__proto__")?.value).toEqual(["p"]);
    expect(Object.getPrototypeOf(h)).toBe(Object.prototype);
  });
});

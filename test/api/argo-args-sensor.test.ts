// argoWorkflow `args` through the whole load and a dry run (test-sensor), and refused
// at load where the gateway cannot do what the argo CLI would.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testSensorCommand } from "../../src/commands/test-sensor.js";
import { validateCommand } from "../../src/commands/validate.js";

const sensor = (operation: string, args: string[]) => `apiVersion: argoproj.io/v1alpha1
kind: Sensor
metadata: {name: s, namespace: argo-events}
spec:
  dependencies:
    - {name: d, eventSourceName: webhook, eventName: example}
  triggers:
    - template:
        name: wf
        argoWorkflow:
          operation: ${operation}
          args: ${JSON.stringify(args)}
          source:
            resource:
              apiVersion: argoproj.io/v1alpha1
              kind: Workflow
              metadata: {generateName: special-, namespace: argo}
              spec:
                entrypoint: print
                arguments: {parameters: [{name: message, value: default}]}
                templates: [{name: print, container: {image: "busybox:1"}}]
`;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "tg-argo-args-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function write(name: string, text: string): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, text);
  return file;
}

describe("argoWorkflow args", () => {
  it("submit: the flags shape the Workflow the dry run would create", async () => {
    const file = await write("submit.yaml", sensor("submit", ["-p", "message=from args", "--serviceaccount", "runner", "-l", "source=sensor", "--node-field-selector", "phase=abc"]));
    const event = await write("event.json", JSON.stringify({ body: {} }));
    const lines: string[] = [];
    expect(await validateCommand([file], (l) => lines.push(l))).toBe(0);
    const [t] = (await testSensorCommand(file, [`d=${event}`])).triggers;
    expect(t).toMatchObject({ fired: true });
    const wf = (t as { resource: { metadata: { labels: Record<string, string> }; spec: Record<string, unknown> } }).resource;
    expect(wf.spec).toMatchObject({ serviceAccountName: "runner", arguments: { parameters: [{ name: "message", value: "from args" }] } });
    expect(wf.metadata.labels).toMatchObject({ source: "sensor" });
  });

  it("a flag the gateway cannot honour is a load error naming it", async () => {
    const file = await write("file.yaml", sensor("submit", ["--parameter-file", "/etc/params.yaml"]));
    const lines: string[] = [];
    expect(await validateCommand([file], (l) => lines.push(l))).toBe(1);
    expect(lines[0]).toMatch(/spec\.triggers\[0\]\.template\.argoWorkflow\.args: .*not supported: argo flag --parameter-file/);
  });

  it("flags with an operation that takes none are refused at load; retry and resubmit take theirs", async () => {
    const file = await write("stop.yaml", sensor("stop", ["--message", "m"]));
    const lines: string[] = [];
    expect(await validateCommand([file], (l) => lines.push(l))).toBe(1);
    expect(lines[0]).toMatch(/argoWorkflow\.args: .*argo CLI flags with operation stop/);
    const retry = await write("retry.yaml", sensor("retry", ["--restart-successful", "--node-field-selector", "templateName=build", "-p", "message=again"]));
    expect(await validateCommand([retry], () => undefined)).toBe(0);
    const memo = await write("memo.yaml", sensor("resubmit", ["--memoized"]));
    const memoLines: string[] = [];
    expect(await validateCommand([memo], (l) => memoLines.push(l))).toBe(1);
    expect(memoLines[0]).toMatch(/not supported: argo flag --memoized/);
  });
});

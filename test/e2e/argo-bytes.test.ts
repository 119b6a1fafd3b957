// Object-valued parameters and string filters on objects see the text Argo's sensor
// sees: the bytes its EventSource marshalled. A webhook body is a json.RawMessage (the
// sender's own text, compacted, HTML-escaped: key order, number spelling and escapes
// kept); a GitHub body is unmarshalled into a Go map and marshalled again (sorted keys
// at every level). Checked through the built CLI on the in-process bus and on JetStream,
// where the sensor reads the event back from the stream's bytes.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { send } from "../../src/commands/send.js";
import { LocalWorkflowStore } from "../../src/index.js";
import { packageRoot } from "../../src/paths.js";
import { startGatewayProcess, type GatewayProcess } from "../support/gateway-process.js";
import { startNatsServer, type NatsServer } from "../support/nats-server.js";
import { waitFor } from "../support/wait.js";

const root = packageRoot();

const SPECS = `
apiVersion: argoproj.io/v1alpha1
kind: EventSource
metadata: {name: hooks, namespace: argo-events}
spec:
  webhook:
    raw: {endpoint: /raw, port: "12000", method: POST}
---
apiVersion: argoproj.io/v1alpha1
kind: EventSource
metadata: {name: github, namespace: argo-events}
spec:
  github:
    push:
      webhook: {endpoint: /push, port: "12000", method: POST}
      events: [push]
      webhookSecret: {name: github-webhook, key: secret}
      contentType: json
---
apiVersion: argoproj.io/v1alpha1
kind: Sensor
metadata: {name: bytes, namespace: argo-events}
spec:
  dependencies:
    - name: raw
      eventSourceName: hooks
      eventName: raw
      filters:
        data:
          # gjson's String() of an object is its raw text: the sender's key order.
          - path: body.obj
            type: string
            value: ['^\\{"b":1,"10":"x","a":1\\.50,']
    - name: push
      eventSourceName: github
      eventName: push
  triggers:
    - template:
        name: raw
        conditions: raw
        argoWorkflow:
          operation: submit
          source:
            resource: &wf
              apiVersion: argoproj.io/v1alpha1
              kind: Workflow
              metadata: {generateName: bytes-, namespace: argo}
              spec:
                entrypoint: main
                templates: [{name: main, container: {image: alpine:3.20}}]
                arguments:
                  parameters: [{name: obj, value: none}, {name: big, value: none}, {name: list, value: none}]
          parameters:
            - {src: {dependencyName: raw, dataKey: body.obj}, dest: spec.arguments.parameters.0.value}
            - {src: {dependencyName: raw, dataKey: body.big}, dest: spec.arguments.parameters.1.value}
            - {src: {dependencyName: raw, dataKey: "body.items.#.o"}, dest: spec.arguments.parameters.2.value}
    - template:
        name: push
        conditions: push
        argoWorkflow:
          operation: submit
          source:
            resource: *wf
          parameters:
            - {src: {dependencyName: push, dataKey: body.repository.owner}, dest: spec.arguments.parameters.0.value}
            - {src: {dependencyName: push, dataKey: body.head_commit.author}, dest: spec.arguments.parameters.1.value}
`;

// Whitespace, integer-like keys (JavaScript would list "10" first), 1.50 and 1e2 as
// written, an integer past 2^53, an escaped slash and characters Go escapes for HTML.
const RAW_BODY = `{ "obj": {"b":1, "10":"x", "a":1.50, "e":1e2, "s":"a\\/b<c>&"},
  "big": 12345678901234567890,
  "items": [ {"o": {"z": 1, "y": [1, 2]}}, {"o": {"2": true, "1": null}} ] }`;

/** encoding/json's Marshal of a Go map: sorted keys at every level, HTML escapes (an oracle of our own). */
function goSorted(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(goSorted).join(",")}]`;
  if (typeof v === "object" && v !== null) {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o).sort().map((k) => `${goSorted(k)}:${goSorted(o[k])}`).join(",")}}`;
  }
  return JSON.stringify(v).replace(/[<>&]/g, (c) => `\\u00${c.charCodeAt(0).toString(16)}`);
}

type Params = Record<string, string | undefined>;

async function workflows(store: string): Promise<Params[]> {
  const list = await new LocalWorkflowStore(store).list("argoproj.io/v1alpha1", "Workflow", "argo");
  return list.map((wf) => {
    const ps = (wf as unknown as { spec: { arguments: { parameters: { name: string; value?: string }[] } } }).spec.arguments.parameters;
    return Object.fromEntries(ps.map((p) => [p.name, p.value]));
  });
}

describe.each(["memory", "jetstream"] as const)("Argo's bytes of an event's data (%s bus)", (bus) => {
  let nats: NatsServer | undefined;
  let gw: GatewayProcess;
  let dir: string;
  let store: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "tg-argo-bytes-"));
    store = join(dir, "store");
    await writeFile(join(dir, "specs.yaml"), SPECS);
    if (bus === "jetstream") nats = await startNatsServer();
    gw = await startGatewayProcess([
      "--config", join(dir, "specs.yaml"),
      "--secrets-dir", join(root, "fixtures/quickstart/secrets"),
      "--local-store", store,
      "--host", "127.0.0.1",
      "--port", "12000=0",
      ...(nats ? ["--nats-url", nats.url] : []),
    ]);
  });

  afterAll(async () => {
    await gw?.stop();
    await nats?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("a webhook body's objects are the sender's text, compacted and HTML-escaped, in the sender's key order", async () => {
    const res = await fetch(gw.urls.get("hooks/raw")!, { method: "POST", headers: { "Content-Type": "application/json" }, body: RAW_BODY });
    expect(res.status).toBe(200);
    const [wf] = await waitFor(async () => {
      const all = (await workflows(store)).filter((p) => p.list !== "none" && p.obj?.startsWith('{"b"'));
      return all.length > 0 ? all : undefined;
    }, 15_000, "the raw trigger's Workflow");
    expect(wf).toEqual({
      obj: '{"b":1,"10":"x","a":1.50,"e":1e2,"s":"a\\/b\\u003cc\\u003e\\u0026"}',
      big: "12345678901234567890",
      list: '[{"z":1,"y":[1,2]},{"2":true,"1":null}]',
    });
  });

  it("a GitHub body's objects have Go's sorted keys, as Argo re-marshals it", async () => {
    const secret = (await readFile(join(root, "fixtures/quickstart/secrets/github-webhook/secret"), "utf8")).trim();
    const body = await readFile(join(root, "fixtures/github/push.json"));
    const res = await send({ url: gw.urls.get("github/push")!, provider: "github", event: "push", secret, body });
    expect(res.status).toBe(200);
    const payload = JSON.parse(body.toString("utf8")) as { repository: { owner: unknown }; head_commit: { author: unknown } };
    const owner = goSorted(payload.repository.owner);
    const [wf] = await waitFor(async () => {
      const all = (await workflows(store)).filter((p) => p.obj === owner);
      return all.length > 0 ? all : undefined;
    }, 15_000, "the push trigger's Workflow");
    expect(wf?.big).toBe(goSorted(payload.head_commit.author));
    // Not the fixture's own order: the test would pass for the wrong reason otherwise.
    expect(owner).not.toBe(JSON.stringify(payload.repository.owner));
  });
});

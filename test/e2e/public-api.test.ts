// The package's public entry as a user gets it: the built dist/src/index.js (`npm test`
// builds first), typed from src/index.ts. A gateway run in-process from it turns a signed
// GitHub push into a Workflow in a local store, and the entry exports exactly the names below.
import { spawnSync } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import ts from "typescript";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Sensor } from "../../src/index.js";
import { packageRoot } from "../../src/paths.js";
import { waitFor } from "../support/wait.js";

type Api = typeof import("../../src/index.js");

const root = packageRoot();
const ENTRY = join(root, "dist/src/index.js");
const QUICKSTART = join(root, "fixtures/quickstart");
const SECRETS = join(QUICKSTART, "secrets");

/** The entry's values (what `Object.keys(await import("trigger-gateway"))` lists). */
const VALUES = [
  "AlreadyExistsError",
  "ApiUnavailableError",
  "BadRequestError",
  "BusUnavailableError",
  "BusyError",
  "ConflictError",
  "DEFAULT_LOCAL_STORE_DIR",
  "DirSecretStore",
  "ExpressionError",
  "ForbiddenError",
  "GatewayError",
  "InvalidError",
  "LocalWorkflowStore",
  "MapSecretStore",
  "MemoryEventBus",
  "MethodNotAllowedError",
  "NotFoundError",
  "NotSupportedError",
  "PayloadTooLargeError",
  "SecretNotFoundError",
  "SpecError",
  "SpecWarning",
  "SubmissionInvalidError",
  "TriggerError",
  "UnauthorizedError",
  "compileSensor",
  "connectJetStream",
  "createLogger",
  "dryRun",
  "groupSpecs",
  "loadAndValidate",
  "loadSpecs",
  "loadSpecsFromText",
  "offlineEventData",
  "providerHeaders",
  "send",
  "serveCommand",
  "silentLogger",
  "startGateway",
  "validateSpecs",
];

/** The entry's type-only exports (in its .d.ts, absent at run time). */
const TYPES = [
  "ApplyFailure",
  "ApplyResult",
  "BusMessage",
  "CloudEvent",
  "CompiledSensor",
  "DryRunEvent",
  "DryRunResult",
  "DryRunTrigger",
  "EventBus",
  "EventBusSpec",
  "EventContext",
  "EventSource",
  "EventSourceSpec",
  "Gateway",
  "GatewayOptions",
  "GatewayRole",
  "JetStreamEventBus",
  "JetStreamOptions",
  "KubeObject",
  "ListOptions",
  "LoadResult",
  "LoadedSpec",
  "LocalWorkflowStoreOptions",
  "Logger",
  "LoggerOptions",
  "MessageHandler",
  "ObjectMeta",
  "PatchStrategy",
  "SecretKeySelector",
  "SecretStore",
  "SendOptions",
  "Sensor",
  "SensorEvent",
  "SensorSpec",
  "ServeOptions",
  "SourceType",
  "Spec",
  "SpecSet",
  "SpecSource",
  "SubscribeOptions",
  "Subscription",
  "WorkflowClient",
  "WorkflowEventBinding",
  "WorkflowTemplate",
];

interface Wf {
  metadata: { name?: string; generateName?: string; namespace?: string; labels?: Record<string, string> };
  spec: { workflowTemplateRef?: { name: string }; arguments: { parameters: { name: string; value?: string }[] } };
}

const params = (wf: Wf) => Object.fromEntries(wf.spec.arguments.parameters.map((p) => [p.name, p.value]));

let api: Api;
let push: Buffer;
let secret: string;
const dirs: string[] = [];

beforeAll(async () => {
  api = (await import(pathToFileURL(ENTRY).href)) as Api;
  push = await readFile(join(root, "fixtures/github/push.json"));
  secret = (await readFile(join(SECRETS, "github-webhook/secret"), "utf8")).trim();
});

afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), "tg-public-api-"));
  dirs.push(d);
  return d;
}

/** Posts the fixture push to the quickstart's github/push endpoint, signed as GitHub does; returns the Workflow it led to. */
async function pushAndWait(gateway: Awaited<ReturnType<Api["startGateway"]>>, store: string): Promise<Wf> {
  const endpoint = gateway.endpoints().find((e) => e.eventSource === "github" && e.eventName === "push");
  expect(endpoint).toBeDefined();
  const res = await api.send({ url: endpoint!.url, provider: "github", event: "push", secret, body: push });
  expect(res.status).toBe(200);
  const reader = new api.LocalWorkflowStore(store);
  const [wf] = await waitFor(
    async () => {
      const l = await reader.list("argoproj.io/v1alpha1", "Workflow", "argo");
      return l.length > 0 ? l : undefined;
    },
    10_000,
    "a Workflow in the local store",
  );
  return wf as unknown as Wf;
}

function expectQuickstartWorkflow(wf: Wf): void {
  const payload = JSON.parse(push.toString("utf8")) as { after: string; repository: { full_name: string }; pusher: { name: string } };
  expect(wf.metadata).toMatchObject({ generateName: "ci-", namespace: "argo", labels: { "events.argoproj.io/sensor": "github-ci" } });
  expect(wf.spec.workflowTemplateRef).toEqual({ name: "ci" });
  expect(params(wf)).toEqual({ repo: payload.repository.full_name, revision: payload.after, pusher: payload.pusher.name });
}

describe("the package entry", () => {
  it("exports exactly the documented values", () => {
    expect(Object.keys(api).sort()).toEqual([...VALUES].sort());
  });

  it("declares exactly the documented names, values and types, with no `export *`", async () => {
    const dts = join(root, "dist/src/index.d.ts");
    expect(await readFile(dts, "utf8")).not.toMatch(/export \*/);
    const program = ts.createProgram([dts], { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, noEmit: true });
    const checker = program.getTypeChecker();
    const module = checker.getSymbolAtLocation(program.getSourceFile(dts)!)!;
    const names = checker.getExportsOfModule(module).map((s) => s.getName());
    expect(names.sort()).toEqual([...VALUES, ...TYPES].sort());
  });

  it('is what `import("trigger-gateway")` resolves to (package.json "exports")', () => {
    const r = spawnSync(
      process.execPath,
      ["--input-type=module", "-e", 'const m = await import("trigger-gateway"); console.log(JSON.stringify(Object.keys(m)))'],
      { cwd: root, encoding: "utf8" },
    );
    expect(r.stderr).toBe("");
    expect((JSON.parse(r.stdout) as string[]).sort()).toEqual([...VALUES].sort());
  });

  it("its errors are the classes the loader throws", () => {
    const { specs, errors } = api.loadSpecsFromText("apiVersion: argoproj.io/v1alpha1\nkind: Sensor\nmetadata: {name: s}\nspec: {}\n", "s.yaml");
    const all = [...errors, ...api.validateSpecs(specs)];
    expect(all.length).toBeGreaterThan(0);
    for (const e of all) {
      expect(e).toBeInstanceOf(api.SpecError);
      expect(e).toBeInstanceOf(api.GatewayError);
    }
  });
});

describe("a gateway in-process on embedded defaults, from the built entry", () => {
  it("serveCommand (as `serve --config fixtures/quickstart`): a signed push creates a Workflow", async () => {
    const store = await tempDir();
    const { gateway, specs } = await api.serveCommand({
      config: [QUICKSTART],
      localStore: store,
      secretsDir: SECRETS,
      host: "127.0.0.1",
      ports: ["12000=0"],
      events: { port: 0 },
      logger: api.silentLogger(),
    });
    try {
      expect(specs.sensors.map((s) => s.metadata.name)).toEqual(["github-ci"]);
      expectQuickstartWorkflow(await pushAndWait(gateway, store));
    } finally {
      await gateway.close();
    }
  });

  it("startGateway from loaded specs, the memory bus and a local store: a signed push creates a Workflow", async () => {
    const store = await tempDir();
    const { specs, errors } = await api.loadAndValidate([QUICKSTART]);
    expect(errors).toEqual([]);
    const set = api.groupSpecs(specs.map((s) => s.spec));
    const gateway = await api.startGateway({
      specs: set,
      bus: new api.MemoryEventBus(),
      workflows: new api.LocalWorkflowStore({ dir: store, specs: set.workflowTemplates }),
      secrets: new api.DirSecretStore(SECRETS),
      logger: api.silentLogger(),
      host: "127.0.0.1",
      portOverride: () => 0,
    });
    try {
      expectQuickstartWorkflow(await pushAndWait(gateway, store));
    } finally {
      await gateway.close();
    }
  });
});

describe("offline evaluation from the built entry", () => {
  it("dryRun: the quickstart Sensor fires on the push, as the receiver would build it", async () => {
    const { specs, errors } = await api.loadAndValidate([join(QUICKSTART, "sensor.yaml")]);
    expect(errors).toEqual([]);
    const sensor = api.compileSensor(specs[0]!.spec as Sensor);
    const data = api.offlineEventData("github", [["X-GitHub-Event", "push"]], push);
    const context = {
      id: "1",
      source: "github",
      subject: "push",
      specversion: "1.0",
      type: "github",
      datacontenttype: "application/json",
      time: new Date().toISOString(),
    };
    const result = api.dryRun(sensor, [{ event: { context, data } }]);
    expect(result.triggers).toHaveLength(1);
    const [trigger] = result.triggers;
    expect(trigger).toMatchObject({ name: "ci", fired: true });
    expectQuickstartWorkflow((trigger as { resource: object }).resource as Wf);
  });
});

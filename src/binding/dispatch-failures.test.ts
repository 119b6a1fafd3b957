// How the dispatcher classifies and reports the failures of a binding: transient
// or final, retried in place (Argo's DefaultRetry), fixed names on redelivery,
// template authorization, and what it tells the outcome listener and the log.
import { Writable } from "node:stream";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { KubeObject, WorkflowEventBinding } from "../api/types.js";
import { AlreadyExistsError, ApiUnavailableError, BusUnavailableError, ForbiddenError, GatewayError, InvalidError } from "../errors.js";
import { createLogger, silentLogger, type Logger } from "../logger.js";
import type { WorkflowClient } from "../workflows/client.js";
import type { Authorizer } from "./auth.js";
import { SpecBindingCatalog, type BindingCatalog, type TemplateRef } from "./catalog.js";
import { BindingDispatcher, type BindingDispatcherDeps } from "./dispatch.js";
import type { BindingEventData, Identity } from "./event.js";
import type { BindingOutcome } from "./outcome.js";
import { submitting, template } from "../../test/support/binding-fixtures.js";

/** Workflows kept in memory; `fail` decides an error for a create instead. */
function memoryWorkflows(fail?: (wf: KubeObject, call: number) => Error | undefined): WorkflowClient & { created: KubeObject[]; calls: () => number } {
  const created: KubeObject[] = [];
  let calls = 0;
  const create = async (wf: KubeObject): Promise<KubeObject> => {
    const err = fail?.(wf, ++calls);
    if (err) throw err;
    if (created.some((w) => w.metadata.name === wf.metadata.name)) throw new AlreadyExistsError(`workflows "${wf.metadata.name}" already exists`);
    created.push(wf);
    return wf;
  };
  return { created, create, calls: () => calls } as unknown as WorkflowClient & { created: KubeObject[]; calls: () => number };
}

/** A logger whose JSON lines the test reads back. */
function capturingLogger(): { logger: Logger; lines: () => { level: number; msg: string; [k: string]: unknown }[] } {
  const out: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      out.push(String(chunk));
      done();
    },
  });
  const logger = createLogger({ level: "debug", destination });
  return { logger, lines: () => out.join("").trim().split("\n").filter(Boolean).map((l) => JSON.parse(l)) };
}

const CI = submitting("ci", 'discriminator == "ci"', "ci-build", { repo: "payload.repo" });
const FIXED = submitting("fixed", "true", "ci-build", {}, { metadata: { name: '"fixed-name"' } });
const EVENT: BindingEventData = { namespace: "argo", discriminator: "ci", payload: { repo: "r" }, metadata: {} };

function dispatcherOf(bindings: WorkflowEventBinding[], deps: Partial<BindingDispatcherDeps> = {}) {
  const outcomes: BindingOutcome[] = [];
  const warnings: string[] = [];
  const dispatcher = new BindingDispatcher({
    catalog: new SpecBindingCatalog({ bindings, workflowTemplates: [template("ci-build")] }),
    workflows: memoryWorkflows(),
    logger: silentLogger(),
    recorder: {
      warning: async (_b, _reason, message) => {
        warnings.push(message);
      },
    },
    onOutcome: (o) => outcomes.push(o),
    ...deps,
  });
  return { dispatcher, outcomes, warnings };
}

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe("transient or final", () => {
  it.each<{ name: string; error: () => Error; transient: boolean; message: string }>([
    { name: "the API unavailable", error: () => new ApiUnavailableError("API down", 503), transient: true, message: "API down" },
    { name: "a dropped connection (no gateway error)", error: () => new Error("socket hang up"), transient: true, message: "socket hang up" },
    // The same rule as the sensor runner's (isRetryable): a 5xx is retried, whatever its class.
    { name: "a store that fails with a 500", error: () => new GatewayError("store.json does not hold an object"), transient: true, message: "store.json does not hold an object" },
    {
      name: "a failure that repeats itself (SyntaxError)",
      error: () => new SyntaxError("Unexpected token"),
      transient: false,
      message: "failed to create workflow: Unexpected token",
    },
    {
      name: "a Workflow the API refuses",
      error: () => new InvalidError('Workflow "x" is invalid: bad label'),
      transient: false,
      message: 'failed to create workflow: Workflow "x" is invalid: bad label',
    },
  ])("$name: transient $transient, retried in place when transient", async ({ error, transient, message }) => {
    const workflows = memoryWorkflows(() => error());
    const { dispatcher } = dispatcherOf([CI], { workflows });
    const r = await dispatcher.dispatch(EVENT, "e", { final: false });
    expect(r.failures).toEqual([{ binding: "ci", error: message, transient }]);
    expect(workflows.calls()).toBe(transient ? 5 : 1);
  }, 10_000);

  it("the bus unavailable while reading the template is transient", async () => {
    const catalog: BindingCatalog = new SpecBindingCatalog({ bindings: [CI], workflowTemplates: [] });
    let reads = 0;
    catalog.template = async () => {
      reads++;
      throw new BusUnavailableError("bus down");
    };
    const { dispatcher } = dispatcherOf([CI], { catalog });
    const r = await dispatcher.dispatch(EVENT, "e", { final: false });
    expect(r.failures).toEqual([{ binding: "ci", error: "bus down", transient: true }]);
    expect(reads).toBe(5);
  }, 10_000);

  it("a missing template is final at once", async () => {
    const { dispatcher } = dispatcherOf([submitting("ci", "true", "missing")]);
    const r = await dispatcher.dispatch(EVENT, "e", { final: false });
    expect(r.failures).toEqual([{ binding: "ci", error: 'workflowtemplates.argoproj.io "missing" not found in namespace argo', transient: false }]);
  });

  it("a dispatch is final unless told otherwise: a transient failure is reported", async () => {
    const workflows = memoryWorkflows(() => new ApiUnavailableError("API down", 503));
    const { dispatcher, outcomes, warnings } = dispatcherOf([CI], { workflows });
    await dispatcher.dispatch(EVENT, "e");
    expect(outcomes.map((o) => [o.result, o.error])).toEqual([["failed", "API down"]]);
    expect(warnings).toEqual(["failed to dispatch event: API down"]);
  }, 10_000);

  it("retries a transient failure after 10 ms, as Argo's DefaultRetry (jitter adds up to 10%)", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout"] });
    vi.spyOn(Math, "random").mockReturnValue(0.5); // 10 ms * 1.05
    const workflows = memoryWorkflows((_wf, call) => (call === 1 ? new ApiUnavailableError("API down", 503) : undefined));
    const { dispatcher } = dispatcherOf([CI], { workflows });
    const done = dispatcher.dispatch(EVENT, "e");
    // Only setTimeout is faked: one turn of the event loop runs the dispatch up to its first wait.
    await new Promise((resolve) => setImmediate(resolve));
    expect(workflows.calls()).toBe(1);
    await vi.advanceTimersByTimeAsync(9);
    expect(workflows.calls()).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(workflows.calls()).toBe(2);
    expect((await done).workflows).toEqual([workflows.created[0]?.metadata.name]);
  });
});

describe("the selector", () => {
  it("a selector that fails to evaluate fails its binding with Argo's message", async () => {
    const { dispatcher, outcomes } = dispatcherOf([submitting("deep", "payload.x.y == 1", "ci-build")]);
    const r = await dispatcher.dispatch(EVENT, "e");
    expect(r.failures).toEqual([
      { binding: "deep", error: expect.stringMatching(/^failed to evaluate workflow template expression: .*cannot fetch y from <nil>/), transient: false },
    ]);
    expect(outcomes.map((o) => o.result)).toEqual(["failed"]);
  });
});

describe("fixed Workflow names", () => {
  it.each<{ name: string; redelivery: boolean | undefined; result: string }>([
    { name: "a first delivery", redelivery: undefined, result: "failed" },
    { name: "a delivery said not to be a redelivery", redelivery: false, result: "failed" },
    { name: "a redelivery", redelivery: true, result: "already-submitted" },
  ])("a taken fixed name on $name: $result", async ({ redelivery, result }) => {
    const workflows = memoryWorkflows();
    const { dispatcher, outcomes } = dispatcherOf([FIXED], { workflows });
    await dispatcher.dispatch(EVENT, "first");
    const r = await dispatcher.dispatch(EVENT, "second", { redelivery });
    expect(outcomes.map((o) => o.result)).toEqual(["submitted", result]);
    if (result === "failed") {
      expect(r.failures).toEqual([{ binding: "fixed", error: 'failed to create workflow: workflows "fixed-name" already exists', transient: false }]);
    } else {
      expect(r).toEqual({ workflows: ["fixed-name"], failures: [] });
    }
    expect(workflows.created).toHaveLength(1);
  });
});

describe("template authorization", () => {
  const poster: Identity = { username: "system:serviceaccount:argo:ci" };

  function recordingAuthorizer(refuse: boolean): Authorizer & { calls: unknown[][] } {
    const calls: unknown[][] = [];
    return {
      calls,
      authorizeEvent: async () => undefined,
      authorizeTemplate: async (identity: Identity, namespace: string, ref: TemplateRef) => {
        calls.push([identity, namespace, ref]);
        if (refuse) throw new ForbiddenError(`${identity.username} may not get workflowtemplates ${ref.name} in ${namespace}`);
      },
    };
  }

  it("the poster must be allowed to use the template", async () => {
    const authorizer = recordingAuthorizer(true);
    const workflows = memoryWorkflows();
    const { dispatcher, outcomes } = dispatcherOf([CI], { authorizer, workflows });
    const r = await dispatcher.dispatch({ ...EVENT, identity: poster }, "e");
    expect(authorizer.calls).toEqual([[poster, "argo", { name: "ci-build", clusterScope: false }]]);
    expect(r.failures).toEqual([
      { binding: "ci", error: "system:serviceaccount:argo:ci may not get workflowtemplates ci-build in argo", transient: false },
    ]);
    expect(workflows.created).toEqual([]);
    expect(outcomes.map((o) => o.result)).toEqual(["failed"]);
  });

  it("an allowed poster submits", async () => {
    const authorizer = recordingAuthorizer(false);
    const workflows = memoryWorkflows();
    const { dispatcher } = dispatcherOf([CI], { authorizer, workflows });
    const r = await dispatcher.dispatch({ ...EVENT, identity: poster }, "e");
    expect(r.failures).toEqual([]);
    expect(workflows.created).toHaveLength(1);
    expect(authorizer.calls).toHaveLength(1);
  });
});

describe("outcomes and the log", () => {
  it("an outcome tells how long its binding took", async () => {
    const { dispatcher, outcomes } = dispatcherOf([CI]);
    const before = performance.now();
    await dispatcher.dispatch(EVENT, "e");
    const took = performance.now() - before;
    expect(outcomes).toHaveLength(1);
    expect(outcomes[0]?.durationMs).toBeGreaterThanOrEqual(0);
    expect(outcomes[0]?.durationMs).toBeLessThanOrEqual(took);
  });

  it("logs each submitted Workflow, and nothing for a binding that did not match", async () => {
    const { logger, lines } = capturingLogger();
    const { dispatcher } = dispatcherOf([CI, submitting("never", "false", "ci-build")], { logger });
    const r = await dispatcher.dispatch(EVENT, "e");
    expect(lines().map((l) => [l.msg, l.binding, l.workflow])).toEqual([["workflow submitted", "ci", r.workflows[0]]]);
  });

  it("without an outcome listener, dispatches log no listener failure", async () => {
    const { logger, lines } = capturingLogger();
    const { dispatcher } = dispatcherOf([CI], { logger, onOutcome: undefined });
    const r = await dispatcher.dispatch(EVENT, "e");
    expect(r.workflows).toHaveLength(1);
    expect(lines().map((l) => l.msg)).toEqual(["workflow submitted"]);
  });

  it("a failing outcome listener or recorder is logged, and the dispatch goes on", async () => {
    const { logger, lines } = capturingLogger();
    const { dispatcher } = dispatcherOf([CI, submitting("broken", "true", "missing")], {
      logger,
      onOutcome: () => {
        throw new Error("listener broke");
      },
      recorder: {
        warning: async () => {
          throw new Error("no API");
        },
      },
    });
    const r = await dispatcher.dispatch(EVENT, "e");
    expect(r.workflows).toHaveLength(1);
    expect(r.failures.map((f) => f.binding)).toEqual(["broken"]);
    const msgs = lines().map((l) => l.msg);
    expect(msgs.filter((m) => m === "binding outcome listener failed")).toHaveLength(2);
    expect(msgs.filter((m) => m === "recording the binding warning failed")).toHaveLength(1);
  });
});

import type { Logger } from "../logger.js";
import type { EventBus } from "../eventbus/index.js";
import { type WorkflowClient, templateLookupFromList, ValidatingWorkflowClient, type TemplateLookup } from "../workflows/index.js";
import type { SecretStore, SpecSet, ApplyFailure, ApplyResult, SpecSource } from "../config/index.js";
import type { Sensor } from "../api/index.js";
import { startReceivers, type ReceiverServer } from "../eventsource/index.js";
import type { BodyBudget } from "../http/index.js";
import { compileSensor, EventRouter, newTriggerMemory, SensorRunner, type CompiledSensor, type FileSourcePolicy } from "../sensor/index.js";
import { errorMessage } from "../errors.js";
import type { Observer } from "../observe/index.js";
import { countingBus, HandlerCounts, type InFlight } from "./in-flight.js";
import { specsForRole, type GatewayRole } from "./role.js";

export interface GatewayOptions {
  /** Specs loaded once (--config): any of them failing to start fails the start. */
  specs?: SpecSet;
  /**
   * Watched specs (--kube): applied as they change; a resource that fails keeps
   * its previous version running and is reported. Takes precedence over `specs`.
   */
  source?: SpecSource;
  /** The bus, or how to make it from the first SpecSet (its EventBus specs). */
  bus: EventBus | ((first: SpecSet) => Promise<EventBus>);
  workflows: WorkflowClient;
  /**
   * The client a Sensor's triggers use, when it is not `workflows`: in a cluster, one
   * acting as the Sensor's service account (see workflows/identity.ts).
   */
  workflowsFor?: (sensor: Sensor) => WorkflowClient;
  /** Where validation before submit finds templates; default the WorkflowTemplates of the current specs. */
  templates?: TemplateLookup;
  /**
   * A Workflow referencing a template the lookup does not know: "reject" (dead-letter)
   * or "allow" (submit unvalidated, logged). Default: "reject" with `templates`, else "allow".
   */
  missingTemplate?: "reject" | "allow";
  secrets: SecretStore;
  logger: Logger;
  /** Interface the receivers listen on (default all). */
  host?: string;
  /** Maps a configured webhook port to the one to listen on (0 = any free port). */
  portOverride?: (configuredPort: string) => number;
  /** Handlers running at once per trigger in this process. */
  triggerConcurrency?: number;
  /** Which files trigger `file` sources may read (default: any). */
  fileSources?: FileSourcePolicy;
  /** Metrics and the event-flow page: told every outcome, applied SpecSet and rejected spec. */
  observer?: Observer;
  /** Run receivers, sensors or both (default); the other half runs in another process. */
  role?: GatewayRole;
  /** The receivers' cap on unverified body bytes; share it with the events endpoint. */
  bodyBudget?: BodyBudget;
}

export interface Gateway {
  /** The receivers' endpoints: configured port and the URL actually listened on. */
  endpoints(): { eventSource: string; eventName: string; type: string; url: string }[];
  /** The SpecSet last applied. */
  specs(): SpecSet;
  /** Applies a new complete SpecSet incrementally (what a SpecSource does on a change). */
  apply(set: SpecSet): Promise<ApplyResult>;
  /** The event bus the gateway publishes on (as instrumented), for the bindings endpoint. */
  bus(): EventBus;
  /**
   * First step of a graceful shutdown: receivers answer 503 (Retry-After,
   * Connection: close) from now on; requests in flight and sensor handlers go on.
   * Spec changes arriving later are not applied.
   */
  drain(): void;
  /** What this process still holds: requests and handlers in flight, and the shutdown phase. */
  inFlight(): InFlight;
  /**
   * Graceful shutdown (drains first if not yet): waits for the HTTP requests in
   * flight (their publish completes and they get their answer), stops the
   * sensors (handlers finish and settle their messages; fetched ones not started
   * go back to the bus), closes the bus, and only then the ports (refusing until
   * then). Each phase is logged.
   */
  close(): Promise<void>;
}

const EMPTY: SpecSet = { eventSources: [], sensors: [], eventBuses: [], workflowTemplates: [], bindings: [] };

function keyOf(o: { metadata: { namespace?: string; name?: string } }): string {
  return `${o.metadata.namespace || "default"}/${o.metadata.name ?? ""}`;
}

function failureOf(kind: string, o: { metadata: { namespace?: string; name?: string } }, err: unknown): ApplyFailure {
  return { kind, namespace: o.metadata.namespace || "default", name: o.metadata.name ?? "", message: errorMessage(err) };
}

interface Running {
  json: string;
  compiled: CompiledSensor;
  runner: SensorRunner;
}

/**
 * Brings the running sensors and receivers to a SpecSet, touching only what
 * changed: a changed Sensor's runner is drained (its events in flight finish)
 * and replaced; its durable consumer keeps what arrives meanwhile. A changed
 * EventSource gets new receivers on the same ports. Applies run one at a time.
 */
class Reconciler {
  private readonly runners = new Map<string, Running>();
  /** One per process: each event is parsed and matched once, whatever the number of Sensors. */
  private readonly router: EventRouter;
  /** What this gateway's triggers remember between firings, across Sensor reloads. */
  private readonly triggerMemory = newTriggerMemory();
  private receivers: ReceiverServer | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private draining = false;
  current: SpecSet = EMPTY;
  /** EventSources with receivers up (a failed update keeps the previous version's). */
  private runningSources = new Set<string>();

  constructor(
    private readonly bus: EventBus,
    private readonly workflowsFor: (sensor: Sensor) => WorkflowClient,
    private readonly o: GatewayOptions,
  ) {
    this.router = new EventRouter({
      bus,
      logger: o.logger,
      concurrency: o.triggerConcurrency,
      onOutcome: o.observer?.onTriggerOutcome,
      onRouted: o.observer?.onRouted,
    });
    o.observer?.setRouter(this.router);
  }

  apply(set: SpecSet, strict = false): Promise<ApplyResult> {
    const run = this.queue.then(() => this.applyNow(set, strict));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private runner(compiled: CompiledSensor): SensorRunner {
    return new SensorRunner({
      sensor: compiled,
      bus: this.bus,
      workflows: this.workflowsFor(compiled.spec),
      secrets: this.o.secrets,
      logger: this.o.logger,
      concurrency: this.o.triggerConcurrency,
      onOutcome: this.o.observer?.onTriggerOutcome,
      router: this.router,
      triggerMemory: this.triggerMemory,
      fileSources: this.o.fileSources,
    });
  }

  private async applyNow(set: SpecSet, strict: boolean): Promise<ApplyResult> {
    const failures: ApplyFailure[] = [];
    const log = this.o.logger;
    if (this.draining) {
      log.info("shutting down: spec change not applied");
      return { failures };
    }
    const mine = specsForRole(set, this.o.role ?? "all");
    const wanted = new Set(mine.sensors.map(keyOf));
    for (const [key, running] of [...this.runners]) {
      if (wanted.has(key)) continue;
      await this.router.delete(running.compiled);
      await running.runner.stop();
      this.runners.delete(key);
      log.info({ sensor: key }, "sensor removed");
    }
    // Sensors before receivers, so that no event a new receiver accepts is missed.
    for (const sensor of mine.sensors) {
      const ran = this.runners.has(keyOf(sensor));
      try {
        await this.applySensor(sensor);
      } catch (err) {
        if (strict) throw err;
        log.error({ sensor: keyOf(sensor), err: errorMessage(err) }, ran ? "sensor not applied; the previous version keeps running" : "sensor not started");
        failures.push(failureOf("Sensor", sensor, err));
      }
    }
    this.receivers ??= await startReceivers({
      eventSources: [],
      bus: this.bus,
      secrets: this.o.secrets,
      logger: this.o.logger,
      host: this.o.host,
      portOverride: this.o.portOverride,
      onOutcome: this.o.observer?.onReceiverOutcome,
      bodyBudget: this.o.bodyBudget,
    });
    // A drain that began while this apply ran covers receivers it just created.
    if (this.draining) this.receivers.drain();
    const failedSources = new Set<string>();
    for (const f of await this.receivers.replace(mine.eventSources)) {
      if (strict) throw f.error;
      const key = keyOf(f.eventSource);
      failedSources.add(key);
      const ran = this.runningSources.has(key);
      log.error({ eventSource: key, err: f.error.message }, ran ? "event source not applied; the previous version keeps running" : "event source not started");
      failures.push(failureOf("EventSource", f.eventSource, f.error));
    }
    const ranBefore = this.runningSources;
    this.runningSources = new Set(mine.eventSources.map(keyOf).filter((k) => !failedSources.has(k) || ranBefore.has(k)));
    this.current = set;
    this.o.observer?.setTopology(set);
    for (const f of failures) this.o.observer?.specRejected(f);
    return { failures };
  }

  private async applySensor(sensor: Sensor): Promise<void> {
    const key = keyOf(sensor);
    const json = JSON.stringify(sensor.spec);
    const old = this.runners.get(key);
    if (old?.json === json) return;
    const compiled = compileSensor(sensor);
    // Until the router switches to the new version, work for this Sensor waits in its durables.
    if (old) await old.runner.stop();
    const runner = this.runner(compiled);
    try {
      await runner.start();
      await this.router.set(compiled, runner.ordered);
    } catch (err) {
      await runner.stop().catch(() => undefined);
      if (old) {
        // Back to the version that ran: it compiled and started before.
        const again = this.runner(old.compiled);
        await again.start();
        await this.router.set(old.compiled, again.ordered);
        this.runners.set(key, { ...old, runner: again });
      } else {
        await this.router.delete(compiled);
        this.runners.delete(key);
      }
      throw err;
    }
    this.runners.set(key, { json, compiled, runner });
    if (old) this.o.logger.info({ sensor: key }, "sensor updated");
  }

  endpoints(): ReturnType<Gateway["endpoints"]> {
    return this.receivers?.endpoints() ?? [];
  }

  drain(): void {
    this.draining = true;
    this.receivers?.drain();
  }

  requests(): number {
    return this.receivers?.inFlight() ?? 0;
  }

  /** Drains the receivers and waits for their requests in flight; the ports stay open, refusing. */
  async settled(): Promise<void> {
    this.drain();
    await this.queue;
    await this.receivers?.settled();
  }

  /** Stops the sensors: each runner's handlers finish and settle their messages. */
  async stopSensors(): Promise<void> {
    // No new work first; then the runners finish what they hold.
    await this.router.stop();
    await Promise.all([...this.runners.values()].map((r) => r.runner.stop()));
    this.runners.clear();
  }

  async closeReceivers(): Promise<void> {
    await this.receivers?.close();
  }

  async close(): Promise<void> {
    await this.settled();
    await this.stopSensors();
    await this.closeReceivers();
  }
}

/** Every Workflow create is validated first; one validating wrapper per identity. */
function validatingClients(options: GatewayOptions, validating: (c: WorkflowClient) => WorkflowClient): (sensor: Sensor) => WorkflowClient {
  const shared = validating(options.workflows);
  const pick = options.workflowsFor;
  if (!pick) return () => shared;
  const wrapped = new WeakMap<WorkflowClient, WorkflowClient>();
  return (sensor) => {
    const client = pick(sensor);
    let v = wrapped.get(client);
    if (!v) {
      v = validating(client);
      wrapped.set(client, v);
    }
    return v;
  };
}

/**
 * Wires one gateway process: the reconciler starts sensors first, so that no
 * event published after the receivers open is missed, then the receivers.
 * With a `source`, later changes are applied as they come. Every Workflow
 * create is validated against its WorkflowTemplate first (ValidatingWorkflowClient).
 */
export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const { logger, source } = options;
  let reconciler: Reconciler | undefined;
  let bus: EventBus | undefined;
  const handlers = new HandlerCounts();
  const templates = options.templates ?? templateLookupFromList(() => reconciler?.current.workflowTemplates ?? []);
  const validating = (client: WorkflowClient): WorkflowClient =>
    new ValidatingWorkflowClient(client, {
      templates,
      missingTemplate: options.missingTemplate ?? (options.templates ? "reject" : "allow"),
      logger,
    });
  const workflowsFor = validatingClients(options, validating);
  const begin = async (first: SpecSet): Promise<Reconciler> => {
    bus = typeof options.bus === "function" ? await options.bus(first) : options.bus;
    if (options.observer) {
      const b = (bus = options.observer.instrumentBus(bus));
      // A bus that cannot take events makes every webhook a 503: not ready.
      options.observer.addReadinessCheck("bus", () => b.ready?.() ?? true);
    }
    bus = countingBus(bus, handlers);
    return new Reconciler(bus, workflowsFor, options);
  };
  try {
    if (source) {
      await source.start(async (set) => {
        reconciler ??= await begin(set);
        return reconciler.apply(set);
      });
    } else {
      reconciler = await begin(options.specs ?? EMPTY);
      await reconciler.apply(options.specs ?? EMPTY, true);
    }
  } catch (err) {
    await source?.stop().catch(() => undefined);
    await reconciler?.close().catch(() => undefined);
    await bus?.close().catch(() => undefined);
    throw err;
  }
  const r = reconciler;
  if (!r) throw new Error("spec source started without delivering specs");
  let phase: string | undefined;
  const step = (name: string, fields: Record<string, unknown> = {}): void => {
    phase = name;
    logger.info({ phase: name, ...fields }, `shutdown: ${name}`);
  };
  const drain = (): void => {
    if (phase !== undefined) return;
    step("refusing new deliveries", { requests: r.requests(), handlers: handlers.total });
    r.drain();
  };
  let closing: Promise<void> | undefined;
  const close = async (): Promise<void> => {
    drain();
    await source?.stop();
    step("finishing requests in flight", { requests: r.requests() });
    await r.settled();
    // An in-process bus keeps accepted events only in memory: hand them all to the sensors first.
    if (bus?.settle) {
      step("processing accepted events");
      await bus.settle();
    }
    step("stopping sensors", { handlers: handlers.snapshot() });
    await r.stopSensors();
    step("closing the event bus");
    await bus?.close();
    // Refusing until here: a sender gets 503 + Retry-After rather than a refused connection.
    step("closing ports");
    await r.closeReceivers();
    step("closed");
  };
  return {
    endpoints: () => r.endpoints(),
    specs: () => r.current,
    apply: (set) => r.apply(set),
    bus: () => bus as EventBus,
    drain,
    inFlight: () => ({ ...(phase !== undefined ? { phase } : {}), requests: r.requests(), handlers: handlers.snapshot() }),
    close: () => (closing ??= close()),
  };
}

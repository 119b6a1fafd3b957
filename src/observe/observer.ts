import type { HookManagerOptions } from "../hooks/index.js";

type HookEvents = Required<Pick<HookManagerOptions, "onSync" | "onRecovered">>;
import { performance } from "node:perf_hooks";
import type { BindingOutcome } from "../binding/index.js";
import { type EventBus, toJsonText } from "../eventbus/index.js";
import type { ReceiverOutcome } from "../eventsource/index.js";
import type { Logger } from "../logger.js";
import { errorMessage } from "../errors.js";
import { GatewayMetrics, type BindingFailure, type DuplicateDelivery, type GatewayMetricsOptions } from "./metrics.js";
import type { ObservedTriggerOutcome } from "./outcomes.js";
import { Readiness, type ReadinessCheck } from "./readiness.js";
import { DEFAULT_CAPACITY, DEFAULT_MAX_BYTES, FlowRecorder, type RouterView } from "./recorder.js";
import type { RoutedEvent } from "../sensor/index.js";
import { buildTopology, type TopologySpecs } from "./topology.js";

const MAX_UNCLAIMED_DUPLICATES = 1000;

export interface ObserverOptions extends GatewayMetricsOptions {
  /** Events the flow recorder keeps (default 1,000). */
  capacity?: number;
  /** Bytes the flow recorder keeps, records and payloads (default 32 MiB). */
  maxBytes?: number;
  /** Where a failing listener is reported; never thrown back into the pipeline. */
  logger?: Logger;
  now?: () => Date;
}

export interface SpecRejection {
  kind: string;
  namespace?: string;
  name?: string;
  message: string;
}

/**
 * Everything the gateway reports for operators, in one object per process (no
 * global state): metrics, the event-flow recorder and the readiness checks. The
 * `on*` members are bound functions, ready to pass as `onOutcome` callbacks.
 */
export class Observer {
  readonly metrics: GatewayMetrics;
  readonly recorder: FlowRecorder;
  readonly readiness = new Readiness();
  private readonly logger?: Logger;
  /**
   * Ids the bus just called duplicates: the receiver's outcome, which follows the
   * publish at once, names the event source and namespace to count them under.
   */
  private readonly busDuplicates = new Set<string>();

  constructor(options: ObserverOptions = {}) {
    this.metrics = new GatewayMetrics(options);
    this.recorder = new FlowRecorder(options.capacity ?? DEFAULT_CAPACITY, options.now, options.maxBytes ?? DEFAULT_MAX_BYTES);
    this.logger = options.logger;
  }

  /** A listener bug must not fail a webhook or a trigger. */
  private guard(what: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.logger?.error({ err: errorMessage(err) }, `observer: ${what} failed`);
    }
  }

  readonly onReceiverOutcome = (o: ReceiverOutcome): void =>
    this.guard("receiver outcome", () => {
      this.metrics.receiverOutcome(o);
      if (o.eventId !== undefined && this.busDuplicates.delete(o.eventId)) {
        this.duplicateDelivery({ namespace: o.namespace, stage: "bus", eventSourceName: o.eventSourceName, eventName: o.eventName });
        o = { ...o, message: `${o.message}; a duplicate: the bus already held event ${o.eventId}, not delivered again` };
      }
      this.recorder.receiverOutcome(o);
    });

  readonly onTriggerOutcome = (o: ObservedTriggerOutcome): void =>
    this.guard("trigger outcome", () => {
      this.metrics.triggerOutcome(o);
      this.recorder.triggerOutcome(o);
    });

  /** From the process's router: one call per event, whatever the number of Sensors. */
  readonly onRouted = (r: RoutedEvent): void =>
    this.guard("routed event", () => {
      // The payload's text is usually remembered from the receiver or the bus, so this is cheap.
      this.recorder.routed(r, (toJsonText(r.cloudEvent) ?? "").length);
    });

  /** The router whose bulk counts and on-demand skip reasons the recorder uses. */
  setRouter(router: RouterView): void {
    this.recorder.setRouter(router);
  }

  /** The loaded specs: the flow's skeleton and the zero series of the metrics. Call again on reload. */
  setTopology(specs: TopologySpecs): void {
    const topology = buildTopology(specs);
    this.metrics.setTopology(topology);
    this.recorder.setTopology(topology);
  }

  addReadinessCheck(name: string, check: ReadinessCheck): () => void {
    return this.readiness.add(name, check);
  }

  specRejected(r: SpecRejection): void {
    const namespace = r.namespace || "default";
    this.metrics.specRejected(r.kind, namespace);
    this.recorder.specRejected({ kind: r.kind, namespace, name: r.name ?? "", message: r.message });
  }

  /** For the hook manager: each check of a managed hook and each recovered delivery. */
  readonly hookEvents: HookEvents = {
    onSync: (o) =>
      this.guard("hook sync", () => {
        this.metrics.hookSynced(o.provider, o.action);
        this.recorder.hookSynced({ hook: o.key, provider: o.provider, target: o.target, url: o.url, action: o.action, error: o.error });
      }),
    onRecovered: (r) =>
      this.guard("delivery recovered", () => {
        this.metrics.deliveryRecovered(r.provider);
        this.recorder.deliveryRecovered({ hook: r.key, provider: r.provider, target: r.target, guid: r.guid, event: r.event });
      }),
  };

  /** For the binding dispatcher's `onOutcome`. */
  readonly onBindingOutcome = (o: BindingOutcome): void =>
    this.guard("binding outcome", () => {
      if (o.result === "failed") this.metrics.bindingFailed({ namespace: o.namespace, binding: o.binding });
    });

  /** For the events endpoint's `onResponse`: every answer, refusals included. */
  readonly onEventsResponse = (status: number): void => this.guard("events response", () => this.metrics.eventsResponse(status));

  bindingFailed(f: BindingFailure): void {
    this.metrics.bindingFailed(f);
  }

  duplicateDelivery(d: DuplicateDelivery): void {
    this.metrics.duplicate(d);
  }

  /**
   * The bus with its publish latency measured and its duplicates noted; every
   * other member passes through untouched.
   */
  instrumentBus(bus: EventBus): EventBus {
    const metrics = this.metrics;
    const duplicates = this.busDuplicates;
    const publish: EventBus["publish"] = async (subject, event) => {
      const started = performance.now();
      try {
        const result = await bus.publish(subject, event);
        metrics.busPublished(bus.name, (performance.now() - started) / 1000, true);
        if (result?.duplicate) {
          // Bounded: ids no receiver claims (e.g. a binding event's) must not pile up.
          if (duplicates.size >= MAX_UNCLAIMED_DUPLICATES) duplicates.clear();
          duplicates.add(event.id);
        }
        return result;
      } catch (err) {
        metrics.busPublished(bus.name, (performance.now() - started) / 1000, false);
        throw err;
      }
    };
    // A proxy, so members added to EventBus later (and class-private state) keep working.
    return new Proxy(bus, {
      get(target, prop) {
        if (prop === "publish") return publish;
        const value: unknown = Reflect.get(target, prop, target);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
  }
}

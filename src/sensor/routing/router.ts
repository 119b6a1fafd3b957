import { eventSubject, type BusMessage, type EventBus, type Subscription, type CloudEvent } from "../../eventbus/index.js";
import type { Logger } from "../../logger.js";
import type { CompiledDependency, CompiledSensor, CompiledTrigger } from "../compile.js";
import { matchEvent } from "../engine.js";
import { sensorEventFromCloudEvent, type SensorEvent } from "../event.js";
import type { TriggerOutcome } from "../outcome.js";
import { DependencyIndex } from "./dependency-index.js";
import { workLane, workMessage, workSubject } from "./work.js";

/** One trigger as the router sends it work. */
export interface TriggerRoute {
  readonly sensor: CompiledSensor;
  readonly trigger: CompiledTrigger;
  readonly subject: string;
}

interface Entry {
  route: TriggerRoute;
  dependency: CompiledDependency;
}

interface RouteCounts {
  /** The subject's `routed` when the route was registered. */
  readonly base: number;
  /** Events this route was a candidate for (sent or skipped with a reason). */
  candidate: number;
}

interface SubjectRoutes {
  readonly subject: string;
  /** The namespace of the EventSource (and of every Sensor routed here): tenants never see each other's events. */
  readonly namespace: string;
  readonly eventSourceName: string;
  readonly eventName: string;
  readonly index: DependencyIndex<Entry>;
  /** Each registered trigger on this subject, with its counts. */
  readonly routes: Map<TriggerRoute, RouteCounts>;
  /** Registered sensors (by key) that need this subject, and whether each wants order. */
  readonly sensors: Map<string, boolean>;
  /** How many of `sensors` want order (kept, so a change costs O(1), not a pass over them). */
  orderedSensors: number;
  subscription?: Subscription;
  ordered: boolean;
  /** Events routed by this process since start: the base of the derived filtered counts. */
  routed: number;
}

/** What the router did with one event: reported once per event, not once per Sensor. */
export interface RoutedEvent {
  eventId: string;
  eventSourceName: string;
  eventName: string;
  event: SensorEvent;
  /** The event as it came off the bus (its JSON text is usually remembered, so its size is cheap to know). */
  cloudEvent: CloudEvent;
  /** Triggers the event was sent to (their work messages are on the bus). */
  sent: { namespace: string; sensor: string; trigger: string }[];
  /** Registered triggers on this subject; those neither sent nor reported skipped were ruled out by the index. */
  triggers: number;
}

/** A trigger the index ruled out for an event, and the reason its filters give. */
export interface ExplainedSkip {
  namespace: string;
  sensor: string;
  trigger: string;
  reason: string;
}

export interface EventRouterOptions {
  bus: EventBus;
  logger: Logger;
  /** Events handled at once per subject and process. */
  concurrency?: number;
  /** Outcomes of the candidates whose filters failed (with the reason). */
  onOutcome?: (o: TriggerOutcome) => void;
  onRouted?: (r: RoutedEvent) => void;
  /** Delay before a redelivery when work could not be published; exponential up to 30 s by default. */
  retryDelayMs?: (deliveryCount: number) => number;
}

const routerDurable = (namespace: string, eventSourceName: string, eventName: string): string =>
  `_route-${namespace}-${eventSourceName}-${eventName}`.replace(/[^A-Za-z0-9_-]/g, "_");

const defaultDelay = (n: number): number => Math.min(30_000, 1000 * 2 ** Math.max(0, n - 1));

function sensorKey(sensor: CompiledSensor): string {
  return `${sensor.namespace}/${sensor.name}`;
}

/** The key of a trigger in `excludedCounts`: namespace, sensor and trigger joined by NUL. */
export function triggerKey(route: { sensor: { namespace: string; name: string }; trigger: { name: string } }): string {
  return `${route.sensor.namespace}\u0000${route.sensor.name}\u0000${route.trigger.name}`;
}

function excluded(s: SubjectRoutes, c: RouteCounts): number {
  return Math.max(0, s.routed - c.base - c.candidate);
}

/**
 * One subscription per event subject any registered Sensor depends on: each event is
 * parsed once, the dependency index names the triggers whose filters may pass, their
 * filters run, and one small work message per matching trigger goes on the bus
 * (deduplicated by id). The event is acked only after that work is durably on the bus.
 */
export class EventRouter {
  private readonly subjects = new Map<string, SubjectRoutes>();
  private readonly bySensor = new Map<string, { entries: [SubjectRoutes, Entry][]; routes: [SubjectRoutes, TriggerRoute][] }>();
  /** Events the index ruled out per trigger (`ns\0sensor\0trigger`), from routes no longer registered. */
  private readonly excludedBefore = new Map<string, number>();
  private stopped = false;

  constructor(private readonly options: EventRouterOptions) {}

  /** The subject a trigger's work goes to. */
  workSubjectOf(sensor: CompiledSensor, trigger: CompiledTrigger): string {
    return workSubject(this.options.bus.name, workLane(sensor, trigger), sensor.namespace, sensor.name, trigger.name);
  }

  /**
   * Routes a Sensor's events from now on, replacing its previous version in one step
   * (no event is routed to neither). Resolves once every subject it needs is subscribed.
   */
  async set(sensor: CompiledSensor, ordered: boolean): Promise<void> {
    const key = sensorKey(sensor);
    const touched = this.unregister(key);
    const entries: [SubjectRoutes, Entry][] = [];
    const routes: [SubjectRoutes, TriggerRoute][] = [];
    for (const trigger of sensor.triggers) {
      const route: TriggerRoute = { sensor, trigger, subject: this.workSubjectOf(sensor, trigger) };
      for (const dependency of trigger.dependencies) {
        const s = this.subjectRoutes(sensor.namespace, dependency);
        const entry = { route, dependency };
        s.index.add(dependency, entry);
        if (!s.sensors.has(key)) {
          s.sensors.set(key, ordered);
          if (ordered) s.orderedSensors++;
        }
        if (!s.routes.has(route)) {
          s.routes.set(route, { base: s.routed, candidate: 0 });
          routes.push([s, route]);
        }
        entries.push([s, entry]);
        touched.add(s);
      }
    }
    this.bySensor.set(key, { entries, routes });
    await this.resubscribe(touched);
  }

  /** Stops routing a Sensor's events; work already on the bus stays for its triggers. */
  async delete(sensor: { namespace: string; name: string }): Promise<void> {
    await this.resubscribe(this.unregister(`${sensor.namespace}/${sensor.name}`));
  }

  private unregister(key: string): Set<SubjectRoutes> {
    const touched = new Set<SubjectRoutes>();
    const old = this.bySensor.get(key);
    if (!old) return touched;
    this.bySensor.delete(key);
    for (const [s, e] of old.entries) {
      s.index.delete(e);
      if (s.sensors.get(key) === true) s.orderedSensors--;
      s.sensors.delete(key);
      touched.add(s);
    }
    for (const [s, route] of old.routes) {
      const c = s.routes.get(route);
      s.routes.delete(route);
      if (!c) continue;
      const k = triggerKey(route);
      this.excludedBefore.set(k, (this.excludedBefore.get(k) ?? 0) + excluded(s, c));
    }
    return touched;
  }

  /**
   * Per trigger, the events the index ruled out (never offered to its filters): the
   * part of its "filtered" count nobody reported one by one. Costs one pass over the
   * registered triggers, so it is for the flow page, not for the event path.
   */
  excludedCounts(): Map<string, number> {
    const out = new Map(this.excludedBefore);
    for (const s of this.subjects.values()) {
      for (const [route, c] of s.routes) {
        const k = triggerKey(route);
        out.set(k, (out.get(k) ?? 0) + excluded(s, c));
      }
    }
    return out;
  }

  /** Why each trigger the index ruled out for this event (of an EventSource in `namespace`) would not take it (re-runs the filters). */
  explain(event: SensorEvent, namespace: string): ExplainedSkip[] {
    const s = this.subjects.get(eventSubject(this.options.bus.name, namespace, event.context.source, event.context.subject));
    if (!s) return [];
    const out: ExplainedSkip[] = [];
    for (const route of s.routes.keys()) {
      const match = matchEvent(route.trigger, event);
      if (match.matched.length > 0) continue;
      out.push({ namespace: route.sensor.namespace, sensor: route.sensor.name, trigger: route.trigger.name, reason: match.reason ?? "no dependency matched" });
    }
    return out;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const subs = [...this.subjects.values()].flatMap((s) => (s.subscription ? [s.subscription] : []));
    for (const s of this.subjects.values()) s.subscription = undefined;
    await Promise.all(subs.map((s) => s.drain()));
  }

  private subjectRoutes(namespace: string, d: CompiledDependency): SubjectRoutes {
    const subject = eventSubject(this.options.bus.name, namespace, d.eventSourceName, d.eventName);
    let s = this.subjects.get(subject);
    if (!s) {
      s = {
        subject,
        namespace,
        eventSourceName: d.eventSourceName,
        eventName: d.eventName,
        index: new DependencyIndex<Entry>(),
        routes: new Map(),
        sensors: new Map(),
        orderedSensors: 0,
        ordered: false,
        routed: 0,
      };
      this.subjects.set(subject, s);
    }
    return s;
  }

  /** Subscribes subjects that gained Sensors, re-subscribes those whose order changed, drains those left unused. */
  private async resubscribe(touched: Set<SubjectRoutes>): Promise<void> {
    for (const s of touched) {
      if (this.stopped) return;
      const ordered = s.orderedSensors > 0;
      if (s.sensors.size === 0) {
        const sub = s.subscription;
        s.subscription = undefined;
        // The durable consumer stays: what arrives meanwhile is routed once a Sensor needs it again.
        await sub?.drain();
        continue;
      }
      if (s.subscription && s.ordered === ordered) continue;
      const previous = s.subscription;
      s.ordered = ordered;
      s.subscription = undefined;
      await previous?.drain();
      s.subscription = await this.options.bus.subscribe(
        {
          durable: routerDurable(s.namespace, s.eventSourceName, s.eventName),
          subjects: [s.subject],
          concurrency: this.options.concurrency ?? 32,
          // Publishing work fails only while the bus does: keep the event until it works.
          maxDeliver: 0,
          ordered,
        },
        (msg) => this.route(s, msg),
      );
    }
  }

  private async route(s: SubjectRoutes, msg: BusMessage): Promise<void> {
    const event = sensorEventFromCloudEvent(msg.event);
    const log = this.options.logger.child({ eventId: event.context.id, subject: s.subject });
    try {
      const candidates = new Set<TriggerRoute>();
      for (const e of s.index.candidates(event)) candidates.add(e.route);
      const sends: Promise<unknown>[] = [];
      const sent: RoutedEvent["sent"] = [];
      const skips: [TriggerRoute, string][] = [];
      for (const route of candidates) {
        const { sensor, trigger } = route;
        const match = matchEvent(trigger, event);
        for (const w of match.warnings) log.warn({ sensor: sensor.name, trigger: trigger.name }, w);
        if (match.matched.length === 0) {
          skips.push([route, match.reason ?? "no dependency matched"]);
          continue;
        }
        const work = workMessage(msg.event, sensor.namespace, sensor.name, trigger.name, match.matched);
        sends.push(this.options.bus.publish(route.subject, work));
        sent.push({ namespace: sensor.namespace, sensor: sensor.name, trigger: trigger.name });
      }
      await Promise.all(sends);
      // Counted once the event is routed for good, so a redelivery does not count twice.
      s.routed++;
      for (const route of candidates) {
        const counts = s.routes.get(route);
        if (counts) counts.candidate++;
      }
      for (const [route, reason] of skips) this.skipped(route, event, reason);
      this.report(log, () =>
        this.options.onRouted?.({
          eventId: event.context.id,
          eventSourceName: event.context.source,
          eventName: event.context.subject,
          event,
          cloudEvent: msg.event,
          sent,
          triggers: s.routes.size,
        }),
      );
      await msg.ack();
    } catch (err) {
      log.warn({ err, deliveryCount: msg.deliveryCount }, "work could not be put on the bus; the event will be routed again");
      await msg.nak((this.options.retryDelayMs ?? defaultDelay)(msg.deliveryCount));
    }
  }

  private skipped(route: TriggerRoute, event: SensorEvent, reason: string): void {
    const { sensor, trigger } = route;
    const o: TriggerOutcome = { status: "skipped", sensor: sensor.name, namespace: sensor.namespace, trigger: trigger.name, eventId: event.context.id, reason };
    this.report(this.options.logger, () => this.options.onOutcome?.(o));
  }

  /** A listener's bug must not fail routing. */
  private report(log: Logger, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      log.error({ err }, "router listener threw");
    }
  }
}

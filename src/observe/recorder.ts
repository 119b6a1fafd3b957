import type { ReceiverOutcome } from "../eventsource/index.js";
import type { ExplainedSkip, RoutedEvent, SensorEvent } from "../sensor/index.js";
import type { Topology } from "./topology.js";
import { isFinal, outcomeDetail, outcomeEventIds, type ObservedTriggerOutcome } from "./outcomes.js";

/** What became of one event at one trigger, as last reported. */
export interface TriggerRecord {
  namespace: string;
  sensor: string;
  trigger: string;
  status: ObservedTriggerOutcome["status"];
  /** Why it was skipped or failed (or where a dead letter went), verbatim from the runner. */
  reason?: string;
  /** For a dead letter: the dlqTrigger or the bus's dead-letter subject. */
  deadLetter?: { via: "dlqTrigger" | "bus"; target: string };
  /** The object created (a Workflow for argoWorkflow triggers). */
  object?: { apiVersion: string; kind: string; namespace: string; name: string };
  alreadyExisted?: boolean;
  willRetry?: boolean;
  /** Outcomes reported for this event and trigger (retries add to it). */
  attempts: number;
  time: string;
}

export interface EventRecord {
  /** The CloudEvent id; null when the request was refused before an event existed. */
  id: string | null;
  /** EventSource name ("" when only a sensor saw the event, e.g. received by another replica). */
  source: string;
  /** Event name. */
  subject: string;
  type: string;
  namespace: string;
  time: string;
  receiver?: { status: number; reason: string; message: string; durationMs: number };
  triggers: TriggerRecord[];
}

export interface EventCounts {
  received: number;
  published: number;
  filtered: number;
  failed: number;
}

export interface TriggerCounts {
  /** Events settled at this trigger: filtered + triggered + failed. */
  received: number;
  filtered: number;
  triggered: number;
  failed: number;
  retried: number;
  deadLettered: number;
  rateLimited: number;
  /** Firings whose object already existed (a redelivery). */
  duplicates: number;
}

export interface FlowEvent {
  name: string;
  type: string;
  /** False when sensors depend on it but no loaded EventSource declares it. */
  configured: boolean;
  counts: EventCounts;
}

export interface FlowEventSource {
  namespace: string;
  name: string;
  events: FlowEvent[];
}

export interface FlowTrigger {
  name: string;
  type: string;
  dependencies: string[];
  /** Set on a dlqTrigger: the trigger whose final failures it receives. */
  dlqFor?: string;
  counts: TriggerCounts;
}

export interface FlowSensor {
  namespace: string;
  name: string;
  dependencies: { name: string; eventSourceName: string; eventName: string }[];
  triggers: FlowTrigger[];
}

export interface RejectedSpec {
  kind: string;
  namespace: string;
  name: string;
  message: string;
  time: string;
}

/** The last check of one managed hook on one target. */
export interface ManagedHookLine {
  hook: string;
  provider: string;
  target: string;
  url: string;
  action: string;
  error?: string;
  time: string;
}

/** A failed delivery the provider was asked to send again. */
export interface RecoveredLine {
  hook: string;
  provider: string;
  target: string;
  guid: string;
  event: string;
  time: string;
}

export interface Flow {
  eventSources: FlowEventSource[];
  sensors: FlowSensor[];
  rejectedSpecs: RejectedSpec[];
  managedHooks: ManagedHookLine[];
  recoveredDeliveries: RecoveredLine[];
  generatedAt: string;
}

/** What the recorder asks the process's router: counts it does not report one by one, and reasons on demand. */
export interface RouterView {
  /** Per trigger (`namespace\0sensor\0trigger`): events the dependency index ruled out. */
  excludedCounts(): Map<string, number>;
  explain(event: SensorEvent, namespace: string): ExplainedSkip[];
}

/** One event with every trigger's outcome, those the index ruled out included (reasons computed now). */
export interface ExplainedEvent {
  event: EventRecord;
  /** Triggers that never saw the event, and why their filters rule it out; absent when the payload is no longer kept. */
  ruledOut?: ExplainedSkip[];
}

export const DEFAULT_CAPACITY = 1000;
/** Bytes of records and kept payloads (estimated from their JSON size) before the oldest go. */
export const DEFAULT_MAX_BYTES = 32 * 1024 * 1024;
const RECORD_BYTES = 300;
const TRIGGER_BYTES = 200;
const REJECTED_KEPT = 50;

const key = (...parts: string[]) => parts.join("\u0000");

function zeroEvent(): EventCounts {
  return { received: 0, published: 0, filtered: 0, failed: 0 };
}

function zeroTrigger(): TriggerCounts {
  return { received: 0, filtered: 0, triggered: 0, failed: 0, retried: 0, deadLettered: 0, rateLimited: 0, duplicates: 0 };
}

/**
 * The recent history behind the event-flow page: the last `capacity` events with
 * every outcome they had, and running counts per event and per trigger (the counts
 * outlive the buffer; they restart with the process).
 */
export class FlowRecorder {
  /** Oldest first from `head`; compacted as it goes. */
  private records: EventRecord[] = [];
  private head = 0;
  private bytes = 0;
  private readonly sizes = new Map<EventRecord, number>();
  /** Payloads of routed events, kept to explain skips on demand. */
  private readonly payloads = new Map<EventRecord, SensorEvent>();
  private router: RouterView | undefined;
  private readonly byId = new Map<string, EventRecord>();
  private readonly eventCounts = new Map<string, EventCounts>();
  private readonly triggerCounts = new Map<string, TriggerCounts>();
  private readonly rejected: RejectedSpec[] = [];
  private readonly hooks = new Map<string, ManagedHookLine>();
  private readonly recovered: RecoveredLine[] = [];
  private topology: Topology = { eventSources: [], sensors: [] };

  constructor(
    readonly capacity = DEFAULT_CAPACITY,
    private readonly now: () => Date = () => new Date(),
    readonly maxBytes = DEFAULT_MAX_BYTES,
  ) {
    if (!(Number.isInteger(capacity) && capacity > 0)) throw new RangeError("capacity must be a positive integer");
    if (!(maxBytes > 0)) throw new RangeError("maxBytes must be positive");
  }

  setTopology(topology: Topology): void {
    this.topology = topology;
  }

  setRouter(router: RouterView): void {
    this.router = router;
  }

  private get size(): number {
    return this.records.length - this.head;
  }

  private add(record: EventRecord, bytes = RECORD_BYTES): void {
    this.records.push(record);
    if (record.id) this.byId.set(record.id, record);
    this.grow(record, bytes);
  }

  /** Accounts for `bytes` more held for `record`, then drops the oldest records beyond the bounds. */
  private grow(record: EventRecord, bytes: number): void {
    this.sizes.set(record, (this.sizes.get(record) ?? 0) + bytes);
    this.bytes += bytes;
    while (this.size > 1 && (this.size > this.capacity || this.bytes > this.maxBytes)) this.evictOldest();
    if (this.head > 1024 && this.head * 2 > this.records.length) {
      this.records = this.records.slice(this.head);
      this.head = 0;
    }
  }

  private evictOldest(): void {
    const old = this.records[this.head] as EventRecord;
    this.records[this.head++] = undefined as unknown as EventRecord;
    if (old.id && this.byId.get(old.id) === old) this.byId.delete(old.id);
    this.bytes -= this.sizes.get(old) ?? 0;
    this.sizes.delete(old);
    this.payloads.delete(old);
  }

  /** The router sent the event on (or ruled every trigger out): keep its payload once, to explain skips later. */
  routed(r: RoutedEvent, payloadBytes: number): void {
    let record = this.byId.get(r.eventId);
    if (!record) {
      record = { id: r.eventId, source: "", subject: "", type: "", namespace: "", time: this.now().toISOString(), triggers: [] };
      this.add(record);
    }
    if (this.payloads.has(record)) return;
    this.payloads.set(record, r.event);
    this.grow(record, payloadBytes);
  }

  /** One event with the reasons of the triggers the index ruled out, computed from its kept payload. */
  explain(id: string): ExplainedEvent | undefined {
    const record = this.byId.get(id);
    if (!record) return undefined;
    const event = this.payloads.get(record);
    const shown = new Set(record.triggers.map((t) => key(t.namespace, t.sensor, t.trigger)));
    const ruledOut =
      event && this.router ? this.router.explain(event, record.namespace).filter((x) => !shown.has(key(x.namespace, x.sensor, x.trigger))) : undefined;
    return structuredClone({ event: record, ...(ruledOut ? { ruledOut } : {}) });
  }

  /** The kept event as `test-sensor --event` reads it ({context, data}); undefined when not (or no longer) kept. */
  event(id: string): SensorEvent | undefined {
    const record = this.byId.get(id);
    const event = record ? this.payloads.get(record) : undefined;
    return event ? structuredClone(event) : undefined;
  }

  receiverOutcome(o: ReceiverOutcome): void {
    const counts = this.eventCountsOf(o.namespace, o.eventSourceName, o.eventName);
    counts.received++;
    if (o.reason === "published") counts.published++;
    else if (o.reason === "filtered" || o.reason === "not-subscribed") counts.filtered++;
    else counts.failed++;

    const receiver = { status: o.status, reason: o.reason, message: o.message, durationMs: o.durationMs };
    const existing = o.eventId ? this.byId.get(o.eventId) : undefined;
    if (existing && !existing.receiver) {
      // A sensor reported before the receiver did: complete that record.
      Object.assign(existing, { source: o.eventSourceName, subject: o.eventName, type: o.type, receiver });
      return;
    }
    this.add({
      id: o.eventId ?? null,
      source: o.eventSourceName,
      subject: o.eventName,
      type: o.type,
      namespace: o.namespace,
      time: this.now().toISOString(),
      receiver,
      triggers: [],
    });
  }

  triggerOutcome(o: ObservedTriggerOutcome): void {
    this.countTrigger(o);
    for (const id of outcomeEventIds(o)) this.attach(id, o);
  }

  private attach(id: string, o: ObservedTriggerOutcome): void {
    let record = this.byId.get(id);
    if (!record) {
      record = { id, source: "", subject: "", type: "", namespace: o.namespace, time: this.now().toISOString(), triggers: [] };
      this.add(record);
    }
    let t = record.triggers.find((x) => x.namespace === o.namespace && x.sensor === o.sensor && x.trigger === o.trigger);
    if (!t) {
      t = { namespace: o.namespace, sensor: o.sensor, trigger: o.trigger, status: o.status, attempts: 0, time: "" };
      record.triggers.push(t);
      this.grow(record, TRIGGER_BYTES + ("reason" in o ? o.reason.length : 0));
    }
    // A retry's outcome replaces the previous one; "rate-limited" is a note, not an outcome.
    if (o.status === "rate-limited" && t.attempts > 0) return;
    t.status = o.status;
    t.time = this.now().toISOString();
    t.attempts++;
    t.reason = outcomeDetail(o);
    t.object = o.status === "fired" ? o.object : undefined;
    t.alreadyExisted = o.status === "fired" ? o.alreadyExisted : undefined;
    t.willRetry = o.status === "failed" ? o.willRetry : undefined;
    t.deadLetter = o.status === "dead-lettered" ? { via: o.via, target: o.target } : undefined;
  }

  private countTrigger(o: ObservedTriggerOutcome): void {
    const k = key(o.namespace, o.sensor, o.trigger);
    let c = this.triggerCounts.get(k);
    if (!c) this.triggerCounts.set(k, (c = zeroTrigger()));
    if (isFinal(o)) c.received++;
    switch (o.status) {
      case "fired":
        c.triggered++;
        if (o.alreadyExisted) c.duplicates++;
        break;
      case "skipped":
        c.filtered++;
        break;
      case "failed":
        if (o.willRetry) c.retried++;
        else c.failed++;
        break;
      case "dead-lettered":
        c.deadLettered++;
        break;
      case "rate-limited":
        c.rateLimited++;
        break;
    }
  }

  private eventCountsOf(namespace: string, source: string, name: string): EventCounts {
    const k = key(namespace, source, name);
    let c = this.eventCounts.get(k);
    if (!c) this.eventCounts.set(k, (c = zeroEvent()));
    return c;
  }

  specRejected(spec: Omit<RejectedSpec, "time">): void {
    this.rejected.unshift({ ...spec, time: this.now().toISOString() });
    this.rejected.length = Math.min(this.rejected.length, REJECTED_KEPT);
  }

  hookSynced(line: Omit<ManagedHookLine, "time">): void {
    this.hooks.set(`${line.hook} ${line.target}`, { ...line, time: this.now().toISOString() });
  }

  deliveryRecovered(line: Omit<RecoveredLine, "time">): void {
    this.recovered.unshift({ ...line, time: this.now().toISOString() });
    this.recovered.length = Math.min(this.recovered.length, REJECTED_KEPT);
  }

  /** The last `limit` events, newest first. */
  events(limit = 100): EventRecord[] {
    const out: EventRecord[] = [];
    for (let i = this.records.length - 1; i >= this.head && out.length < limit; i--) out.push(this.records[i] as EventRecord);
    return structuredClone(out);
  }

  flow(): Flow {
    const sources = new Map<string, FlowEventSource>();
    const sourceOf = (namespace: string, name: string) => {
      const k = key(namespace, name);
      let s = sources.get(k);
      if (!s) sources.set(k, (s = { namespace, name, events: [] }));
      return s;
    };
    const seen = new Set<string>();
    const addEvent = (namespace: string, source: string, name: string, type: string, configured: boolean) => {
      const k = key(namespace, source, name);
      if (seen.has(k)) return;
      seen.add(k);
      const counts = { ...(this.eventCounts.get(k) ?? zeroEvent()) };
      sourceOf(namespace, source).events.push({ name, type, configured, counts });
    };
    for (const es of this.topology.eventSources) {
      sourceOf(es.namespace, es.name);
      for (const e of es.events) addEvent(es.namespace, es.name, e.name, e.type, true);
    }
    for (const s of this.topology.sensors) {
      for (const d of s.dependencies) addEvent(s.namespace, d.eventSourceName, d.eventName, "", false);
    }
    // Events seen but in no loaded spec (e.g. removed by a reload) still show.
    for (const k of this.eventCounts.keys()) {
      const [namespace, source, name] = k.split("\u0000");
      addEvent(namespace, source, name, "", false);
    }
    // Events the router's index ruled out are "filtered" too; it counts them in bulk.
    const excluded = this.router?.excludedCounts() ?? new Map<string, number>();
    const countsOf = (namespace: string, sensor: string, trigger: string): TriggerCounts => {
      const k = key(namespace, sensor, trigger);
      const c = { ...(this.triggerCounts.get(k) ?? zeroTrigger()) };
      const n = excluded.get(k) ?? 0;
      c.filtered += n;
      c.received += n;
      return c;
    };
    const sensors: FlowSensor[] = this.topology.sensors.map((s) => ({
      namespace: s.namespace,
      name: s.name,
      dependencies: s.dependencies.map((d) => ({ ...d })),
      triggers: s.triggers.map((t) => ({
        name: t.name,
        type: t.type,
        dependencies: [...t.dependencies],
        ...(t.dlqFor ? { dlqFor: t.dlqFor } : {}),
        counts: countsOf(s.namespace, s.name, t.name),
      })),
    }));
    return {
      eventSources: [...sources.values()],
      sensors,
      rejectedSpecs: this.rejected.map((r) => ({ ...r })),
      managedHooks: [...this.hooks.values()].map((h) => ({ ...h })),
      recoveredDeliveries: this.recovered.map((r) => ({ ...r })),
      generatedAt: this.now().toISOString(),
    };
  }
}

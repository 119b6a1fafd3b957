import { createHash } from "node:crypto";
import type { BusMessage, EventBus, Subscription } from "../eventbus/index.js";
import type { Logger } from "../logger.js";
import { isRetryable } from "../retry.js";
import type { SecretStore } from "../config/index.js";
import type { WorkflowClient } from "../workflows/index.js";
import type { CompiledSensor, CompiledTrigger } from "./compile.js";
import { ConditionGatherer, type Gathered } from "./condition-gather.js";
import { MemoryConditionState, type ConditionState } from "./condition-state.js";
import { conditionBucketName, KvConditionState } from "./condition-state-kv.js";
import { systemClock, type Clock } from "./delivery/clock.js";
import { deadLetterEvent, deadLetterSubject, toCloudEvent } from "./delivery/dead-letter.js";
import { executeFiring, type FiringContext } from "./delivery/execute.js";
import { compileDelivery, type DeliverySettings } from "./delivery/settings.js";
import { sensorEventFromCloudEvent, type SensorEvent } from "./event.js";
import type { TriggerOutcome } from "./outcome.js";
import { EventRouter } from "./routing/router.js";
import { isOrdered, readWork, sharedWorkFilter, workLane } from "./routing/work.js";
import type { FileSourcePolicy } from "./sources/index.js";
import { newTriggerMemory, type TriggerMemory } from "./triggers/memory.js";
import { Where } from "./where.js";

export { ORDERED_ANNOTATION } from "./routing/work.js";

/**
 * Handlers per trigger and process. A handler spends most of its time waiting on
 * I/O (store write, ack round trip), so a small number starves the consumer.
 */
export const DEFAULT_TRIGGER_CONCURRENCY = 32;

export interface SensorRunnerOptions {
  sensor: CompiledSensor;
  bus: EventBus;
  workflows: WorkflowClient;
  secrets: SecretStore;
  logger: Logger;
  onOutcome?: (o: TriggerOutcome) => void;
  /**
   * The process's router, which the owner keeps this Sensor registered with. Without
   * one the runner routes its own events (a router of its own, e.g. in tests).
   */
  router?: EventRouter;
  /**
   * Where multi-dependency triggers keep partial matches. Default: a KV bucket per
   * sensor when the bus has one (JetStream), else in memory.
   */
  conditionState?: ConditionState;
  /** Messages handled at once per trigger. */
  concurrency?: number;
  /** Deliveries of one message before a transient failure is final. */
  maxDeliver?: number;
  /** Time for retries, rate limits and resets; the system clock by default. */
  clock?: Clock;
  /** Overrides clock.now() (e.g. a fixed action timestamp in tests). */
  now?: () => Date;
  /** Jitter source of retryStrategy / policy backoff. */
  random?: () => number;
  /** Delay before a redelivery after a transient failure; exponential up to 30 s by default. */
  retryDelayMs?: (deliveryCount: number) => number;
  /**
   * What the triggers remember between firings (log throttle, url sources). A gateway
   * gives all its runners one, so it survives a Sensor's reload; default: one of its own.
   */
  triggerMemory?: TriggerMemory;
  /** Which files `file` sources may read (default: any, as in Argo Events' Sensor pod). */
  fileSources?: FileSourcePolicy;
}

const MAX_BACKOFF_MS = 30_000;

/** A durable consumer name: `<namespace>-<sensor>-<trigger>`, with a hash when sanitising changed it. */
export function durableName(namespace: string, sensor: string, trigger: string): string {
  const raw = `${namespace}-${sensor}-${trigger}`;
  const safe = raw.replace(/[^A-Za-z0-9_-]/g, "_");
  if (safe === raw) return raw;
  return `${safe}-${createHash("sha256").update(raw).digest("hex").slice(0, 8)}`;
}

export function backoffMs(deliveryCount: number): number {
  return Math.min(MAX_BACKOFF_MS, 1000 * 2 ** Math.max(0, deliveryCount - 1));
}

interface RunningTrigger {
  trigger: CompiledTrigger;
  key: string;
  multi: boolean;
  settings: DeliverySettings;
  dlq?: { trigger: CompiledTrigger; settings: DeliverySettings };
}

type Base = { sensor: string; namespace: string; trigger: string; eventId: string };

/**
 * Times one firing as Argo Events times an action (argo_events_action_duration_milliseconds):
 * from its start to its outcome, retryStrategy attempts and their backoff included, the
 * rate-limit wait (taken before the action there) left out. Read on the runner's clock.
 */
class ActionTimer {
  private readonly started: number;
  private waited = 0;
  private stopped: number | undefined;

  constructor(private readonly clock: Clock) {
    this.started = clock.now().getTime();
  }

  rateLimited(ms: number): void {
    this.waited += ms;
  }

  /** Freezes the duration (later calls to elapsedMs return it). */
  stop(): number {
    this.stopped ??= this.elapsedMs();
    return this.stopped;
  }

  elapsedMs(): number {
    return this.stopped ?? Math.max(0, this.clock.now().getTime() - this.started - this.waited);
  }
}

/**
 * Runs one compiled Sensor: a durable consumer per trigger on the subjects of the
 * dependencies it needs; per message match, gather under the condition, fire
 * (retryStrategy, rateLimit, policy.k8s), and settle the message only once the
 * outcome is final: fired, or dead-lettered after the last delivery.
 */
export class SensorRunner {
  private readonly subscriptions: Subscription[] = [];
  private readonly cancels: (() => void)[] = [];
  private readonly maxDeliver: number;
  private readonly clock: Clock;
  private readonly memory: TriggerMemory;
  private readonly triggers: RunningTrigger[];
  private gatherer: ConditionGatherer | undefined;
  /** The router this runner made for itself (no shared one given). */
  private ownRouter: EventRouter | undefined;

  constructor(private readonly options: SensorRunnerOptions) {
    this.maxDeliver = options.maxDeliver ?? 5;
    const base = options.clock ?? systemClock;
    this.clock = options.now ? { ...base, now: options.now } : base;
    this.memory = options.triggerMemory ?? newTriggerMemory();
    const { sensor } = options;
    const where = new Where(sensor.namespace, sensor.name);
    // Compiled here so a bad retryStrategy/rateLimit/cron fails the start, not the first event.
    this.triggers = sensor.triggers.map((trigger, i) => {
      const at = `spec.triggers[${i}]`;
      const dlq = trigger.dlqTrigger;
      return {
        trigger,
        key: durableName(sensor.namespace, sensor.name, trigger.name),
        multi: trigger.dependencies.length > 1,
        settings: compileDelivery(trigger, where, at, this.clock),
        dlq: dlq ? { trigger: dlq, settings: compileDelivery(dlq, where, `${at}.dlqTrigger`, this.clock) } : undefined,
      };
    });
  }

  get ordered(): boolean {
    return isOrdered(this.options.sensor);
  }

  /** The router that sends this runner work: the shared one, or one of its own. */
  private router(): EventRouter {
    if (this.options.router) return this.options.router;
    const { bus, logger, onOutcome, retryDelayMs, concurrency } = this.options;
    return (this.ownRouter ??= new EventRouter({ bus, logger, onOutcome, retryDelayMs, concurrency }));
  }

  /**
   * Consumes each trigger's work subject (a durable consumer per trigger). With a
   * router of its own, registers there last, so no work is routed before a consumer holds it.
   */
  async start(): Promise<void> {
    const { sensor, bus } = this.options;
    if (this.triggers.some((t) => t.multi)) this.gatherer = new ConditionGatherer(await this.conditionState(), () => this.clock.now());
    const router = this.router();
    for (const rt of this.triggers) {
      const sub = await bus.subscribe(
        {
          durable: rt.key,
          subjects: [router.workSubjectOf(sensor, rt.trigger)],
          concurrency: this.options.concurrency ?? DEFAULT_TRIGGER_CONCURRENCY,
          maxDeliver: this.maxDeliver,
          ordered: this.ordered,
          shared: workLane(sensor, rt.trigger) === "shared" ? sharedWorkFilter(bus.name) : undefined,
        },
        (msg) => this.handle(rt, msg),
      );
      this.subscriptions.push(sub);
      this.scheduleResets(rt);
    }
    if (this.ownRouter) await this.ownRouter.set(sensor, this.ordered);
    this.options.logger.info({ sensor: sensor.name, triggers: sensor.triggers.length, ordered: this.ordered }, "sensor started");
  }

  /** Stop taking messages and wait for those in flight. */
  async stop(): Promise<void> {
    await this.ownRouter?.stop();
    this.ownRouter = undefined;
    for (const cancel of this.cancels.splice(0)) cancel();
    const subs = this.subscriptions.splice(0);
    await Promise.all(subs.map((s) => s.drain()));
  }

  private async conditionState(): Promise<ConditionState> {
    const { sensor, bus } = this.options;
    if (this.options.conditionState) return this.options.conditionState;
    if (!bus.openKv) return new MemoryConditionState();
    return new KvConditionState(await bus.openKv(conditionBucketName(sensor.namespace, sensor.name)));
  }

  private scheduleResets(rt: RunningTrigger): void {
    const { reset } = rt.settings;
    const gatherer = this.gatherer;
    if (!reset || !rt.multi || !gatherer) return;
    const log = this.options.logger.child({ sensor: this.options.sensor.name, trigger: rt.trigger.name });
    const run = (tick: Date): void => {
      gatherer.resetBefore(rt.key, tick).then(
        (dropped) => log.info({ tick: tick.toISOString(), dropped }, "conditions reset"),
        (err: unknown) => log.warn({ err }, "conditions reset failed; events older than the tick are ignored anyway"),
      );
    };
    const last = reset.lastTick(this.clock.now());
    if (last) run(last);
    this.cancels.push(reset.schedule(this.clock, run));
  }

  private async handle(rt: RunningTrigger, msg: BusMessage): Promise<void> {
    const { sensor } = this.options;
    const { trigger } = rt;
    const work = readWork(msg.event);
    if (!work) {
      this.options.logger.error({ subject: msg.subject, type: msg.event.type }, "not a work message; dropped");
      return await msg.term();
    }
    const event = sensorEventFromCloudEvent(work.event);
    const base: Base = { sensor: sensor.name, namespace: sensor.namespace, trigger: trigger.name, eventId: event.context.id };
    const log = this.options.logger.child({ eventId: base.eventId, sensor: sensor.name, trigger: trigger.name });
    // The router matched the event; only this trigger's dependencies count.
    const matched = work.dependencies.filter((d) => trigger.dependencies.some((x) => x.name === d));
    if (matched.length === 0) {
      this.report(log, { status: "skipped", ...base, reason: `no dependency of trigger "${trigger.name}" is named in the work (${work.dependencies.join(", ")})` });
      return await msg.ack();
    }
    let events: Record<string, SensorEvent> = Object.fromEntries(matched.map((m) => [m, event]));
    let claimed = false;
    let timer: ActionTimer | undefined;
    try {
      const gathered = await this.gather(rt, matched, event);
      if (!gathered.fire) {
        this.report(log, { status: "skipped", ...base, reason: gathered.reason });
        return await msg.ack();
      }
      events = gathered.events;
      claimed = gathered.claimed;
      timer = new ActionTimer(this.clock);
      const result = await executeFiring(this.firingContext(log, base, timer), trigger, rt.settings, events);
      const durationMs = timer.stop();
      if (claimed) await this.gatherer?.finish(rt.key, event.context.id);
      for (const w of result.warnings) log.warn(w);
      this.report(log, {
        status: "fired",
        ...base,
        eventIds: Object.values(events).map((e) => e.context.id),
        object: result.object,
        alreadyExisted: result.alreadyExisted,
        ...(result.warnings.length > 0 ? { warnings: result.warnings } : {}),
        durationMs,
      });
      await msg.ack();
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err));
      const willRetry = isRetryable(error) && msg.deliveryCount < this.maxDeliver;
      this.report(log, { status: "failed", ...base, error, willRetry, ...(timer ? { durationMs: timer.stop() } : {}) });
      if (willRetry) return await msg.nak((this.options.retryDelayMs ?? backoffMs)(msg.deliveryCount));
      await this.finalFailure(rt, msg, base, log, error, events, claimed);
    }
  }

  private async gather(rt: RunningTrigger, matched: string[], event: SensorEvent): Promise<Gathered> {
    if (!rt.multi || !this.gatherer) return { fire: true, events: { [matched[0] as string]: event }, claimed: false };
    const notBefore = rt.settings.reset?.lastTick(this.clock.now());
    return this.gatherer.gather(rt.trigger, rt.key, matched, event, notBefore);
  }

  private firingContext(log: Logger, base: Base, timer: ActionTimer): FiringContext {
    return {
      sensor: this.options.sensor,
      workflows: this.options.workflows,
      secrets: this.options.secrets,
      logger: log,
      memory: this.memory,
      files: this.options.fileSources,
      clock: this.clock,
      random: this.options.random,
      retryable: isRetryable,
      onRateLimited: (waitedMs) => {
        timer.rateLimited(waitedMs);
        this.report(log, { status: "rate-limited", ...base, waitedMs, reason: `rateLimit held the firing back ${Math.round(waitedMs)} ms` });
      },
    };
  }

  /**
   * The outcome is final: hand the events to the dlqTrigger, or (without one, or
   * when it fails too) publish a dead-letter record on the bus; then ack. Only if
   * even that fails and deliveries remain does the message go back to the bus.
   */
  private async finalFailure(
    rt: RunningTrigger,
    msg: BusMessage,
    base: Base,
    log: Logger,
    error: Error,
    events: Record<string, SensorEvent>,
    claimed: boolean,
  ): Promise<void> {
    const eventIds = Object.values(events).map((e) => e.context.id);
    const deadLettered = (via: "dlqTrigger" | "bus", target: string, reason: string): void =>
      this.report(log, { status: "dead-lettered", ...base, eventIds, error, via, target, reason });
    let dlqError: unknown;
    if (rt.dlq) {
      const dlq = rt.dlq.trigger;
      const dlqBase = { ...base, trigger: dlq.name };
      const dlqLog = log.child({ dlqTrigger: dlq.name });
      const timer = new ActionTimer(this.clock);
      try {
        const r = await executeFiring(this.firingContext(dlqLog, dlqBase, timer), dlq, rt.dlq.settings, events);
        this.report(dlqLog, { status: "fired", ...dlqBase, eventIds, object: r.object, alreadyExisted: r.alreadyExisted, durationMs: timer.stop() });
        deadLettered("dlqTrigger", dlq.name, `dlqTrigger "${dlq.name}" fired`);
      } catch (err) {
        dlqError = err;
        const error = err instanceof Error ? err : new Error(String(err));
        this.report(dlqLog, { status: "failed", ...dlqBase, error, willRetry: false, durationMs: timer.stop() });
      }
    }
    if (!rt.dlq || dlqError !== undefined) {
      const { bus, sensor } = this.options;
      const subject = deadLetterSubject(bus.name, sensor.namespace, sensor.name, rt.trigger.name);
      const record = deadLetterEvent(
        {
          sensor: sensor.name,
          namespace: sensor.namespace,
          trigger: rt.trigger.name,
          error: dlqError === undefined ? error.message : `${error.message}; dlqTrigger failed too: ${String(dlqError)}`,
          eventIds,
          events: Object.fromEntries(Object.entries(events).map(([dep, e]) => [dep, toCloudEvent(e)])),
        },
        this.clock.now(),
      );
      try {
        await bus.publish(subject, record);
        deadLettered("bus", subject, `dead-letter record ${record.id} published`);
      } catch (err) {
        log.error({ err, subject }, "dead letter could not be published");
        if (msg.deliveryCount < this.maxDeliver) return await msg.nak((this.options.retryDelayMs ?? backoffMs)(msg.deliveryCount));
        return await msg.term();
      }
    }
    if (claimed) await this.gatherer?.finish(rt.key, base.eventId).catch((err: unknown) => log.warn({ err }, "condition claim not released"));
    await msg.ack();
  }

  private report(log: Logger, outcome: TriggerOutcome): void {
    switch (outcome.status) {
      case "fired":
        log.info(
          { object: outcome.object, alreadyExisted: outcome.alreadyExisted, eventIds: outcome.eventIds },
          outcome.alreadyExisted ? "trigger already fired for these events" : "trigger fired",
        );
        break;
      case "skipped":
        log.info({ reason: outcome.reason }, "event skipped");
        break;
      case "failed":
        if (outcome.willRetry) log.warn({ err: outcome.error }, "trigger failed, will retry");
        else log.error({ err: outcome.error }, "trigger failed");
        break;
      case "dead-lettered":
        log.error({ err: outcome.error, via: outcome.via, target: outcome.target, eventIds: outcome.eventIds }, "trigger dead-lettered");
        break;
      case "rate-limited":
        log.info({ waitedMs: outcome.waitedMs }, "trigger rate-limited");
        break;
    }
    try {
      this.options.onOutcome?.(outcome);
    } catch (err) {
      log.error({ err }, "onOutcome callback threw");
    }
  }
}

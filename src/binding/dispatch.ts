// The binding dispatcher: evaluates every binding of the event's namespace and
// submits one Workflow per match. One failing binding never stops the others.
import { performance } from "node:perf_hooks";
import type { EventBus, BusMessage, Subscription } from "../eventbus/index.js";
import type { Logger } from "../logger.js";
import type { WorkflowClient, WorkflowClientFor } from "../workflows/index.js";
import { AlreadyExistsError, ExpressionError, ForbiddenError, GatewayError, errorMessage } from "../errors.js";
import { DEFAULT_RETRY, isRetryable, withRetry } from "../retry.js";
import type { BindingCatalog } from "./catalog.js";
import type { CompiledBinding } from "./compile.js";
import { bindingEventData, bindingSubject, expressionEnv, type BindingEventData, type Identity } from "./event.js";
import type { BindingOutcome, BindingOutcomeListener, BindingResult } from "./outcome.js";
import { BINDING_ERROR_REASON, NoopEventRecorder, type EventRecorder } from "./recorder.js";
import type { Authorizer } from "./auth.js";
import { buildWorkflow } from "./workflow.js";

/** Durable consumer shared by every process that dispatches bindings. */
export const BINDINGS_DURABLE = "bindings";
/** Deliveries of an event whose bindings keep failing transiently before the failure is final. */
export const BINDINGS_MAX_DELIVER = 5;

export interface BindingDispatcherDeps {
  catalog: BindingCatalog;
  workflows: WorkflowClient;
  /**
   * In a cluster: the client acting as the poster (impersonation), so that RBAC
   * decides what an authenticated poster's Workflow may be. Without it, `workflows`.
   */
  workflowsAs?: WorkflowClientFor;
  logger: Logger;
  recorder?: EventRecorder;
  /** Checks that the poster may use the template (Kubernetes mode); none = allowed. */
  authorizer?: Authorizer;
  onOutcome?: BindingOutcomeListener;
}

export interface BindingFailure {
  binding: string;
  error: string;
  /** A retry may succeed (isRetryable, e.g. the API unavailable); the durable mode redelivers instead of giving up. */
  transient: boolean;
}

export interface DispatchResult {
  /** Workflow names created or found already created, one per matching binding that succeeded. */
  workflows: string[];
  failures: BindingFailure[];
}

export interface DispatchOptions {
  /** False: transient failures are returned but not yet reported (the event will be redelivered). */
  final?: boolean;
  /** The event was delivered before: a taken fixed `metadata.name` counts as done. */
  redelivery?: boolean;
}

const SERVICE_ACCOUNT = /^system:serviceaccount:([a-z0-9]([-a-z0-9]*[a-z0-9])?):([a-z0-9]([-a-z0-9.]*[a-z0-9])?)$/;

/**
 * In a cluster the Workflow is created as the poster, named by the event on the bus.
 * Only a well-formed service account is acted as, with the groups Kubernetes gives it
 * (never groups carried by the event): an event without one is refused, not created
 * as the gateway.
 */
export function posterIdentity(data: BindingEventData): Identity {
  const username = data.identity?.username ?? "";
  const m = SERVICE_ACCOUNT.exec(username);
  if (!m) throw new ForbiddenError(`binding event ${username ? `poster ${JSON.stringify(username)}` : "without a poster"}: only a service account is acted as`);
  return { username, groups: ["system:serviceaccounts", `system:serviceaccounts:${m[1]}`, "system:authenticated"] };
}

export class BindingDispatcher {
  private readonly recorder: EventRecorder;
  private readonly log: Logger;
  private bus: EventBus | undefined;
  private concurrency = 16;
  private readonly subscriptions = new Map<string, Promise<Subscription>>();

  constructor(private readonly deps: BindingDispatcherDeps) {
    this.recorder = deps.recorder ?? new NoopEventRecorder();
    this.log = deps.logger.child({ component: "binding-dispatcher" });
  }

  async dispatch(data: BindingEventData, eventId: string, options: DispatchOptions = {}): Promise<DispatchResult> {
    const final = options.final ?? true;
    const bindings = await this.deps.catalog.bindings(data.namespace);
    const env = expressionEnv(data);
    const result: DispatchResult = { workflows: [], failures: [] };
    await Promise.all(
      bindings.map(async (b) => {
        const started = performance.now();
        try {
          const { result: r, workflow } = await this.dispatchOne(b, data, env, eventId, options.redelivery === true);
          if (workflow) result.workflows.push(workflow);
          this.report(b, data, eventId, r, started, workflow);
        } catch (err) {
          const transient = isRetryable(err);
          result.failures.push({ binding: b.name, error: errorMessage(err), transient });
          if (transient && !final) {
            this.log.warn({ namespace: b.namespace, binding: b.name, eventId, err: errorMessage(err) }, "binding failed, will retry");
            return;
          }
          this.log.error({ namespace: b.namespace, binding: b.name, eventId, err: errorMessage(err) }, "failed to dispatch from event");
          await this.recordWarning(b, err);
          this.report(b, data, eventId, "failed", started, undefined, errorMessage(err));
        }
      }),
    );
    return result;
  }

  private async dispatchOne(
    b: CompiledBinding,
    data: BindingEventData,
    env: Record<string, unknown>,
    eventId: string,
    redelivery: boolean,
  ): Promise<{ result: BindingResult; workflow?: string }> {
    if (b.compileError) throw b.compileError;
    let matched: unknown;
    try {
      matched = b.selector?.evaluate(env);
    } catch (err) {
      throw new ExpressionError(`failed to evaluate workflow template expression: ${errorMessage(err)}`, { cause: err });
    }
    if (typeof matched !== "boolean") {
      throw new ExpressionError(`unable to cast expression result '${String(matched)}' to bool`);
    }
    if (!matched || !b.template) return { result: "not-matched" };
    const ref = b.template;
    const identity = this.deps.workflowsAs ? posterIdentity(data) : data.identity;
    if (identity && this.deps.authorizer) {
      await this.deps.authorizer.authorizeTemplate(identity, b.namespace, ref);
    }
    // As Argo's dispatcher: retry.DefaultRetry (5 tries, 10 ms apart) while the error is retryable.
    const template = await withRetry(DEFAULT_RETRY, () => this.deps.catalog.template(b.namespace, ref));
    const wf = buildWorkflow({ binding: b, template, env, eventId, identity: data.identity });
    const name = wf.metadata.name as string;
    const client = identity && this.deps.workflowsAs ? this.deps.workflowsAs(identity.username) : this.deps.workflows;
    try {
      await withRetry(DEFAULT_RETRY, () => client.create(wf));
      return { result: "submitted", workflow: name };
    } catch (err) {
      // A derived name already taken = this event was already dispatched; a fixed name only on a redelivery.
      const derived = !b.metadata.name;
      if (err instanceof AlreadyExistsError && (derived || redelivery)) return { result: "already-submitted", workflow: name };
      if (isRetryable(err)) throw err;
      // Still final: isRetryable looks down the cause chain.
      throw new GatewayError(`failed to create workflow: ${errorMessage(err)}`, { cause: err });
    }
  }

  private async recordWarning(b: CompiledBinding, err: unknown): Promise<void> {
    try {
      await this.recorder.warning(b.binding, BINDING_ERROR_REASON, `failed to dispatch event: ${errorMessage(err)}`);
    } catch (e) {
      this.log.warn({ binding: b.name, err: errorMessage(e) }, "recording the binding warning failed");
    }
  }

  private report(
    b: CompiledBinding,
    data: BindingEventData,
    eventId: string,
    result: BindingResult,
    started: number,
    workflow?: string,
    error?: string,
  ): void {
    if (result === "submitted") this.log.info({ namespace: b.namespace, binding: b.name, eventId, workflow }, "workflow submitted");
    if (!this.deps.onOutcome) return;
    const outcome: BindingOutcome = {
      namespace: b.namespace,
      binding: b.name,
      eventId,
      discriminator: data.discriminator,
      result,
      workflow,
      error,
      durationMs: performance.now() - started,
    };
    try {
      this.deps.onOutcome(outcome);
    } catch (err) {
      this.log.error({ err: errorMessage(err) }, "binding outcome listener failed");
    }
  }

  /**
   * Durable mode: consume `<bus>._bindings.<namespace>` for every namespace with
   * bindings, through the shared durable consumer `bindings`. A message is acked
   * once every binding is final; transient failures get it redelivered (the
   * derived Workflow names make the replay idempotent).
   */
  async start(bus: EventBus, options: { concurrency?: number } = {}): Promise<Subscription> {
    this.bus = bus;
    this.concurrency = options.concurrency ?? 16;
    for (const ns of await this.deps.catalog.namespaces()) await this.ensureSubscribed(ns);
    return {
      drain: async () => {
        const subs = [...this.subscriptions.values()];
        this.subscriptions.clear();
        this.bus = undefined;
        await Promise.all(subs.map(async (p) => (await p).drain()));
      },
    };
  }

  /**
   * Subscribes one more namespace (bindings can appear later in Kubernetes mode).
   * One subscription per namespace, so every process derives the same consumer
   * whatever order it learnt the namespaces in.
   */
  ensureSubscribed(namespace: string): Promise<void> {
    const bus = this.bus;
    if (!bus) return Promise.resolve();
    let sub = this.subscriptions.get(namespace);
    if (!sub) {
      sub = bus.subscribe(
        {
          durable: BINDINGS_DURABLE,
          subjects: [bindingSubject(bus.name, namespace)],
          concurrency: this.concurrency,
          maxDeliver: BINDINGS_MAX_DELIVER + 1,
        },
        (msg) => this.handle(msg),
      );
      this.subscriptions.set(namespace, sub);
      sub.catch(() => this.subscriptions.delete(namespace));
    }
    return sub.then(() => undefined);
  }

  private async handle(msg: BusMessage): Promise<void> {
    const data = bindingEventData(msg.event);
    if (!data) {
      this.log.error({ eventId: msg.event.id, type: msg.event.type }, "not a binding event, dropped");
      await msg.term();
      return;
    }
    const final = msg.deliveryCount >= BINDINGS_MAX_DELIVER;
    const result = await this.dispatch(data, msg.event.id, { final, redelivery: msg.deliveryCount > 1 });
    if (!final && result.failures.some((f) => f.transient)) {
      await msg.nak(Math.min(30_000, 1000 * 2 ** (msg.deliveryCount - 1)));
      return;
    }
    await msg.ack();
  }
}

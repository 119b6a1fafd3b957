// WorkflowEventBinding endpoint + dispatcher: Argo Workflows'
// `POST /api/v1/events/{namespace}/{discriminator}` on its own port.
//
// Differences from Argo, on purpose:
// - durable mode (default): 200 means the event is stored in the bus; the
//   dispatcher (durable consumer `bindings`, shared by every process) submits;
//   Argo's async mode answers before anything is stored and loses the queue on restart;
// - the Workflow name suffix derives from the event id and the binding, so a
//   redelivery (or a provider redelivery with the same delivery id) submits once;
// - bodies over 2 MiB get 413 (Argo: 403), bus down gets 503;
// - `x-gitlab-token` is masked in `metadata`; sprig functions are not available
//   in `submit.metadata` expressions.
import type { EventBus, Subscription } from "../eventbus/index.js";
import type { Logger } from "../logger.js";
import type { BodyBudget } from "../http/index.js";
import type { WorkflowClient, WorkflowClientFor } from "../workflows/index.js";
import { NamespaceAuthorizer, NoTokensAuthenticator, TokensFileAuthenticator, type Authenticator, type Authorizer } from "./auth.js";
import { SpecBindingCatalog, type BindingCatalog, type BindingSpecs } from "./catalog.js";
import { BindingDispatcher } from "./dispatch.js";
import type { BindingMode } from "./endpoint.js";
import type { BindingOutcomeListener } from "./outcome.js";
import type { EventRecorder } from "./recorder.js";
import { DEFAULT_EVENTS_PORT, startBindingServer } from "./server.js";
import { DirWebhookClientSource, type WebhookClientSource } from "./webhook-clients.js";

export { compileBinding, type CompiledBinding } from "./compile.js";
export { bindingWarnings } from "./compile-check.js";
export { SpecBindingCatalog, LiveBindingCatalog, type BindingCatalog, type BindingSpecs, type TemplateRef } from "./catalog.js";
export { BindingDispatcher, BINDINGS_DURABLE, type DispatchResult, type BindingFailure } from "./dispatch.js";
export { createEventHandler, parseEventsPath, MAX_EVENT_BODY, type BindingMode, type EventRequest, type EventResponse } from "./endpoint.js";
export { startBindingServer, DEFAULT_EVENTS_PORT, type BindingServer, type BindingServerOptions } from "./server.js";
export * from "./auth.js";
export * from "./event.js";
export * from "./outcome.js";
export * from "./recorder.js";
export * from "./webhook-clients.js";
export { buildWorkflow, bindingWorkflowName, parameterValue, goJson } from "./workflow.js";

export interface StartBindingsOptions {
  /** The loaded specs (local mode), or `catalog` (e.g. watched CRs). */
  specs?: BindingSpecs;
  catalog?: BindingCatalog;
  bus: EventBus;
  workflows: WorkflowClient;
  /** See BindingDispatcherDeps.workflowsAs. */
  workflowsAs?: WorkflowClientFor;
  logger: Logger;
  mode?: BindingMode;
  /** Default 2746; 0 = any free port. */
  port?: number;
  host?: string;
  /** Standalone bearer tokens: YAML/JSON map token -> {serviceAccount, namespace}. */
  tokensFile?: string;
  /** Standalone webhook clients: `<dir>/argo-workflows-webhook-clients/<client>`. */
  secretsDir?: string;
  authenticator?: Authenticator;
  authorizer?: Authorizer;
  webhookClients?: WebhookClientSource;
  recorder?: EventRecorder;
  onOutcome?: BindingOutcomeListener;
  /** Every answer of the endpoint, by status (metrics). */
  onResponse?: (status: number) => void;
  /** Shared with the receivers: one cap on unverified body bytes per process. */
  bodyBudget?: BodyBudget;
  /** Events dispatched at once by this process (durable mode). */
  concurrency?: number;
  /** Serve the HTTP endpoint (default true); false in a `--role sensors` process. */
  endpoint?: boolean;
  /** Consume the bus and submit (durable mode, default true); false in a `--role receivers` process. */
  dispatch?: boolean;
}

export interface Bindings {
  /** Base URL of the events endpoint; undefined when this process serves none. */
  readonly url: string | undefined;
  readonly mode: BindingMode;
  readonly dispatcher: BindingDispatcher;
  /** Graceful shutdown: the endpoint answers 503 from now on; requests in flight go on. */
  drain(): void;
  /** Requests being served now. */
  inFlight(): number;
  /**
   * Drains, waits for the requests in flight, then stops the dispatcher's
   * subscription (its handlers finish); the port stays open, refusing.
   */
  finish(): Promise<void>;
  /** finish(), then closes the port. */
  close(): Promise<void>;
}

/** The events endpoint and (durable mode) the dispatcher's subscription, wired for `serve`. */
export async function startBindings(o: StartBindingsOptions): Promise<Bindings> {
  const mode = o.mode ?? "durable";
  const catalog = o.catalog ?? new SpecBindingCatalog(o.specs ?? { bindings: [], workflowTemplates: [] });
  if (catalog instanceof SpecBindingCatalog) {
    for (const b of catalog.all()) {
      if (b.compileError) o.logger.warn({ namespace: b.namespace, binding: b.name, err: b.compileError.message }, "binding does not compile; its events will fail");
    }
  }
  const authorizer = o.authorizer ?? new NamespaceAuthorizer();
  const dispatcher = new BindingDispatcher({
    catalog,
    workflows: o.workflows,
    workflowsAs: o.workflowsAs,
    logger: o.logger,
    recorder: o.recorder,
    authorizer: o.authorizer,
    onOutcome: o.onOutcome,
  });
  let subscription: Subscription | undefined;
  if (mode === "durable" && o.dispatch !== false) subscription = await dispatcher.start(o.bus, { concurrency: o.concurrency });
  if (o.endpoint === false) {
    const stop = async (): Promise<void> => {
      await subscription?.drain();
    };
    let stopping: Promise<void> | undefined;
    return { url: undefined, mode, dispatcher, drain: () => undefined, inFlight: () => 0, finish: () => (stopping ??= stop()), close: () => (stopping ??= stop()) };
  }
  const authenticator = o.authenticator ?? (o.tokensFile ? await TokensFileAuthenticator.load(o.tokensFile) : new NoTokensAuthenticator());
  let server;
  try {
    server = await startBindingServer({
      mode,
      catalog,
      dispatcher,
      bus: o.bus,
      authenticator,
      authorizer,
      webhookClients: o.webhookClients ?? new DirWebhookClientSource(o.secretsDir),
      logger: o.logger,
      port: o.port ?? DEFAULT_EVENTS_PORT,
      host: o.host,
      bodyBudget: o.bodyBudget,
      onResponse: o.onResponse,
    });
  } catch (err) {
    await subscription?.drain();
    throw err;
  }
  const s = server;
  let finishing: Promise<void> | undefined;
  const finish = (): Promise<void> =>
    (finishing ??= (async () => {
      s.drain();
      await s.settled();
      await subscription?.drain();
    })());
  return {
    url: s.url,
    mode,
    dispatcher,
    drain: () => s.drain(),
    inFlight: () => s.inFlight(),
    finish,
    close: async () => {
      await finish();
      await s.close();
    },
  };
}

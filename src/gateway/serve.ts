import { dirname, join, relative, resolve } from "node:path";
import type { FileSourcePolicy } from "../sensor/index.js";
import { constants, existsSync } from "node:fs";
import { access, stat } from "node:fs/promises";
import type { Logger } from "../logger.js";
import { type SecretStore, type SpecSet, FileSpecSource, createEventBus, DirSecretStore } from "../config/index.js";
import { withHookManager } from "./hooks.js";
import { LocalWorkflowStore } from "../workflows/index.js";
import { startGateway, type Gateway } from "./gateway.js";
import { BodyBudget } from "../http/index.js";
import type { EventSource } from "../api/index.js";
import { errorMessage, GatewayError } from "../errors.js";
import type { KubeServeOptions } from "./kube.js";
import {
  startBindings,
  DEFAULT_EVENTS_PORT,
  LiveBindingCatalog,
  type BindingMode,
  type StartBindingsOptions,
} from "../binding/index.js";
import type { Observer } from "../observe/index.js";
import { runsReceivers, runsSensors, type GatewayRole } from "./role.js";
import { SecretWarnings } from "./secret-warnings.js";

export interface ServeOptions {
  config: string[];
  localStore: string;
  /** `--trigger-files-dir`: trigger `file` sources only inside it (default: any path; with --kube, none). */
  triggerFilesDir?: string;
  secretsDir?: string;
  host?: string;
  /** `CONFIGURED=ACTUAL` port mappings (ACTUAL 0 = a free port). */
  ports: string[];
  natsUrl?: string;
  publishDeadlineMs?: number;
  /** JetStream consumers' ack wait (redelivery of an unsettled message, e.g. of a killed process). */
  ackWaitMs?: number;
  /** Trigger handlers running at once per trigger and process. */
  triggerConcurrency?: number;
  /** `--kube`: specs, Workflows and Secrets from the Kubernetes API instead of files. */
  kube?: KubeServeOptions;
  /** The WorkflowEventBinding endpoint: --events-port (default 2746, 0 = free), --binding-mode, --tokens-file. */
  events?: { port?: number; mode?: BindingMode; tokensFile?: string };
  /** Metrics, readiness and the event-flow page (src/observe), fed by every outcome. */
  observer?: Observer;
  logger: Logger;
  /** Set by `--workers` and `--role`: the bus must be one the processes share (JetStream). */
  sharedBusFor?: string;
  /** Receivers, sensors or both (default). */
  role?: GatewayRole;
  /** Keep the hooks EventSources ask for on their providers (default true; `--no-manage-hooks`). */
  manageHooks?: boolean;
  /** Unverified request-body bytes held at once, all webhook ports and the events endpoint together (default 64 MiB). */
  bodyBudgetBytes?: number;
}

export function parsePortMap(specs: string[]): (configured: string) => number {
  const map = new Map<string, number>();
  for (const s of specs) {
    const m = /^(\d+)=(\d+)$/.exec(s);
    if (!m) throw new GatewayError(`--port ${s}: expected CONFIGURED=ACTUAL, e.g. 12000=0`);
    map.set(m[1], Number(m[2]));
  }
  return (configured) => map.get(configured) ?? Number(configured);
}

export async function serveCommand(o: ServeOptions): Promise<{ gateway: Gateway; specs: SpecSet }> {
  // One cap on unverified body bytes for the whole process: webhook ports and the events endpoint.
  const bodyBudget = new BodyBudget(o.bodyBudgetBytes);
  if (o.kube) {
    // Loaded only with --kube: @kubernetes/client-node alone is most of a local run's start time and memory.
    const [{ startKubeGateway }, { kubeBindingAuth }] = await Promise.all([import("./kube.js"), import("../binding/kubernetes.js")]);
    const kube = await startKubeGateway({ ...o, kube: o.kube, portOverride: parsePortMap(o.ports), bodyBudget, fileSources: fileSourcePolicy(o) });
    const set = kube.gateway.specs();
    const gateway = await withHooks(
      await withBindings(kube.gateway, o, {
        catalog: new LiveBindingCatalog(() => kube.gateway.specs()),
        workflows: kube.workflows,
        workflowsAs: kube.workflowsAs,
        bodyBudget,
        ...kubeBindingAuth(kube.kubeConfig),
      }),
      o,
      kube.secrets,
    );
    logEndpoints(gateway, o.logger);
    o.logger.info({ eventSources: set.eventSources.length, sensors: set.sensors.length, namespace: o.kube.namespace ?? "(all)", role: o.role ?? "all" }, "gateway ready");
    return { gateway, specs: set };
  }
  // Locally the loaded YAML is the whole catalogue; it follows edits of the --config files.
  // The store is written at each firing: a path that cannot hold it fails the start, not every firing.
  if (runsSensors(o.role ?? "all")) await checkStoreDir(o.localStore);
  const workflows = new LocalWorkflowStore({ dir: o.localStore });
  const seen = new Set<string>();
  let started: Gateway | undefined;
  // Secrets are read per delivery and firing from --secrets-dir: one missing is a warning at load and reload, not an error.
  const secretWarnings = new SecretWarnings({ logger: o.logger, secretsDir: o.secretsDir, role: o.role, manageHooks: o.manageHooks });
  const source: FileSpecSource = new FileSpecSource({
    paths: o.config,
    logger: o.logger,
    onRejected: (r) => o.observer?.specRejected(r),
    beforeApply: (next) => workflows.setSpecs(next.workflowTemplates),
    afterApply: () => {
      if (!started) return;
      logEndpoints(started, o.logger, seen);
      void secretWarnings.check(source.documents());
    },
  });
  // Strict: one error line per invalid document, and nothing starts.
  const set = await source.load();
  await secretWarnings.check(source.documents());
  const secrets = new DirSecretStore(o.secretsDir);
  let bus;
  try {
    bus = await createEventBus({
      eventBuses: set.eventBuses,
      natsUrl: o.natsUrl,
      publishDeadlineMs: o.publishDeadlineMs,
      ackWaitMs: o.ackWaitMs,
      secrets,
      logger: o.logger,
      sharedBusFor: o.sharedBusFor,
    });
  } catch (err) {
    await source.stop();
    throw err;
  }
  started = await startGateway({
    source,
    bus,
    triggerConcurrency: o.triggerConcurrency,
    workflows,
    // A template not in the loaded YAML is an error.
    missingTemplate: "reject",
    secrets,
    logger: o.logger,
    host: o.host,
    portOverride: parsePortMap(o.ports),
    observer: o.observer,
    role: o.role,
    bodyBudget,
    fileSources: fileSourcePolicy(o),
  });
  const live = started;
  const gateway = await withHooks(
    await withBindings(live, o, {
      catalog: new LiveBindingCatalog(() => live.specs()),
      workflows,
      secretsDir: o.secretsDir,
      tokensFile: o.events?.tokensFile,
      bodyBudget,
    }),
    o,
    secrets,
  );
  logEndpoints(gateway, o.logger, seen);
  o.logger.info(
    { eventSources: set.eventSources.length, sensors: set.sensors.length, workflowStore: o.localStore, role: o.role ?? "all" },
    "gateway ready",
  );
  return { gateway, specs: set };
}

/** Argo Events reads a file source in the Sensor's own pod; a shared gateway in a cluster reads none unless told where. */
export function fileSourcePolicy(o: Pick<ServeOptions, "triggerFilesDir" | "kube">): FileSourcePolicy | undefined {
  if (o.triggerFilesDir) return { root: o.triggerFilesDir };
  if (o.kube) return { refused: "file sources are not read with --kube unless --trigger-files-dir names a directory (the gateway's file system is every tenant's; Argo Events reads the Sensor pod's own)" };
  return undefined;
}

/**
 * `--local-store DIR` is a directory this process can write to, or one it can create (its
 * nearest existing ancestor is a writable directory). Nothing is created here.
 */
export async function checkStoreDir(dir: string): Promise<void> {
  const fail = (why: string): never => {
    throw new GatewayError(`--local-store ${dir}: ${why} (Workflows are written to <dir>/<namespace>/<name>.yaml)`);
  };
  const target = resolve(dir);
  for (let path = target; ; path = dirname(path)) {
    let info;
    try {
      info = await stat(path);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // Not there (yet), or below a file: the ancestor decides.
      if ((code === "ENOENT" || code === "ENOTDIR") && dirname(path) !== path) continue;
      return fail(errorMessage(err));
    }
    if (!info.isDirectory()) return fail(path === target ? "not a directory" : `${path} is not a directory, so the store cannot be created below it`);
    try {
      await access(path, constants.W_OK);
    } catch {
      return fail(path === target ? "the directory is not writable" : `${path} is not writable, so the store cannot be created in it`);
    }
    return;
  }
}

/** Managed webhooks (EventSources with `webhook.url` and credentials), kept by the receivers' side. */
async function withHooks(gateway: Gateway, o: ServeOptions, secrets: SecretStore): Promise<Gateway> {
  if (o.manageHooks === false || !runsReceivers(o.role ?? "all")) return gateway;
  try {
    return (await withHookManager(gateway, { secrets, logger: o.logger, events: o.observer?.hookEvents })).gateway;
  } catch (err) {
    await gateway.close();
    throw err;
  }
}

/** Logs each endpoint once; `seen` remembers them across reloads (new ones are logged then). */
function logEndpoints(gateway: Gateway, logger: Logger, seen = new Set<string>()): void {
  for (const e of gateway.endpoints()) {
    const key = `${e.eventSource}/${e.eventName} ${e.url}`;
    if (seen.has(key)) continue;
    seen.add(key);
    logger.info({ eventSource: e.eventSource, eventName: e.eventName, type: e.type, url: e.url }, "listening");
  }
}

type BindingSource = Omit<StartBindingsOptions, "bus" | "logger" | "mode" | "port" | "host" | "onOutcome" | "onResponse">;

/**
 * Starts the WorkflowEventBinding endpoint on the gateway's bus; served even when
 * no EventSource is loaded. It closes before the gateway closes that bus.
 */
async function withBindings(gateway: Gateway, o: ServeOptions, source: BindingSource): Promise<Gateway> {
  let bindings;
  try {
    bindings = await startBindings({
      ...source,
      bus: gateway.bus(),
      logger: o.logger,
      mode: o.events?.mode,
      port: o.events?.port ?? DEFAULT_EVENTS_PORT,
      host: o.host,
      onOutcome: o.observer?.onBindingOutcome,
      onResponse: o.observer?.onEventsResponse,
      endpoint: runsReceivers(o.role ?? "all"),
      dispatch: runsSensors(o.role ?? "all"),
    });
  } catch (err) {
    await gateway.close();
    throw err;
  }
  if (bindings.url) o.logger.info({ url: `${bindings.url}/api/v1/events/`, mode: bindings.mode }, "events endpoint listening");
  const b = bindings;
  return {
    ...gateway,
    drain: () => {
      gateway.drain();
      b.drain();
    },
    inFlight: () => {
      const f = gateway.inFlight();
      return { ...f, requests: f.requests + b.inFlight() };
    },
    close: async () => {
      gateway.drain();
      // Its dispatcher stops before the gateway closes the bus; its port stays open, refusing, until the end.
      await b.finish();
      await gateway.close();
      await b.close();
    },
  };
}

/** A ready-to-paste `send` line for the first endpoint, for the console banner. */
export function sampleSendLine(gateway: Gateway, eventSources: EventSource[], secretsDir?: string): string | undefined {
  const e = gateway.endpoints()[0];
  if (!e) return undefined;
  const es = eventSources.find((s) => s.metadata.name === e.eventSource);
  const section = (es?.spec[e.type] as Record<string, Record<string, unknown>> | undefined)?.[e.eventName];
  const ref = (section?.webhookSecret ?? section?.secretToken ?? section?.authSecret) as
    | { name: string; key: string }
    | undefined;
  const samples: Record<string, [string, string]> = {
    github: ["push", "fixtures/github/push.json"],
    gitlab: ["Push Hook", "fixtures/gitlab/push.json"],
    webhook: ["message", "fixtures/webhook/message.json"],
  };
  const [event, file] = samples[e.type] ?? ["message", "payload.json"];
  const parts = ["npx trigger-gateway send", e.url, "--provider", e.type, "--event", JSON.stringify(event)];
  if (ref && secretsDir) {
    const path = join(secretsDir, ref.name, ref.key);
    parts.push("--secret-file", existsSync(path) ? relative(process.cwd(), path) : path);
  }
  parts.push(file);
  return parts.join(" ");
}

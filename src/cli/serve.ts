// What `trigger-gateway serve` does with its parsed flags (serve-command.ts defines them).
import { setFlagsFromString } from "node:v8";
import { createLogger, surviveClosedStdio } from "../logger.js";
import { runningInPod } from "../config/kube/in-pod.js";
import { DEFAULT_ADMIN_PORT, readinessFlag, startObservability } from "../observe/index.js";
import {
  DEFAULT_GRACE_PERIOD_MS,
  handleShutdownSignals,
  reportDraining,
  reportReady,
  sampleSendLine,
  serveCommand,
  superviseWorkers,
  workerAdminPort,
  workerSlot,
  type GatewayRole,
  type ShutdownOptions,
} from "../gateway/index.js";
import { UsageError } from "./exit-codes.js";
import { checkWorkerAdminPorts } from "./values.js";
import type { ServeFlags } from "./serve-command.js";

/**
 * V8 grows the heap up to ~4x what survives a collection while allocation is high (each
 * webhook allocates its payload several times), and keeps it: 10,000 pushes left 145 MB
 * of heap around 40 MB live. Growing by 30% held it to ~90 MB for ~5% more CPU.
 * A `--heap-growing-percent` in NODE_OPTIONS wins.
 */
function boundHeapGrowth(): void {
  if (!/--heap[-_]growing[-_]percent/.test(process.env.NODE_OPTIONS ?? "") && !process.execArgv.some((a) => /--heap[-_]growing[-_]percent/.test(a))) {
    setFlagsFromString("--heap-growing-percent=30");
  }
}

export async function serve(flags: ServeFlags): Promise<void> {
  boundHeapGrowth();
  // `serve | head -1`: the banner and the logs to a pipe nobody reads are lost, the gateway runs and stops as usual.
  surviveClosedStdio();
  const workers = flags.workers;
  const splitRoles = flags.splitRoles ?? false;
  if (splitRoles && workers < 2) throw new UsageError("--split-roles needs --workers 2 or more");
  if (splitRoles && flags.role !== undefined) throw new UsageError("--split-roles gives each worker its role: drop --role");
  checkWorkerAdminPorts(workers, flags.adminPort);
  // The environment is read here, once: in a pod without --config, Kubernetes is the source.
  const inPod = runningInPod(process.env);
  const config = flags.config ?? [];
  const kube = (flags.kube ?? false) || (inPod && config.length === 0);
  if (!kube && config.length === 0) throw new UsageError("serve needs --config <file|dir> or --kube");
  if (kube && config.length > 0) throw new UsageError("serve takes --config or --kube, not both");
  if (!kube) {
    // Flags only --kube reads: given without it they would be ignored.
    const kubeOnly: [string, unknown][] = [["--namespace", flags.namespace], ["--kubeconfig", flags.kubeconfig], ["--default-service-account", flags.defaultServiceAccount]];
    for (const [flag, value] of kubeOnly) if (value !== undefined) throw new UsageError(`${flag} needs --kube`);
  }
  let role: GatewayRole = flags.role ?? "all";
  const slot = workerSlot(process.env);
  if (workers > 1 && !slot) {
    // Each worker checks its own start (specs, the bus); the primary only supervises.
    superviseWorkers(workers, createLogger({ level: flags.logLevel }).child({ component: "primary" }), splitRoles);
    return;
  }
  if (slot?.role) role = slot.role;
  const gracePeriodMs = flags.gracePeriod ?? DEFAULT_GRACE_PERIOD_MS;
  const base = createLogger({ level: flags.logLevel });
  const logger = slot ? base.child(slot.role ? { worker: slot.index, role: slot.role } : { worker: slot.index }) : base;
  const observability = await startObservability({
    port: workerAdminPort(flags.adminPort ?? DEFAULT_ADMIN_PORT, slot),
    host: flags.host,
    allowedHosts: (flags.adminAllowedHosts ?? "").split(",").map((h) => h.trim()).filter(Boolean),
    logger,
  });
  // Fails at the first signal, so a Service stops routing here while the drain runs.
  const draining = readinessFlag(true);
  observability.observer.addReadinessCheck("draining", draining.check);
  const { gateway, specs } = await serveCommand({
    config,
    kube: kube
      ? {
          kubeconfig: flags.kubeconfig,
          inCluster: inPod && !flags.kubeconfig,
          namespace: flags.namespace,
          defaultServiceAccount: flags.defaultServiceAccount,
        }
      : undefined,
    localStore: flags.localStore,
    triggerFilesDir: flags.triggerFilesDir,
    secretsDir: flags.secretsDir,
    host: flags.host,
    ports: flags.port ?? [],
    natsUrl: flags.natsUrl,
    publishDeadlineMs: flags.publishDeadline,
    ackWaitMs: flags.ackWait,
    triggerConcurrency: flags.triggerConcurrency,
    events: { port: flags.eventsPort, mode: flags.bindingMode, tokensFile: flags.tokensFile },
    observer: observability.observer,
    logger,
    sharedBusFor: slot ? "--workers" : role !== "all" ? `--role ${role}` : undefined,
    role,
    manageHooks: flags.manageHooks,
  });
  // Before anything says ready: serveCommand logs "gateway ready" and returns in one
  // step, so no signal can arrive between that line and these handlers.
  handleShutdownSignals(shutdownOptions());
  observability.ready();
  reportReady();
  if (slot && slot.index > 1) return;
  // A human banner on stderr; stdout stays JSON log lines.
  const line = sampleSendLine(gateway, specs.eventSources, flags.secretsDir);
  const urls = gateway.endpoints().map((e) => `  ${e.type} ${e.eventSource}/${e.eventName}  ${e.url}`);
  if (role === "sensors") process.stderr.write("\ntrigger-gateway runs the sensors (--role sensors): receivers run elsewhere\n");
  else process.stderr.write(`\ntrigger-gateway is listening:\n${urls.join("\n")}\n`);
  if (line) process.stderr.write(`\nTry it from another terminal:\n  ${line}\n\n`);

  function shutdownOptions(): ShutdownOptions {
    return {
      logger,
      gracePeriodMs,
      drain: () => {
        reportDraining();
        draining.set(false, "shutting down");
        gateway.drain();
      },
      close: () => gateway.close().then(() => observability.close()),
      inFlight: () => gateway.inFlight(),
    };
  }
}

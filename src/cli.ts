#!/usr/bin/env node
import { parseArgs } from "node:util";
import { setFlagsFromString } from "node:v8";
import { readFile } from "node:fs/promises";
import { createLogger } from "./logger.js";
import { serveCommand, sampleSendLine } from "./commands/serve.js";
import { validateCommand } from "./commands/validate.js";
import { testSensorCommand } from "./commands/test-sensor.js";
import { send, readSecretFile, type Provider } from "./commands/send.js";
import { errorMessage } from "./errors.js";
import { durationMs } from "./eventbus/jetstream-options.js";
import { runningInPod } from "./config/kube/in-pod.js";
import { DEFAULT_ADMIN_PORT, parseAdminPort, readinessFlag, startObservability } from "./observe/index.js";
import { DEFAULT_GRACE_PERIOD_MS, handleShutdownSignals, type ShutdownOptions } from "./shutdown.js";
import { parseWorkers, reportDraining, reportReady, superviseWorkers, workerAdminPort, workerSlot } from "./commands/workers.js";
import { parseRole, type GatewayRole } from "./role.js";

const USAGE = `Usage: trigger-gateway <command> [options]

Commands:
  serve --config <file|dir>... [--local-store DIR] [--secrets-dir DIR] [--host H]
        [--port CONFIGURED=ACTUAL]... [--log-level LEVEL] [--nats-url URL]
        [--publish-deadline 8s] [--ack-wait 30s] [--trigger-concurrency N]
        [--events-port 2746] [--binding-mode durable|sync] [--tokens-file FILE]
        [--admin-port 7777] [--grace-period 30s] [--workers N [--split-roles]]
        [--role all|receivers|sensors]
      Receive webhooks and run sensors. Embedded defaults: in-process bus,
      Workflows written under --local-store (default .gateway/workflows).
      --nats-url (or a JetStream EventBus spec) makes the bus NATS JetStream.
      POST /api/v1/events/{namespace}/{discriminator} (WorkflowEventBindings)
      listens on --events-port; callers use a bearer token from --tokens-file
      or a webhook client from --secrets-dir/argo-workflows-webhook-clients/<ns>/.
      --admin-port (default 7777, 0 = free): /metrics, /healthz, /readyz and
      the event-flow page at / (what each recent event did, and why). The page
      and /api/* answer only Host localhost, an IP address, or a name from
      --admin-allowed-hosts a,b (e.g. the Service's DNS name); others get 421.
      SIGTERM/SIGINT drains: new deliveries get 503 + Retry-After, /readyz
      turns 503, requests and handlers in flight finish, then exit 0; after
      --grace-period (default 30s) exit 1. A second signal exits at once.
      --workers N (JetStream only) runs N processes sharing the ports and the
      durable consumers, to use N cores; worker k's admin port is base + k - 1.
      --role (JetStream only) runs one half: receivers (EventSource webhooks and
      the events endpoint, publishing) or sensors (triggers and binding
      dispatch, consuming), as Argo Events runs EventSource and Sensor pods.
      --split-roles gives the first N/2 workers the receivers, the rest sensors.
  serve --kube [--namespace NS] [--kubeconfig FILE] [--default-service-account SA]
        [other serve options]
      Specs from the EventSource/Sensor/... resources of a cluster (watched),
      Workflows and Secrets through the Kubernetes API. In a pod, the service
      account is used and --kube is implied when no --config is given.
      Each Sensor's triggers act as its spec.template.serviceAccountName in its
      namespace (Kubernetes impersonation), or as --default-service-account
      (default "default") there; a binding's Workflow is created as its poster.
  validate <file|dir>...
      Check EventSource/Sensor/... YAML; exit 1 with one line per error.
  test-sensor --sensor FILE --event [DEPENDENCY=]FILE...
      Evaluate a sensor offline against saved events; print JSON of what fires.
  send URL --provider github|gitlab|webhook --event NAME [--secret S | --secret-file F] FILE
      Post a payload signed the way the provider signs it; print the status.
`;

function fail(message: string, code = 2): never {
  process.stderr.write(`trigger-gateway: ${message}\n`);
  process.exit(code);
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  switch (command) {
    case "serve":
      return serve(rest);
    case "validate": {
      const { positionals } = parseArgs({ args: rest, allowPositionals: true, options: {} });
      if (positionals.length === 0) fail("validate needs at least one file or directory");
      process.exitCode = await validateCommand(positionals, (l) => process.stdout.write(l + "\n"));
      return;
    }
    case "test-sensor": {
      const { values } = parseArgs({
        args: rest,
        options: { sensor: { type: "string" }, event: { type: "string", multiple: true } },
      });
      if (!values.sensor) fail("test-sensor needs --sensor FILE");
      const result = await testSensorCommand(values.sensor, values.event ?? []);
      process.stdout.write(JSON.stringify(result, null, 2) + "\n");
      return;
    }
    case "send": {
      const { values, positionals } = parseArgs({
        args: rest,
        allowPositionals: true,
        options: {
          provider: { type: "string", default: "webhook" },
          event: { type: "string", default: "" },
          secret: { type: "string" },
          "secret-file": { type: "string" },
        },
      });
      const [url, file] = positionals;
      if (!url || !file) fail("send needs URL and FILE");
      const provider = values.provider as Provider;
      if (!["github", "gitlab", "webhook"].includes(provider)) fail(`unknown --provider ${provider}`);
      const secret = values["secret-file"] ? await readSecretFile(values["secret-file"]) : values.secret;
      const res = await send({ url, provider, event: values.event ?? "", secret, body: await readFile(file) });
      process.stdout.write(`${res.status} ${res.body}\n`);
      process.exitCode = res.status >= 200 && res.status < 300 ? 0 : 1;
      return;
    }
    case undefined:
    case "help":
    case "--help":
    case "-h":
      process.stdout.write(USAGE);
      return;
    default:
      fail(`unknown command "${command}"\n\n${USAGE}`);
  }
}

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

async function serve(args: string[]): Promise<void> {
  boundHeapGrowth();
  const { values } = parseArgs({
    args,
    options: {
      config: { type: "string", multiple: true },
      "local-store": { type: "string", default: ".gateway/workflows" },
      "secrets-dir": { type: "string" },
      host: { type: "string" },
      port: { type: "string", multiple: true },
      "log-level": { type: "string", default: "info" },
      "nats-url": { type: "string" },
      "publish-deadline": { type: "string" },
      "ack-wait": { type: "string" },
      "trigger-concurrency": { type: "string" },
      kube: { type: "boolean", default: false },
      namespace: { type: "string" },
      kubeconfig: { type: "string" },
      "default-service-account": { type: "string" },
      "events-port": { type: "string" },
      "binding-mode": { type: "string" },
      "tokens-file": { type: "string" },
      "admin-port": { type: "string", default: String(DEFAULT_ADMIN_PORT) },
      "admin-allowed-hosts": { type: "string" },
      "grace-period": { type: "string" },
      workers: { type: "string" },
      "split-roles": { type: "boolean", default: false },
      role: { type: "string" },
    },
  });
  let workers = 1;
  try {
    workers = parseWorkers(values.workers);
  } catch (err) {
    fail(errorMessage(err));
  }
  const splitRoles = values["split-roles"] ?? false;
  if (splitRoles && workers < 2) fail("--split-roles needs --workers 2 or more");
  if (splitRoles && values.role !== undefined) fail("--split-roles gives each worker its role: drop --role");
  let role: GatewayRole = "all";
  try {
    role = parseRole(values.role);
  } catch (err) {
    fail(errorMessage(err));
  }
  const slot = workerSlot(process.env);
  if (workers > 1 && !slot) {
    // Each worker checks its own start (flags, specs, the bus); the primary only supervises.
    superviseWorkers(workers, createLogger({ level: values["log-level"] }).child({ component: "primary" }), splitRoles);
    return;
  }
  if (slot?.role) role = slot.role;
  const grace = values["grace-period"];
  let gracePeriodMs = DEFAULT_GRACE_PERIOD_MS;
  if (grace !== undefined) {
    try {
      gracePeriodMs = durationMs(grace);
    } catch (err) {
      fail(`--grace-period ${grace}: ${errorMessage(err)}`);
    }
    if (!(gracePeriodMs > 0)) fail(`--grace-period ${grace}: expected a positive duration, e.g. 30s`);
  }
  const bindingMode = values["binding-mode"];
  if (bindingMode !== undefined && bindingMode !== "durable" && bindingMode !== "sync") fail(`--binding-mode ${bindingMode}: expected durable or sync`);
  const eventsPort = values["events-port"];
  if (eventsPort !== undefined && !/^\d+$/.test(eventsPort)) fail(`--events-port ${eventsPort}: expected a port number (0 = any free port)`);
  // The environment is read here, once: in a pod without --config, Kubernetes is the source.
  const inPod = runningInPod(process.env);
  const kube = values.kube || (inPod && !values.config?.length);
  if (!kube && !values.config?.length) fail("serve needs --config <file|dir> or --kube");
  if (kube && values.config?.length) fail("serve takes --config or --kube, not both");
  const defaultSa = values["default-service-account"];
  if (defaultSa !== undefined && !/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/.test(defaultSa)) {
    fail(`--default-service-account ${defaultSa}: expected a service account name (lower-case letters, digits, '-', '.')`);
  }
  const base = createLogger({ level: values["log-level"] });
  const logger = slot ? base.child(slot.role ? { worker: slot.index, role: slot.role } : { worker: slot.index }) : base;
  const adminPort = workerAdminPort(parseAdminPort(values["admin-port"] ?? ""), slot);
  const observability = await startObservability({
    port: adminPort,
    host: values.host,
    allowedHosts: (values["admin-allowed-hosts"] ?? "").split(",").map((h) => h.trim()).filter(Boolean),
    logger,
  });
  // Fails at the first signal, so a Service stops routing here while the drain runs.
  const draining = readinessFlag(true);
  observability.observer.addReadinessCheck("draining", draining.check);
  const { gateway, specs } = await serveCommand({
    config: values.config ?? [],
    kube: kube
      ? {
          kubeconfig: values.kubeconfig,
          inCluster: inPod && !values.kubeconfig,
          namespace: values.namespace,
          defaultServiceAccount: defaultSa,
        }
      : undefined,
    localStore: values["local-store"] ?? ".gateway/workflows",
    secretsDir: values["secrets-dir"],
    host: values.host,
    ports: values.port ?? [],
    natsUrl: values["nats-url"],
    publishDeadlineMs: values["publish-deadline"] !== undefined ? durationMs(values["publish-deadline"]) : undefined,
    ackWaitMs: values["ack-wait"] !== undefined ? durationMs(values["ack-wait"]) : undefined,
    triggerConcurrency: values["trigger-concurrency"] !== undefined ? Number(values["trigger-concurrency"]) : undefined,
    events: { port: eventsPort !== undefined ? Number(eventsPort) : undefined, mode: bindingMode, tokensFile: values["tokens-file"] },
    observer: observability.observer,
    logger,
    sharedBusFor: slot ? "--workers" : role !== "all" ? `--role ${role}` : undefined,
    role,
  });
  observability.ready();
  reportReady();
  if (slot && slot.index > 1) {
    handleShutdownSignals(shutdownOptions());
    return;
  }
  // A human banner on stderr; stdout stays JSON log lines.
  const line = sampleSendLine(gateway, specs.eventSources, values["secrets-dir"]);
  const urls = gateway.endpoints().map((e) => `  ${e.type} ${e.eventSource}/${e.eventName}  ${e.url}`);
  if (role === "sensors") process.stderr.write("\ntrigger-gateway runs the sensors (--role sensors): receivers run elsewhere\n");
  else process.stderr.write(`\ntrigger-gateway is listening:\n${urls.join("\n")}\n`);
  if (line) process.stderr.write(`\nTry it from another terminal:\n  ${line}\n\n`);
  handleShutdownSignals(shutdownOptions());

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

main(process.argv.slice(2)).catch((err: unknown) => fail(errorMessage(err), 1));

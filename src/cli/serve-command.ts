// `trigger-gateway serve`: its options, grouped as in the help, and its help text.
// Defaults applied further in (7777, 8s, ...) are only named here; the help test
// checks them against the constants.
import { Option, type Command } from "commander";
import type { GatewayRole } from "../gateway/index.js";
import { reportUsageErrors, whileReportingUsage } from "./exit-codes.js";
import * as v from "./values.js";

/** The parsed options of `serve`, as commander names them. */
export interface ServeFlags {
  config?: string[];
  kube?: boolean;
  localStore: string;
  secretsDir?: string;
  triggerFilesDir?: string;
  namespace?: string;
  kubeconfig?: string;
  defaultServiceAccount?: string;
  host?: string;
  port?: string[];
  natsUrl?: string;
  publishDeadline?: number;
  ackWait?: number;
  triggerConcurrency?: number;
  eventsPort?: number;
  bindingMode?: "durable" | "sync";
  tokensFile?: string;
  adminPort?: number;
  adminAllowedHosts?: string;
  logLevel: string;
  gracePeriod?: number;
  workers: number;
  splitRoles?: boolean;
  role?: GatewayRole;
  /** commander's `--no-manage-hooks`: false when given. */
  manageHooks: boolean;
}

const DETAILS = `
Embedded defaults: an in-process bus, Workflows written under --local-store.
--nats-url (or a JetStream EventBus spec) makes the bus NATS JetStream.

POST /api/v1/events/{namespace}/{discriminator} (WorkflowEventBindings) listens on
--events-port; callers use a bearer token from --tokens-file or a webhook client
from --secrets-dir/argo-workflows-webhook-clients/<ns>/.

--admin-port serves /metrics, /healthz, /readyz and the event-flow page at / (what
each recent event did, and why). The page and /api/* answer only Host localhost,
an IP address, or a name from --admin-allowed-hosts (e.g. the Service's DNS name);
others get 421.

SIGTERM/SIGINT drains: new deliveries get 503 + Retry-After, /readyz turns 503,
requests and handlers in flight finish, then exit 0; after --grace-period exit 1.
A second signal exits at once.

--workers N (JetStream only) runs N processes sharing the ports and the durable
consumers, to use N cores; worker k's admin port is base + k - 1.
--role (JetStream only) runs one half: receivers (EventSource webhooks and the
events endpoint, publishing) or sensors (triggers and binding dispatch,
consuming), as Argo Events runs EventSource and Sensor pods.
--split-roles gives the first N/2 workers the receivers, the rest sensors.

--kube: specs from the EventSource/Sensor/... resources of a cluster (watched),
Workflows and Secrets through the Kubernetes API. In a pod, the service account
is used and --kube is implied when no --config is given. Each Sensor's triggers
act as its spec.template.serviceAccountName in its namespace (Kubernetes
impersonation), or as --default-service-account there; a binding's Workflow is
created as its poster.`;

export function defineServe(program: Command): Command {
  const cmd = program
    .command("serve")
    .summary("receive webhooks, run sensors, serve the events endpoint and the admin port")
    .description("Receive webhooks and run sensors, with specs from --config files or from a cluster (--kube).")
    .usage("(--config <file|dir>... | --kube) [options]");

  cmd.optionsGroup("Specs and stores:");
  cmd.option("--config <file|dir>", "EventSource/Sensor/... YAML files or directories, watched for changes (repeatable)", v.repeatable);
  cmd.option("--kube", "specs, Secrets and Workflows from a Kubernetes cluster (implied in a pod without --config)");
  cmd.addOption(new Option("--local-store <dir>", "embedded Workflow store: <dir>/<namespace>/<name>.yaml").default(".gateway/workflows", ".gateway/workflows"));
  cmd.option("--secrets-dir <dir>", "Secrets as files <dir>/<secret name>/<key> (a mounted Secret's layout)");
  cmd.option("--trigger-files-dir <dir>", "where trigger `file` sources are read: only inside <dir> (default: any path; with --kube, none, the file system being every tenant's)");

  cmd.optionsGroup("Kubernetes (--kube):");
  cmd.option("--namespace <ns>", "watch this namespace only (default: every namespace the RBAC allows)");
  cmd.option("--kubeconfig <file>", "kubeconfig to use (default: the pod's service account in a pod, else $KUBECONFIG or ~/.kube/config)");
  cmd.option("--default-service-account <sa>", 'who the triggers of a Sensor without spec.template.serviceAccountName act as (default: "default")', v.serviceAccount);

  cmd.optionsGroup("Webhooks and bus:");
  cmd.option("--host <host>", "listen address (default: all interfaces)", v.host);
  cmd.option("--port <configured=actual>", "listen on ACTUAL instead of a configured webhook port, 0 = any free port (repeatable)", v.portMapping);
  cmd.option("--nats-url <url[,url...]>", "use NATS JetStream (also selected by a JetStream EventBus spec)");
  cmd.option("--publish-deadline <duration>", "how long a receiver retries a publish before answering 503 (default: 8s)", v.positiveDuration("--publish-deadline", "8s"));
  cmd.option("--ack-wait <duration>", "JetStream ack wait: when a dead process's unacked events go to another (default: 30s)", v.positiveDuration("--ack-wait", "30s"));
  cmd.option("--trigger-concurrency <n>", "handlers per trigger and process (default: 32)", v.triggerConcurrency);

  cmd.optionsGroup("Events endpoint (WorkflowEventBindings):");
  cmd.option("--events-port <port>", "port of POST /api/v1/events/..., 0 = any free port (default: 2746)", v.port("--events-port"));
  cmd.option("--binding-mode <mode>", "durable or sync (default: durable)", v.bindingMode);
  cmd.option("--tokens-file <file>", "bearer tokens of the events endpoint (standalone mode)");

  cmd.optionsGroup("Admin and logs:");
  cmd.option("--admin-port <port>", "metrics, probes and the event-flow page, 0 = any free port (default: 7777)", v.port("--admin-port"));
  cmd.option("--admin-allowed-hosts <a,b>", "Host names the page and /api/* answer besides localhost and IP addresses");
  cmd.addOption(new Option("--log-level <level>", "trace, debug, info, warn, error, fatal or silent; JSON lines, pretty on a terminal").default("info", "info").argParser(v.logLevel));

  cmd.option("--no-manage-hooks", "leave the git providers' webhooks alone (by default EventSources with webhook.url and credentials have theirs kept, as in Argo Events)");

  cmd.optionsGroup("Processes:");
  cmd.option("--grace-period <duration>", "how long a SIGTERM drain may take (default: 30s)", v.gracePeriod);
  cmd.addOption(new Option("--workers <n>", "processes sharing the ports and consumers (JetStream only)").default(1).argParser(v.workers));
  cmd.option("--split-roles", "with --workers N: the first N/2 workers only receive, the others only run sensors");
  cmd.option("--role <role>", "all, receivers or sensors: run one half of the gateway (JetStream only) (default: all)", v.role);

  cmd.addHelpText("after", DETAILS);
  cmd.action((_opts: unknown, self: Command) =>
    whileReportingUsage(self, async () => {
      const { serve } = await import("./serve.js");
      await serve(self.opts<ServeFlags>());
    }),
  );
  return reportUsageErrors(cmd);
}

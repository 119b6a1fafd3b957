// The runtime: composing a gateway from its configuration (files or the Kubernetes
// API), roles, worker processes, in-flight tracking, drain and shutdown. The CLI
// only parses flags and calls `serveCommand`.
export { serveCommand, sampleSendLine, parsePortMap, type ServeOptions } from "./serve.js";
export { startGateway, type Gateway, type GatewayOptions } from "./gateway.js";
// kube.ts loads @kubernetes/client-node: serve imports it only with --kube, so only its types are re-exported here.
export type { KubeGateway, KubeGatewayOptions, KubeServeOptions } from "./kube.js";
export { ROLES, parseRole, runsReceivers, runsSensors, specsForRole, splitRole, type GatewayRole } from "./role.js";
export { DEFAULT_GRACE_PERIOD_MS, handleShutdownSignals, type Shutdown, type ShutdownOptions } from "./shutdown.js";
export {
  WORKER_ENV,
  WORKER_ROLE_ENV,
  parseWorkers,
  reportDraining,
  reportReady,
  superviseWorkers,
  workerAdminPort,
  workerSlot,
  type WorkerSlot,
} from "./workers.js";
export type { InFlight } from "./in-flight.js";

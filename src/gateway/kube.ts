import type { KubeConfig } from "@kubernetes/client-node";
import type { FileSourcePolicy } from "../sensor/index.js";
import type { Logger } from "../logger.js";
import { type SecretStore, type SpecSet, createEventBus } from "../config/index.js";
import { KubeSpecSource } from "../config/kube/spec-source.js";
import { KubeSecretStore } from "../config/kube/secrets.js";
import { impersonating, loadKubeConfig, type KubeConnection } from "../config/kube/kubeconfig.js";
import { cachedClients, sensorUsername, type WorkflowClientFor, firstFound, templateLookupFromClient } from "../workflows/index.js";
import { KubernetesWorkflowClient } from "../workflows/kubernetes.js";
import { startGateway, type Gateway } from "./gateway.js";
import type { GatewayRole } from "./role.js";
import type { Observer } from "../observe/index.js";
import type { BodyBudget } from "../http/index.js";

export interface KubeServeOptions extends KubeConnection {
  /** Watch this namespace only (default: all namespaces the RBAC allows). */
  namespace?: string;
  /**
   * The service account a Sensor without `spec.template.serviceAccountName` acts as,
   * in the Sensor's namespace (default `default`, as for a pod that names none).
   */
  defaultServiceAccount?: string;
}

export interface KubeGatewayOptions {
  kube: KubeServeOptions;
  fileSources?: FileSourcePolicy;
  host?: string;
  portOverride?: (configured: string) => number;
  natsUrl?: string;
  publishDeadlineMs?: number;
  ackWaitMs?: number;
  triggerConcurrency?: number;
  observer?: Observer;
  logger: Logger;
  /** See BusChoice.sharedBusFor. */
  sharedBusFor?: string;
  role?: GatewayRole;
  bodyBudget?: BodyBudget;
}

/**
 * `serve --kube`: specs from watched CRs, Workflows and Secrets through the API.
 * The bus is made from the EventBus CRs of the first list (restart to change it).
 */
export interface KubeGateway {
  gateway: Gateway;
  kubeConfig: KubeConfig;
  /** The gateway's own API client (before validation). */
  workflows: KubernetesWorkflowClient;
  /** API clients acting as a user (impersonation): Sensors' triggers and binding submissions. */
  workflowsAs: WorkflowClientFor;
  /** The Secrets the specs reference (read as the gateway). */
  secrets: SecretStore;
}

export async function startKubeGateway(o: KubeGatewayOptions): Promise<KubeGateway> {
  const kubeConfig = loadKubeConfig(o.kube);
  const logger = o.logger;
  const workflows = new KubernetesWorkflowClient(kubeConfig);
  const workflowsAs = cachedClients((user) => new KubernetesWorkflowClient(impersonating(kubeConfig, user)));
  const secrets = new KubeSecretStore(kubeConfig, logger);
  const source = new KubeSpecSource({ kubeConfig, namespace: o.kube.namespace, logger });
  let gateway: Gateway;
  try {
    gateway = await startGateway({
      source,
      bus: (first: SpecSet) =>
        createEventBus({
          eventBuses: first.eventBuses,
          natsUrl: o.natsUrl,
          publishDeadlineMs: o.publishDeadlineMs,
          ackWaitMs: o.ackWaitMs,
          secrets,
          logger,
          sharedBusFor: o.sharedBusFor,
        }),
      workflows,
      workflowsFor: (sensor) => workflowsAs(sensorUsername(sensor, o.kube.defaultServiceAccount)),
      // The watch cache answers; what it has not seen yet is asked once per 10 s.
      templates: firstFound(source.templates(), templateLookupFromClient(workflows)),
      missingTemplate: "reject",
      secrets,
      logger,
      host: o.host,
      portOverride: o.portOverride,
      triggerConcurrency: o.triggerConcurrency,
      fileSources: o.fileSources,
      observer: o.observer,
      role: o.role,
      bodyBudget: o.bodyBudget,
    });
  } catch (err) {
    await secrets.close();
    throw err;
  }
  const g = gateway;
  return {
    gateway: {
      ...g,
      close: async () => {
        await g.close();
        await secrets.close();
      },
    },
    kubeConfig,
    secrets,
    workflows,
    workflowsAs,
  };
}

// Who a trigger's or a binding's API calls are made as. In a cluster each Sensor acts
// as its own service account (as an Argo Events sensor pod does), so Kubernetes RBAC
// decides per Sensor what its triggers may create, read or delete.
import type { Sensor } from "../api/index.js";
import type { WorkflowClient } from "./client.js";

/** The API client acting as `username` (a Kubernetes user name). */
export type WorkflowClientFor = (username: string) => WorkflowClient;

/** The service account a pod without `serviceAccountName` runs as. */
export const DEFAULT_SERVICE_ACCOUNT = "default";

export function serviceAccountUsername(namespace: string, name: string): string {
  return `system:serviceaccount:${namespace}:${name}`;
}

/** `spec.template.serviceAccountName`, when the Sensor names one. */
export function sensorServiceAccountName(sensor: Sensor): string | undefined {
  const t = sensor.spec?.template;
  if (t === null || typeof t !== "object") return undefined;
  const name = (t as { serviceAccountName?: unknown }).serviceAccountName;
  return typeof name === "string" && name !== "" ? name : undefined;
}

/**
 * The Kubernetes user a Sensor's triggers act as: its service account in its own
 * namespace, or `fallback` (the operator's default) there when it names none.
 */
export function sensorUsername(sensor: Sensor, fallback = DEFAULT_SERVICE_ACCOUNT): string {
  const namespace = sensor.metadata?.namespace || "default";
  return serviceAccountUsername(namespace, sensorServiceAccountName(sensor) ?? fallback);
}

/** One client per identity, made on first use and kept: Sensors sharing an account share it. */
export function cachedClients(make: WorkflowClientFor): WorkflowClientFor {
  const clients = new Map<string, WorkflowClient>();
  return (username) => {
    let c = clients.get(username);
    if (!c) {
      c = make(username);
      clients.set(username, c);
    }
    return c;
  };
}

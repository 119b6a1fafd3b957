// Which half of the gateway a process runs. Argo Events deploys EventSources and
// Sensors as separate pods; here one `serve` runs both unless told otherwise.
import type { SpecSet } from "../config/index.js";
import { GatewayError } from "../errors.js";

/**
 * - `all`: receivers and sensors (the default);
 * - `receivers`: EventSource webhooks and the events endpoint, publishing to the bus;
 * - `sensors`: Sensor triggers and the WorkflowEventBinding dispatcher, consuming it.
 */
export type GatewayRole = "all" | "receivers" | "sensors";

export const ROLES: readonly GatewayRole[] = ["all", "receivers", "sensors"];

export function parseRole(value: string | undefined): GatewayRole {
  if (value === undefined) return "all";
  if ((ROLES as readonly string[]).includes(value)) return value as GatewayRole;
  throw new GatewayError(`--role ${value}: expected ${ROLES.join(", ")}`);
}

export function runsReceivers(role: GatewayRole): boolean {
  return role !== "sensors";
}

export function runsSensors(role: GatewayRole): boolean {
  return role !== "receivers";
}

/** The part of a SpecSet this role acts on; EventBus and template specs stay whole. */
export function specsForRole(set: SpecSet, role: GatewayRole): SpecSet {
  if (role === "all") return set;
  return {
    ...set,
    eventSources: runsReceivers(role) ? set.eventSources : [],
    sensors: runsSensors(role) ? set.sensors : [],
  };
}

/**
 * `serve --workers N --split-roles`: the first floor(N/2) workers receive, the rest
 * run sensors. A sensor's work per event (decode, filter, parameters, store, ack)
 * costs a little more than a receiver's (HTTP, HMAC, parse, publish).
 */
export function splitRole(index: number, count: number): GatewayRole {
  return index <= Math.floor(count / 2) ? "receivers" : "sensors";
}

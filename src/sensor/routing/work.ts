import { isObject } from "../../api/index.js";
import { createHash } from "node:crypto";
import { newEventId, rememberJsonTextWithin, type CloudEvent } from "../../eventbus/index.js";
import { locateJsonText } from "../../expr/index.js";
import type { CompiledSensor, CompiledTrigger } from "../compile.js";

export const WORK_TYPE = "trigger-gateway.work";

/** What a work message carries: the event as it was on the bus and the dependencies it satisfies. */
export interface WorkData {
  event: CloudEvent;
  dependencies: string[];
}

// A subject token cannot hold ".", "*", ">" or whitespace; a hash keeps two names that sanitise alike apart.
function token(s: string): string {
  const safe = s.replace(/[.*>\s]/g, "_") || "_";
  return safe === s ? s : `${safe}-${createHash("sha256").update(s).digest("hex").slice(0, 8)}`;
}

/** Sensor annotation: `"true"` = per-subject ordering (one message per subject at a time). */
export const ORDERED_ANNOTATION = "trigger-gateway.io/ordered";

export function isOrdered(sensor: Pick<CompiledSensor, "spec">): boolean {
  return sensor.spec.metadata?.annotations?.[ORDERED_ANNOTATION] === "true";
}

/**
 * `shared`: the trigger's work may be served by one consumer together with every other
 * shared trigger's. `own`: a consumer of its own, where its firings may wait long
 * (rateLimit, retryStrategy steps) without holding up others', or where order counts.
 */
export type WorkLane = "shared" | "own";

export function workLane(sensor: Pick<CompiledSensor, "spec">, trigger: Pick<CompiledTrigger, "spec">): WorkLane {
  if (isOrdered(sensor)) return "own";
  const { rateLimit, retryStrategy } = trigger.spec as { rateLimit?: { requestsPerUnit?: unknown }; retryStrategy?: { steps?: unknown } };
  if (Number(rateLimit?.requestsPerUnit ?? 0) > 0) return "own";
  // Present without steps means Argo's default of 5 attempts.
  if (retryStrategy != null && Number(retryStrategy.steps ?? 0) !== 1) return "own";
  return "shared";
}

const LANE_TOKEN: Record<WorkLane, string> = { shared: "s", own: "o" };

/**
 * `<bus>._work.<s|o>.<namespace>.<sensor>.<trigger>`: inside the bus stream's `<bus>.>`
 * subjects, apart from event subjects (an EventSource name cannot contain `_`).
 */
export function workSubject(bus: string, lane: WorkLane, namespace: string, sensor: string, trigger: string): string {
  return `${bus}._work.${LANE_TOKEN[lane]}.${token(namespace)}.${token(sensor)}.${token(trigger)}`;
}

/** The wildcard subject over every shared trigger's work. */
export function sharedWorkFilter(bus: string): string {
  return `${bus}._work.${LANE_TOKEN.shared}.>`;
}

/**
 * The work message for one trigger. Its id derives from the event and the trigger, so
 * a router that publishes it again (a redelivered event) is deduplicated by the bus.
 */
export function workMessage(event: CloudEvent, namespace: string, sensor: string, trigger: string, dependencies: string[]): CloudEvent {
  const data: WorkData = { event, dependencies };
  return {
    specversion: "1.0",
    id: newEventId(event.id, `work/${namespace}/${sensor}/${trigger}`),
    source: event.source,
    subject: event.subject,
    type: WORK_TYPE,
    time: event.time,
    datacontenttype: "application/json",
    data,
  };
}

/** The work a message carries, or undefined when it is not a work message. */
export function readWork(ce: CloudEvent): WorkData | undefined {
  if (ce.type !== WORK_TYPE || !isObject(ce.data)) return undefined;
  const { event, dependencies } = ce.data;
  if (!isObject(event) || typeof event.id !== "string") return undefined;
  if (!Array.isArray(dependencies) || !dependencies.every((d) => typeof d === "string")) return undefined;
  rememberJsonTextWithin(event, ce, ["data", "event"], locateJsonText);
  return { event: event as unknown as CloudEvent, dependencies: dependencies as string[] };
}

import { createHash } from "node:crypto";
import { newEventId, type CloudEvent } from "../../eventbus/cloudevent.js";

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

/**
 * `<bus>._work.<namespace>.<sensor>.<trigger>`: inside the bus stream's `<bus>.>`
 * subjects, apart from event subjects (an EventSource name cannot contain `_`).
 */
export function workSubject(bus: string, namespace: string, sensor: string, trigger: string): string {
  return `${bus}._work.${token(namespace)}.${token(sensor)}.${token(trigger)}`;
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

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The work a message carries, or undefined when it is not a work message. */
export function readWork(ce: CloudEvent): WorkData | undefined {
  if (ce.type !== WORK_TYPE || !isObject(ce.data)) return undefined;
  const { event, dependencies } = ce.data;
  if (!isObject(event) || typeof event.id !== "string") return undefined;
  if (!Array.isArray(dependencies) || !dependencies.every((d) => typeof d === "string")) return undefined;
  return { event: event as unknown as CloudEvent, dependencies: dependencies as string[] };
}

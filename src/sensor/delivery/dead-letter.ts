import { type CloudEvent, newEventId } from "../../eventbus/index.js";
import type { SensorEvent } from "../event.js";

export const DEAD_LETTER_TYPE = "trigger-gateway.deadletter";

/** What a dead-letter record carries (its CloudEvent `data`). */
export interface DeadLetterData {
  sensor: string;
  namespace: string;
  trigger: string;
  error: string;
  eventIds: string[];
  /** The events of the firing, by dependency name, as they were on the bus. */
  events: Record<string, CloudEvent>;
}

// A subject token cannot hold ".", "*", ">" or whitespace.
const token = (s: string): string => s.replace(/[.*>\s]/g, "_") || "_";

/**
 * `<bus>._deadletter.<namespace>.<sensor>.<trigger>`: inside the bus stream's
 * `<bus>.>` subjects, and apart from event subjects since an EventSource name
 * cannot contain `_`.
 */
export function deadLetterSubject(bus: string, namespace: string, sensor: string, trigger: string): string {
  return `${bus}._deadletter.${token(namespace)}.${token(sensor)}.${token(trigger)}`;
}

export function toCloudEvent(e: SensorEvent): CloudEvent {
  return { ...(e.context as unknown as Omit<CloudEvent, "data">), data: e.data };
}

/** The record; its id derives from the firing, so a repeated dead-lettering is one record on the bus. */
export function deadLetterEvent(d: Omit<DeadLetterData, "eventIds"> & { eventIds?: string[] }, now: Date): CloudEvent {
  const eventIds = d.eventIds ?? Object.values(d.events).map((e) => e.id);
  const data: DeadLetterData = { ...d, eventIds };
  return {
    specversion: "1.0",
    id: newEventId([...eventIds].sort().join(","), `deadletter/${d.namespace}/${d.sensor}/${d.trigger}`),
    source: d.sensor,
    subject: d.trigger,
    type: DEAD_LETTER_TYPE,
    time: now.toISOString(),
    datacontenttype: "application/json",
    data,
  };
}

import type { EventDependencyFilter } from "../../src/api/types.js";
import type { EventContext, SensorEvent } from "../../src/sensor/event.js";
import { checkFilters, compileFilters } from "../../src/sensor/filters/filters.js";
import { Where } from "../../src/sensor/where.js";

/** A GitHub push as a sensor sees it, with the given payload and context overrides. */
export function filterEvent(data: unknown, context: Partial<EventContext> = {}): SensorEvent {
  return {
    context: {
      id: "0123456789abcdef0123456789abcdef",
      source: "github",
      subject: "push",
      specversion: "1.0",
      type: "github",
      datacontenttype: "application/json",
      time: "2024-05-01T12:00:00.000Z",
      ...context,
    },
    data,
  };
}

/** Where a dependency's filters sit in a Sensor, as load errors name it. */
export const FILTERS_AT = "spec.dependencies[0].filters";

/** Compiles `filters` as a Sensor's first dependency would and checks `event` against them. */
export function runFilters(filters: EventDependencyFilter, op: "and" | "or" | undefined, event: SensorEvent) {
  return checkFilters(compileFilters(filters, op, new Where("ns", "sensor"), FILTERS_AT), event);
}

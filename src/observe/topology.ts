import type { EventSource, Sensor, Trigger, TriggerTemplate } from "../api/index.js";
import { compileConditions } from "../expr/index.js";

/** What the loaded specs say should flow where: the skeleton of the event-flow page. */
export interface Topology {
  eventSources: TopologyEventSource[];
  sensors: TopologySensor[];
}

export interface TopologyEventSource {
  namespace: string;
  name: string;
  events: { name: string; type: string }[];
}

export interface TopologySensor {
  namespace: string;
  name: string;
  dependencies: { name: string; eventSourceName: string; eventName: string }[];
  /** Triggers, then each trigger's dlqTrigger (with `dlqFor`), which fires on its final failures. */
  triggers: { name: string; type: string; dependencies: string[]; dlqFor?: string }[];
}

/** The part of a SpecSet the topology needs (a full SpecSet fits). */
export interface TopologySpecs {
  eventSources: readonly EventSource[];
  sensors: readonly Sensor[];
}

// Keys of an EventSource spec that are settings, not source types.
const NOT_SOURCE_TYPES = new Set(["eventBusName", "template", "service", "replicas"]);
// Keys of a trigger template that are settings, not the trigger type.
const NOT_TRIGGER_TYPES = new Set(["name", "conditions", "conditionsReset"]);

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function sourceEvents(es: EventSource): { name: string; type: string }[] {
  const out: { name: string; type: string }[] = [];
  for (const [type, section] of Object.entries(es.spec ?? {})) {
    if (NOT_SOURCE_TYPES.has(type) || !isRecord(section)) continue;
    for (const name of Object.keys(section)) out.push({ name, type });
  }
  return out;
}

export function triggerType(template: TriggerTemplate): string {
  return Object.keys(template).find((k) => !NOT_TRIGGER_TYPES.has(k) && template[k] !== undefined) ?? "unknown";
}

// The dependencies a trigger consumes: the names in its conditions, all of them without.
function triggerDependencies(template: TriggerTemplate, all: string[]): string[] {
  if (!template.conditions) return all;
  try {
    return compileConditions(template.conditions).variables.filter((v) => all.includes(v));
  } catch {
    return all;
  }
}

function named(t: Trigger | undefined): t is Trigger {
  return isRecord(t?.template) && typeof t.template.name === "string" && t.template.name !== "";
}

export function buildTopology(specs: TopologySpecs): Topology {
  return {
    eventSources: specs.eventSources.map((es) => ({
      namespace: es.metadata.namespace || "default",
      name: es.metadata.name ?? "",
      events: sourceEvents(es),
    })),
    sensors: specs.sensors.map((s) => {
      const dependencies = (s.spec?.dependencies ?? []).map((d) => ({
        name: d.name,
        eventSourceName: d.eventSourceName,
        eventName: d.eventName,
      }));
      const names = dependencies.map((d) => d.name);
      return {
        namespace: s.metadata.namespace || "default",
        name: s.metadata.name ?? "",
        dependencies,
        triggers: (s.spec?.triggers ?? []).filter(named).flatMap((t) => {
          const main = { name: t.template.name, type: triggerType(t.template), dependencies: triggerDependencies(t.template, names) };
          const dlq = t.dlqTrigger;
          if (!dlq || !named(dlq)) return [main];
          return [main, { name: dlq.template.name, type: triggerType(dlq.template), dependencies: main.dependencies, dlqFor: main.name }];
        }),
      };
    }),
  };
}

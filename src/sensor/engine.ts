import type { TriggerTemplate } from "../api/index.js";
import type { CompiledSensor, CompiledTrigger } from "./compile.js";
import type { SensorEvent } from "./event.js";
import { checkFilters } from "./filters/filters.js";
import { applyParameters } from "./parameters.js";
import type { TriggerAction, TriggerPlan } from "./triggers/types.js";

export interface DependencyMatch {
  /** The trigger's dependencies the event satisfies (usually one). */
  matched: string[];
  /** Why none matched. */
  reason?: string;
  /** Filter errors of a dependency that passed anyway (OR mode). */
  warnings: string[];
}

export interface MatchOptions {
  /** Offer the event to this dependency only. */
  dependency?: string;
  /** Skip the eventSourceName/eventName check (the dry run's made-up events). */
  anySource?: boolean;
}

/** Which of a trigger's dependencies take this event: source and name, then filters. */
export function matchEvent(trigger: CompiledTrigger, event: SensorEvent, options: MatchOptions = {}): DependencyMatch {
  const { source, subject } = event.context;
  const candidates = trigger.dependencies.filter(
    (d) =>
      (options.dependency === undefined || d.name === options.dependency) &&
      (options.anySource || (d.eventSourceName === source && d.eventName === subject)),
  );
  if (candidates.length === 0) {
    const reason =
      options.dependency !== undefined
        ? `trigger "${trigger.name}" does not depend on "${options.dependency}"`
        : `no dependency of trigger "${trigger.name}" is on event source "${source}" event "${subject}"`;
    return { matched: [], reason, warnings: [] };
  }
  const matched: string[] = [];
  const reasons: string[] = [];
  const warnings: string[] = [];
  for (const d of candidates) {
    const r = d.filters ? checkFilters(d.filters, event) : { pass: true as const };
    if (r.pass) {
      matched.push(d.name);
      if (r.warning) warnings.push(`dependency "${d.name}": ${r.warning}`);
    } else {
      reasons.push(`dependency "${d.name}": ${r.reason}`);
    }
  }
  return { matched, reason: matched.length === 0 ? reasons.join("; ") : undefined, warnings };
}

export function conditionHolds(trigger: CompiledTrigger, events: Record<string, SensorEvent>): boolean {
  return trigger.condition.evaluate((name) => events[name] !== undefined);
}

export function waitingReason(trigger: CompiledTrigger, events: Record<string, SensorEvent>): string {
  const have = Object.keys(events).sort();
  return `waiting for condition "${trigger.condition.source}" (have: ${have.length > 0 ? have.join(", ") : "none"})`;
}

export interface PlannedFiring {
  action: TriggerAction;
  plan: TriggerPlan;
}

/**
 * What a firing does, without I/O: trigger-level parameters rewrite the template
 * first (as the original's ApplyTemplateParameters), then the template's own
 * parameters apply to its resource.
 */
export function planFiring(
  sensor: CompiledSensor,
  trigger: CompiledTrigger,
  events: Record<string, SensorEvent>,
  now: Date,
): PlannedFiring {
  let action = trigger.action;
  let triggerName = trigger.name;
  if (trigger.templateParameters.length > 0) {
    const template = applyParameters(structuredClone(trigger.spec.template), trigger.templateParameters, events);
    action = trigger.compileTemplate(template as TriggerTemplate);
    // A parameter may rename the template; the original labels with the new name.
    const renamed = (template as TriggerTemplate | undefined)?.name;
    if (typeof renamed === "string" && renamed !== "") triggerName = renamed;
  }
  const plan = action.plan({
    sensorNamespace: sensor.namespace,
    sensorName: sensor.name,
    triggerName,
    events,
    now,
  });
  return { action, plan };
}

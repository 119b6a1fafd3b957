import type { EventDependency, Sensor, Trigger, TriggerTemplate } from "../api/index.js";
import { allOf, compileConditions, type CompiledCondition } from "../expr/index.js";
import { compileFilters, type CompiledFilters } from "./filters/filters.js";
import { compileParameters, type CompiledParameter } from "./parameters.js";
import { compileTriggerAction } from "./triggers/registry.js";
import type { TriggerAction } from "./triggers/types.js";
import { Where } from "./where.js";

export interface CompiledDependency {
  readonly name: string;
  readonly eventSourceName: string;
  readonly eventName: string;
  readonly filters?: CompiledFilters;
  readonly spec: EventDependency;
}

export interface CompiledTrigger {
  readonly name: string;
  readonly spec: Trigger;
  /** The dependencies the condition names: the events this trigger consumes. */
  readonly dependencies: CompiledDependency[];
  readonly condition: CompiledCondition;
  /** Trigger-level `parameters`: applied to the template itself before each firing. */
  readonly templateParameters: CompiledParameter[];
  /** The action of the template as written (used as is when there are no template parameters). */
  readonly action: TriggerAction;
  /** Compiles a template after template parameters changed it. */
  compileTemplate(template: TriggerTemplate): TriggerAction;
  /** The trigger's `dlqTrigger`. */
  readonly dlqTrigger?: CompiledTrigger;
}

export interface CompiledSensor {
  readonly name: string;
  readonly namespace: string;
  readonly spec: Sensor;
  readonly dependencies: CompiledDependency[];
  readonly triggers: CompiledTrigger[];
}

/**
 * Compile a Sensor once, at load: every path, expression, regex and condition.
 * Errors name the field (SpecError, ExpressionError, NotSupportedError).
 */
export function compileSensor(sensor: Sensor): CompiledSensor {
  const name = sensor.metadata?.name ?? "";
  const namespace = sensor.metadata?.namespace || "default";
  const where = new Where(namespace, name);
  if (!name) throw where.spec("metadata.name", "is required");
  const deps = sensor.spec?.dependencies ?? [];
  const triggers = sensor.spec?.triggers ?? [];
  if (deps.length === 0) throw where.spec("spec.dependencies", "at least one dependency is required");
  if (triggers.length === 0) throw where.spec("spec.triggers", "at least one trigger is required");

  const dependencies = deps.map((d, i) => compileDependency(d, where, `spec.dependencies[${i}]`));
  const byName = new Map<string, CompiledDependency>();
  dependencies.forEach((d, i) => {
    if (byName.has(d.name)) throw where.spec(`spec.dependencies[${i}].name`, `duplicate dependency "${d.name}"`);
    byName.set(d.name, d);
  });

  const compileTrigger = (t: Trigger, at: string): CompiledTrigger => {
    const template = t.template;
    if (!template || typeof template !== "object") throw where.spec(`${at}.template`, "is required");
    if (!template.name) throw where.spec(`${at}.template.name`, "is required");
    const condition = template.conditions
      ? where.compile(`${at}.template.conditions`, () => compileConditions(template.conditions as string))
      : allOf(dependencies.map((d) => d.name));
    const used = condition.variables.map((v) => {
      const d = byName.get(v);
      if (!d) throw where.spec(`${at}.template.conditions`, `"${v}" is not a dependency of this sensor`);
      return d;
    });
    const templateAt = `${at}.template`;
    return {
      name: template.name,
      spec: t,
      dependencies: used,
      condition,
      templateParameters: compileParameters(t.parameters, where, `${at}.parameters`),
      action: compileTriggerAction(template, where, templateAt, t),
      compileTemplate: (changed: TriggerTemplate) => compileTriggerAction(changed, where, templateAt, t),
    };
  };
  const seen = new Set<string>();
  const compiled = triggers.map((t, i) => {
    const at = `spec.triggers[${i}]`;
    const c = compileTrigger(t, at);
    if (seen.has(c.name)) throw where.spec(`${at}.template.name`, `duplicate trigger "${c.name}"`);
    seen.add(c.name);
    // Fired with the same events once the trigger's outcome is a final failure.
    return t.dlqTrigger ? { ...c, dlqTrigger: compileTrigger(t.dlqTrigger, `${at}.dlqTrigger`) } : c;
  });

  return { name, namespace, spec: sensor, dependencies, triggers: compiled };
}

function compileDependency(d: EventDependency, where: Where, at: string): CompiledDependency {
  if (!d?.name) throw where.spec(`${at}.name`, "is required");
  if (!d.eventSourceName) throw where.spec(`${at}.eventSourceName`, "is required");
  if (!d.eventName) throw where.spec(`${at}.eventName`, "is required");
  if (d.transform?.jq || d.transform?.script) {
    throw where.notSupported(`${at}.transform`, "event transforms (jq, Lua) are not supported yet");
  }
  return {
    name: d.name,
    eventSourceName: d.eventSourceName,
    eventName: d.eventName,
    filters: d.filters ? compileFilters(d.filters, d.filtersLogicalOperator, where, `${at}.filters`) : undefined,
    spec: d,
  };
}

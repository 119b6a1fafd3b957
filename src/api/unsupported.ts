// The one table of argoproj.io features the gateway does not implement. Each row turns
// a use of the feature into a `not supported` error at load time, so nothing is
// silently ignored. Supporting a feature later = deleting its row.
import {
  EVENT_SOURCE_META_KEYS,
  SOURCE_TYPE_NAMES,
  SOURCE_TYPE_ROUTES,
  TRIGGER_SOURCE_KINDS,
  TRIGGER_TEMPLATE_META_KEYS,
  TRIGGER_TYPE_NAMES,
} from "./extension-points.js";
import { getAt, isSet, type FieldPath } from "./fieldpath.js";

export interface NotSupportedRule {
  kind: "EventSource" | "Sensor" | "EventBus";
  /**
   * Field pattern: dot-separated keys, `[]` = every list item, `*` = every key of a map.
   * `@trigger` = each trigger and its dlqTrigger; `@params` = every parameter list of a trigger.
   */
  field: string;
  /** What the user reads after "not supported:". */
  what: string;
  /** With `*`: the keys that are fine. */
  except?: readonly string[];
  /** For a value rule: the supported values; any other value is flagged. */
  values?: readonly string[];
  /** "not supported yet": planned. */
  yet?: boolean;
}

export const NOT_SUPPORTED: readonly NotSupportedRule[] = [
  {
    kind: "EventSource",
    field: "spec.*",
    what: "event source type",
    except: [...EVENT_SOURCE_META_KEYS, ...SOURCE_TYPE_NAMES],
  },
  // TLS is terminated in front of the gateway (an Ingress or a load balancer), not per receiver.
  ...SOURCE_TYPE_NAMES.flatMap((t): NotSupportedRule[] => {
    const route = SOURCE_TYPE_ROUTES[t] === "self" ? `spec.${t}.*` : `spec.${t}.*.webhook`;
    return ["serverCertSecret", "serverKeySecret"].map((key) => ({
      kind: "EventSource",
      field: `${route}.${key}`,
      what: "TLS in the receiver (terminate TLS in front of the gateway)",
    }));
  }),
  { kind: "EventBus", field: "spec.nats", what: "NATS Streaming event bus (use jetstream)" },
  { kind: "EventBus", field: "spec.kafka", what: "kafka event bus (use jetstream)" },
  { kind: "Sensor", field: "spec.dependencies[].filters.script", what: "filters.script (Lua)" },
  { kind: "Sensor", field: "spec.dependencies[].transform", what: "transform" },
  {
    kind: "Sensor",
    field: "@trigger.template.*",
    what: "trigger type",
    except: [...TRIGGER_TEMPLATE_META_KEYS, ...TRIGGER_TYPE_NAMES],
  },
  {
    kind: "Sensor",
    field: "@trigger.template.k8s.patchStrategy",
    what: "k8s patch strategy",
    values: ["", "application/merge-patch+json", "application/json-patch+json", "application/strategic-merge-patch+json"],
  },
  { kind: "Sensor", field: "@trigger.template.argoWorkflow.source.*", what: "trigger source", except: TRIGGER_SOURCE_KINDS },
  { kind: "Sensor", field: "@trigger.template.k8s.source.*", what: "trigger source", except: TRIGGER_SOURCE_KINDS },
];

const MACROS: Readonly<Record<string, readonly string[]>> = {
  "@trigger": ["spec.triggers[]", "spec.triggers[].dlqTrigger"],
  "@params": [
    "@trigger.parameters[]",
    "@trigger.template.argoWorkflow.parameters[]",
    "@trigger.template.k8s.parameters[]",
    "@trigger.template.http.parameters[]",
    "@trigger.template.http.payload[]",
    "@trigger.template.http.dynamicHeaders[]",
  ],
};

/** Expands the macros of a pattern into plain patterns. */
export function expandPattern(pattern: string): string[] {
  for (const [macro, replacements] of Object.entries(MACROS)) {
    if (pattern.startsWith(macro + ".")) {
      return replacements.flatMap((r) => expandPattern(r + pattern.slice(macro.length)));
    }
  }
  return [pattern];
}

function segments(pattern: string): string[] {
  return pattern.split(".").flatMap((s) => (s.endsWith("[]") ? [s.slice(0, -2), "[]"] : [s]));
}

const expanded = new Map<string, { pattern: string; segs: string[] }[]>();

/** A rule field's patterns and their segments, worked out once per field (not per document). */
function patternsOf(field: string): { pattern: string; segs: string[] }[] {
  let out = expanded.get(field);
  if (!out) {
    out = expandPattern(field).map((pattern) => ({ pattern, segs: segments(pattern) }));
    expanded.set(field, out);
  }
  return out;
}

interface Match {
  path: FieldPath;
  key: string | number;
  value: unknown;
}

function walk(value: unknown, segs: string[], path: (string | number)[], except: readonly string[], out: Match[]): void {
  if (segs.length === 0) {
    out.push({ path, key: path[path.length - 1], value });
    return;
  }
  const [seg, ...rest] = segs;
  if (seg === "[]") {
    if (Array.isArray(value)) value.forEach((item, i) => walk(item, rest, [...path, i], except, out));
  } else if (seg === "*") {
    if (value !== null && typeof value === "object" && !Array.isArray(value)) {
      for (const [k, v] of Object.entries(value)) {
        if (!except.includes(k)) walk(v, rest, [...path, k], except, out);
      }
    }
  } else {
    const next = getAt(value, [seg]);
    if (next !== undefined) walk(next, rest, [...path, seg], except, out);
  }
}

export interface UnsupportedUse {
  path: FieldPath;
  message: string;
}

/** Every use of a feature from NOT_SUPPORTED in one document. */
export function findUnsupported(kind: string, obj: unknown, rules: readonly NotSupportedRule[] = NOT_SUPPORTED): UnsupportedUse[] {
  const uses: UnsupportedUse[] = [];
  for (const rule of rules) {
    if (rule.kind !== kind) continue;
    const prefix = rule.yet ? "not supported yet" : "not supported";
    for (const { pattern, segs } of patternsOf(rule.field)) {
      const matches: Match[] = [];
      walk(obj, segs, [], rule.except ?? [], matches);
      for (const m of matches) {
        if (rule.values) {
          if (typeof m.value === "string" && !rule.values.includes(m.value)) {
            uses.push({ path: m.path, message: `${prefix}: ${rule.what} ${JSON.stringify(m.value)}` });
          }
        } else if (isSet(m.value)) {
          const what = pattern.endsWith("*") ? `${rule.what} ${JSON.stringify(m.key)}` : rule.what;
          uses.push({ path: m.path, message: `${prefix}: ${what}` });
        }
      }
    }
  }
  return uses;
}

// What `serve` refuses when it builds an EventSource's receivers (a filter expression
// that does not compile, a route it cannot listen on), found at load time so that
// `validate` reports it at the field like any other spec error.
import { specError, specWarning, SOURCE_TYPE_NAMES, type EventSource, type LoadedSpec, type SourceTypeName } from "../api/index.js";
import { errorMessage, type SpecError, type SpecWarning } from "../errors.js";
import { compileEntry, EntryProblem } from "./sources.js";
import type { SourceSpecs } from "./registry.js";

interface Found {
  errors: SpecError[];
  warnings: SpecWarning[];
}

function entries(es: EventSource): [SourceTypeName, string, unknown][] {
  return SOURCE_TYPE_NAMES.flatMap((type) => Object.entries((es.spec[type] ?? {}) as Record<string, unknown>).map(([name, spec]): [SourceTypeName, string, unknown] => [type, name, spec]));
}

/**
 * One error per entry that serve would refuse; a warning for a port serve holds by
 * default (`reservedPorts`: port -> what holds it).
 */
export function eventSourceCompileErrors(loaded: readonly LoadedSpec[], reservedPorts: Readonly<Record<string, string>> = {}): Found {
  const found: Found = { errors: [], warnings: [] };
  for (const doc of loaded) {
    if (doc.spec.kind !== "EventSource") continue;
    for (const [type, name, spec] of entries(doc.spec as EventSource)) {
      const at = ["spec", type, name];
      try {
        const { context } = compileEntry(type, spec as SourceSpecs[typeof type]);
        const clash = reservedPorts[String(context.port)];
        if (clash) {
          const path = type === "webhook" ? [...at, "port"] : [...at, "webhook", "port"];
          found.warnings.push(specWarning(doc, path, `port ${context.port} is ${clash}: serve cannot listen on it for this receiver unless that flag moves`));
        }
      } catch (err) {
        // Route problems are the schema's and the semantic checks' to report; the rest is new here.
        if (err instanceof EntryProblem && err.field[0] === "filter") found.errors.push(specError(doc, [...at, ...err.field], err.detail));
        else if (!(err instanceof EntryProblem)) found.errors.push(specError(doc, at, errorMessage(err)));
      }
    }
  }
  return found;
}

import type { TriggerParameter } from "../api/types.js";
import { ExpressionError, errorMessage } from "../errors.js";
import { compileGoTemplate, type CompiledGoTemplate } from "../expr/gotemplate/index.js";
import { compilePath, type CompiledPath, type GjsonType } from "../expr/gjson.js";
import { sjsonSet } from "../expr/sjson.js";
import type { SensorEvent } from "./event.js";
import { contextDocument, wholeEventJson } from "./parameter-source.js";
import type { Where } from "./where.js";

export interface CompiledParameter {
  readonly dependencyName: string;
  readonly dest: string;
  readonly operation: "overwrite" | "append" | "prepend";
  readonly useRawData: boolean;
  readonly value?: string;
  /**
   * Which part of the event the key/template read. As in the original, a data
   * key or template selects the data, and then the context ones are ignored.
   */
  readonly from?: "data" | "context";
  readonly key?: CompiledPath;
  readonly template?: CompiledGoTemplate;
  /** `dest` read as a gjson path, for append/prepend (the original reads the current value that way). */
  readonly current?: CompiledPath;
}

/** A resolved value as the original carries it: text plus gjson's type name ("String" for plain text). */
export interface ResolvedValue {
  text: string;
  type: GjsonType;
}

// Trigger-level parameters recompile the changed template per firing; identical
// template sources are parsed once and shared (compiled templates are immutable).
const TEMPLATE_CACHE = new Map<string, CompiledGoTemplate>();
const TEMPLATE_CACHE_MAX = 1000;

function cachedTemplate(source: string): CompiledGoTemplate {
  let t = TEMPLATE_CACHE.get(source);
  if (!t) {
    t = compileGoTemplate(source);
    if (TEMPLATE_CACHE.size >= TEMPLATE_CACHE_MAX) TEMPLATE_CACHE.clear();
    TEMPLATE_CACHE.set(source, t);
  }
  return t;
}

export function compileParameters(params: TriggerParameter[] | undefined, where: Where, at: string): CompiledParameter[] {
  return (params ?? []).map((p, i) => {
    const field = `${at}[${i}]`;
    const src = p.src;
    if (!src?.dependencyName) throw where.spec(`${field}.src.dependencyName`, "is required");
    const op = p.operation || "overwrite";
    if (op !== "overwrite" && op !== "append" && op !== "prepend") {
      throw where.spec(`${field}.operation`, `unsupported operation "${p.operation}"`);
    }
    if (typeof p.dest !== "string" || p.dest === "") throw where.spec(`${field}.dest`, "is required");
    const from = src.dataKey || src.dataTemplate ? "data" : src.contextKey || src.contextTemplate ? "context" : undefined;
    const keyText = from === "data" ? src.dataKey : from === "context" ? src.contextKey : undefined;
    const templateText = from === "data" ? src.dataTemplate : from === "context" ? src.contextTemplate : undefined;
    const keyField = `${field}.src.${from}Key`;
    const templateField = `${field}.src.${from}Template`;
    return {
      dependencyName: src.dependencyName,
      dest: p.dest,
      operation: op,
      useRawData: src.useRawData === true,
      value: src.value ?? undefined,
      from,
      key: keyText ? where.compile(keyField, () => compilePath(keyText)) : undefined,
      template: templateText ? where.compile(templateField, () => cachedTemplate(templateText)) : undefined,
      current: op === "overwrite" ? undefined : where.compile(`${field}.dest`, () => compilePath(p.dest)),
    };
  });
}

/** The rendered text, or why there is none (an execution error is kept for the message). */
function renderTemplate(t: CompiledGoTemplate, input: unknown): { text?: string; error?: string } {
  try {
    const out = t.render({ Input: input });
    return out === "" || out === "<no value>" ? {} : { text: out };
  } catch (err) {
    return { error: errorMessage(err) };
  }
}

/**
 * The value of one parameter, as the original's ResolveParamValue: undefined when
 * its dependency has no event and no default (normal under `||` conditions).
 * Without key or template: the default `value`, else the whole event. Otherwise
 * the template (failing, "" or `<no value>` falls through), then the key, then
 * the default; none of them is an error.
 */
export function resolveParameter(p: CompiledParameter, events: Record<string, SensorEvent>): ResolvedValue | undefined {
  const event = events[p.dependencyName];
  if (!event) return p.value !== undefined ? { text: p.value, type: "String" } : undefined;
  if (!p.from) {
    return { text: p.value !== undefined ? p.value : wholeEventJson(event), type: "String" };
  }
  // The original reads data only when it is JSON; a missing payload is unreadable.
  const doc = p.from === "data" ? event.data : contextDocument(event);
  let templateError: string | undefined;
  if (doc !== undefined) {
    if (p.template) {
      const out = renderTemplate(p.template, doc);
      if (out.text !== undefined) return { text: out.text, type: "String" };
      templateError = out.error;
    }
    if (p.key) {
      const r = p.key.get(doc);
      if (r.exists) return { text: r.type === "JSON" || r.type === "Null" ? r.raw : r.str, type: r.type };
    }
  }
  if (p.value !== undefined) return { text: p.value, type: "String" };
  const tried = [
    p.template
      ? `${p.from}Template ${JSON.stringify(p.template.source)} ${templateError ? `failed (${templateError})` : "rendered nothing"}`
      : "",
    p.key ? `${p.from}Key ${JSON.stringify(p.key.path)} does not exist in the event` : "",
    doc === undefined ? "the event has no data" : "",
  ].filter((s) => s !== "");
  throw new ExpressionError(
    `unable to resolve parameter from dependency "${p.dependencyName}": ${tried.join(", ")} and no default value is set`,
  );
}

/**
 * Apply parameters to a JSON document (a resource, or a trigger template) as the
 * original's ApplyParams: the value is set as a JSON string, except that with
 * `useRawData` a value of another type (object, array, number, bool, null) is
 * set raw; append/prepend concatenate with the current value as text.
 */
export function applyParameters(doc: unknown, params: CompiledParameter[], events: Record<string, SensorEvent>): unknown {
  let out = doc;
  for (const p of params) {
    const resolved = resolveParameter(p, events);
    if (!resolved) continue;
    let { text, type } = resolved;
    if (p.current) {
      const current = p.current.get(out);
      if (current.exists) {
        type = "String";
        text = p.operation === "append" ? current.str + text : text + current.str;
      }
    }
    const value = type !== "String" && p.useRawData ? parseRaw(text, p) : text;
    try {
      out = sjsonSet(out, p.dest, value);
    } catch (err) {
      throw new ExpressionError(`parameter dest "${p.dest}": ${err instanceof Error ? err.message : String(err)}`, {
        cause: err,
      });
    }
  }
  return out;
}

function parseRaw(text: string, p: CompiledParameter): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new ExpressionError(`parameter dest "${p.dest}": raw value is not JSON`, { cause: err });
  }
}

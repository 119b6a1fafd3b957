import type { TriggerParameter } from "../api/index.js";
import { ExpressionError, errorMessage } from "../errors.js";
import { compileGoTemplate, GoTemplateError, type CompiledGoTemplate, ParseError, parseTemplate, compilePath, type CompiledPath, type GjsonType, sjsonSet } from "../expr/index.js";
import type { SensorEvent } from "./event.js";
import { contextDocument, dataDocument, wholeEventJson, type DataDocument } from "./parameter-source.js";
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

// The functions Go's template.Parse knows in a sensor template: text/template's
// builtins and sprig v3.3.0's FuncMap (what Argo Events builds with; it parses
// with template.New("param").Funcs(sprig.FuncMap())).
const GO_TEMPLATE_FUNCS = new Set(
  `and call html index js len not or print printf println slice urlquery eq ge gt le lt ne
  abbrev abbrevboth add add1 add1f addf adler32sum ago all any append atoi b32dec b32enc b64dec b64enc base
  bcrypt biggest buildCustomCert camelcase cat ceil chunk clean coalesce compact concat contains date
  dateInZone dateModify date_in_zone date_modify decryptAES deepCopy deepEqual default derivePassword dict dig
  dir div divf duration durationRound empty encryptAES env expandenv ext fail first float64 floor fromJson
  genCA genCAWithKey genPrivateKey genSelfSignedCert genSelfSignedCertWithKey genSignedCert
  genSignedCertWithKey get getHostByName has hasKey hasPrefix hasSuffix hello htmlDate htmlDateInZone htpasswd
  indent initial initials int int64 isAbs join kebabcase keys kindIs kindOf last list lower max maxf merge
  mergeOverwrite min minf mod mul mulf mustAppend mustChunk mustCompact mustDateModify mustDeepCopy mustFirst
  mustFromJson mustHas mustInitial mustLast mustMerge mustMergeOverwrite mustPrepend mustPush mustRegexFind
  mustRegexFindAll mustRegexMatch mustRegexReplaceAll mustRegexReplaceAllLiteral mustRegexSplit mustRest
  mustReverse mustSlice mustToDate mustToJson mustToPrettyJson mustToRawJson mustUniq mustWithout
  must_date_modify nindent nospace now omit osBase osClean osDir osExt osIsAbs pick pluck plural prepend push
  quote randAlpha randAlphaNum randAscii randBytes randInt randNumeric regexFind regexFindAll regexMatch
  regexQuoteMeta regexReplaceAll regexReplaceAllLiteral regexSplit repeat replace rest reverse round semver
  semverCompare seq set sha1sum sha256sum sha512sum shuffle slice snakecase sortAlpha split splitList splitn
  squote sub subf substr swapcase ternary title toDate toDecimal toJson toPrettyJson toRawJson toString
  toStrings trim trimAll trimPrefix trimSuffix trimall trunc tuple typeIs typeIsLike typeOf uniq unixEpoch
  unset until untilStep untitle upper urlJoin urlParse uuidv4 values without wrap wrapWith`.split(/\s+/),
);

/**
 * Sprig functions Go parses and runs that the gateway refuses on purpose: they read
 * the gateway's environment or query DNS. A template using them is a load error,
 * where Argo Events would load and run it: the gateway is deliberately stricter.
 */
const REFUSED_FUNCS = new Set(["env", "expandenv", "getHostByName"]);

function lineCol(src: string, pos: number): string {
  const before = src.slice(0, pos);
  return `${before.split("\n").length}:${pos - before.lastIndexOf("\n")}`;
}

/** Go's template.Parse over sprig's functions: the parse error it reports, or the functions the template names. */
function goParse(source: string): { error: string } | { functions: Set<string> } {
  const functions = new Set<string>();
  try {
    parseTemplate(source, (name) => {
      functions.add(name);
      return GO_TEMPLATE_FUNCS.has(name);
    });
  } catch (err) {
    if (err instanceof ParseError) return { error: `template: param:${lineCol(source, err.pos)}: ${err.message}` };
    throw err;
  }
  return { functions };
}

/**
 * A template Go's template.Parse refuses. The original parses on every use (a
 * parameter per firing, a data filter per event), so such a template loads and each
 * use fails with the parse error: a parameter falls through to its key, then its
 * value (ResolveParamValue), a data filter reports the error (filterData).
 */
function unparsable(source: string, error: string): CompiledGoTemplate {
  return {
    source,
    render(): string {
      throw new GoTemplateError(error, 0, 0);
    },
  };
}

/**
 * A template as the original treats it: compiled, or (when Go cannot parse it
 * either) one whose every render fails with the parse error. Load errors remain
 * for what Go parses and the gateway will not run: the refused functions (on
 * purpose, stricter than Argo Events) and sprig functions it does not implement.
 */
function loadTemplate(source: string): CompiledGoTemplate {
  let compiled: CompiledGoTemplate;
  try {
    compiled = compileGoTemplate(source);
  } catch (err) {
    const go = goParse(source);
    if ("error" in go) return unparsable(source, go.error);
    const refused = [...go.functions].filter((f) => REFUSED_FUNCS.has(f));
    if (refused.length > 0) {
      throw new TemplateRefused(
        `${refused.length > 1 ? "functions" : "function"} ${refused.map((f) => JSON.stringify(f)).join(", ")} ` +
          `${refused.length > 1 ? "are" : "is"} refused: a sensor template may not read the ` +
          "gateway's environment or resolve host names (Argo Events' sprig would run it; the gateway is deliberately stricter here)",
      );
    }
    const m = /function "([^"]+)" not defined/.exec(errorMessage(err));
    if (m && GO_TEMPLATE_FUNCS.has(m[1] as string)) {
      throw new TemplateRefused(`sprig function "${m[1]}" is not supported by the gateway (Argo Events would run it)`);
    }
    throw err;
  }
  // What the gateway has beyond sprig, Go does not parse.
  const go = goParse(source);
  return "error" in go ? unparsable(source, go.error) : compiled;
}

/** A template Go would parse that the gateway will not run: a load error (not supported). */
class TemplateRefused extends Error {}

// Trigger-level parameters recompile the changed template per firing; identical
// template sources are parsed once and shared (compiled templates are immutable).
const TEMPLATE_CACHE = new Map<string, CompiledGoTemplate>();
const TEMPLATE_CACHE_MAX = 1000;

function cachedTemplate(source: string): CompiledGoTemplate {
  let t = TEMPLATE_CACHE.get(source);
  if (!t) {
    t = loadTemplate(source);
    if (TEMPLATE_CACHE.size >= TEMPLATE_CACHE_MAX) TEMPLATE_CACHE.clear();
    TEMPLATE_CACHE.set(source, t);
  }
  return t;
}

/**
 * Compile a sensor template (`dataTemplate`, `contextTemplate`, a data filter's
 * `template`) as the original would use it: a template Go cannot parse loads and
 * fails at each use; one that uses a refused or unimplemented function is a load
 * error naming the field.
 */
export function compileSensorTemplate(source: string, where: Where, field: string): CompiledGoTemplate {
  try {
    return where.compile(field, () => cachedTemplate(source));
  } catch (err) {
    const cause = err instanceof Error ? err.cause : undefined;
    if (cause instanceof TemplateRefused) throw where.notSupported(field, cause.message);
    throw err;
  }
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
      template: templateText ? compileSensorTemplate(templateText, where, templateField) : undefined,
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
 * The value of one parameter, as the original's ResolveParamValue
 * (pkg/sensors/triggers/params.go): undefined when its dependency has no event and
 * no default (normal under `||` conditions). Without key or template: the default
 * `value`, else the whole event. A data side the original cannot read (no payload,
 * a `datacontenttype` other than application/json or application/yaml:
 * renderEventDataAsJSON) goes straight to the default. Otherwise the template
 * (failing to parse or execute, "" or `<no value>` falls through), then the key,
 * then the default; none of them is an error.
 */
export function resolveParameter(p: CompiledParameter, events: Record<string, SensorEvent>): ResolvedValue | undefined {
  const event = events[p.dependencyName];
  if (!event) return p.value !== undefined ? { text: p.value, type: "String" } : undefined;
  if (!p.from) {
    return { text: p.value !== undefined ? p.value : wholeEventJson(event), type: "String" };
  }
  const doc: DataDocument = p.from === "data" ? dataDocument(event) : { ok: true, value: contextDocument(event) };
  let templateError: string | undefined;
  if (doc.ok) {
    if (p.template) {
      const out = renderTemplate(p.template, doc.value);
      if (out.text !== undefined) return { text: out.text, type: "String" };
      templateError = out.error;
    }
    if (p.key) {
      const r = p.key.get(doc.value, doc.raw);
      if (r.exists) return { text: r.type === "JSON" || r.type === "Null" ? r.raw : r.str, type: r.type };
    }
  }
  if (p.value !== undefined) return { text: p.value, type: "String" };
  const tried = doc.ok
    ? [
        p.template
          ? `${p.from}Template ${JSON.stringify(p.template.source)} ${templateError ? `failed (${templateError})` : "rendered nothing"}`
          : "",
        p.key ? `${p.from}Key ${JSON.stringify(p.key.path)} does not exist in the event` : "",
      ].filter((s) => s !== "")
    : [`the event's data cannot be read (${doc.error})`];
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

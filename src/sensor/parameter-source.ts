// The JSON documents a parameter reads, shaped as the original marshals its Event:
// the context has exactly these attributes in this order (no extensions), time in
// RFC 3339 without fractions, and the whole event carries `data` base64-encoded
// (the original's Data is []byte, which encoding/json writes as base64).
//
// Also what the original's Event.Data (the payload bytes) is for a SensorEvent,
// whose `data` is the CloudEvent's `data` member as decoded JSON: the CloudEvents
// SDK (sdk-go v2 event_unmarshal.go consumeData) keeps a JSON media type's `data` as
// its JSON text, and reads any other media type's `data` as a JSON string whose
// text is the payload.
import { parseAllDocuments, type Tags } from "yaml";
import { rememberJsonText } from "../eventbus/index.js";
import type { RawSource } from "../expr/index.js";
import type { SensorEvent } from "./event.js";
import { argoRawSource, sortedRawSource, textRawSource } from "./event-text.js";

const CONTEXT_KEYS = ["id", "source", "specversion", "type", "datacontenttype", "subject", "time"] as const;

/** The context as `contextKey` / `contextTemplate` see it. */
export function contextDocument(event: SensorEvent): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of CONTEXT_KEYS) out[k] = String(event.context[k] ?? "");
  const t = new Date(event.context.time);
  if (!Number.isNaN(t.getTime())) out.time = t.toISOString().replace(/\.\d{3}Z$/, "Z");
  return out;
}

// encoding/json escapes these inside strings (the payload bytes the original
// encodes went through it too).
function goJson(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

// sdk-go v2.16 (the version Argo Events builds with): content_type.go isJSON, applied
// to GetDataMediaType (the text before `;`, trimmed only when there is a `;`).
const JSON_MEDIA_TYPES = new Set(["", "application/json", "text/json", "application/cloudevents+json", "application/cloudevents-batch+json"]);

function dataContentType(event: SensorEvent): string {
  const ct: unknown = event.context.datacontenttype;
  return typeof ct === "string" ? ct : "";
}

/** Whether the CloudEvents SDK carries this event's `data` as JSON (else as a string). */
export function hasJsonMediaType(event: SensorEvent): boolean {
  const ct = dataContentType(event);
  const i = ct.indexOf(";");
  return JSON_MEDIA_TYPES.has(i < 0 ? ct : ct.slice(0, i).trim());
}

/**
 * The original's Event.Data: none (nil), a JSON value (the bytes are its JSON
 * text), or text that is not necessarily JSON (a non-JSON media type's string).
 * A non-string `data` under a non-JSON media type cannot come from the SDK (it
 * refuses such an event); it is read as JSON.
 */
export type EventPayload = { kind: "none" } | { kind: "json"; value: unknown } | { kind: "text"; text: string };

export function eventPayload(event: SensorEvent): EventPayload {
  const data = event.data;
  if (data === undefined) return { kind: "none" };
  if (typeof data === "string" && !hasJsonMediaType(event)) return { kind: "text", text: data };
  return { kind: "json", value: data };
}

/** The whole event, as a parameter without key, template or value gets it. */
export function wholeEventJson(event: SensorEvent): string {
  const payload = eventPayload(event);
  const bytes = payload.kind === "none" ? undefined : payload.kind === "text" ? payload.text : (argoRawSource(event)([], payload.value) ?? goJson(payload.value));
  const data = bytes === undefined ? null : Buffer.from(bytes, "utf8").toString("base64");
  return `{"context":${goJson(contextDocument(event))},"data":${goJson(data)}}`;
}

/** The data side of a parameter: the JSON document (and Argo's bytes of it), or why the original cannot read one. */
export type DataDocument = { ok: true; value: unknown; raw?: RawSource } | { ok: false; error: string };

// gopkg.in/yaml.v2 (under ghodss/yaml) leaves timestamps and sexagesimal numbers
// as strings when it decodes into interface{}; !!set, !!omap and !!pairs are plain
// collections to it.
const YAML_V2_SKIPS = new Set(["tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:set", "tag:yaml.org,2002:omap", "tag:yaml.org,2002:pairs"]);

function yamlV2Tags(tags: Tags): Tags {
  return tags.filter((t) => typeof t === "string" || (!YAML_V2_SKIPS.has(t.tag) && (t as { format?: string }).format !== "TIME"));
}

/** JSON-able as Go's json.Marshal would take it: !!binary is a byte string, Inf/NaN are refused. */
function jsonable(v: unknown): unknown {
  if (typeof v === "number") {
    if (!Number.isFinite(v)) throw new Error(`json: unsupported value: ${Number.isNaN(v) ? "NaN" : v > 0 ? "+Inf" : "-Inf"}`);
    return v;
  }
  if (v instanceof Uint8Array) return Buffer.from(v).toString("utf8");
  if (Array.isArray(v)) return v.map(jsonable);
  if (typeof v === "object" && v !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = jsonable(x);
    return out;
  }
  return v;
}

/** ghodss/yaml YAMLToJSON, as the original converts an application/yaml payload: the first document, YAML 1.1. */
function yamlToJson(text: string): DataDocument {
  try {
    const first = parseAllDocuments(text, { version: "1.1", uniqueKeys: false, customTags: yamlV2Tags })[0];
    if (!first) return { ok: true, value: null };
    if (first.errors.length > 0) throw first.errors[0];
    return { ok: true, value: jsonable(first.toJS() ?? null), raw: sortedRawSource };
  } catch (err) {
    return { ok: false, error: `failed converting yaml event data to JSON: ${err instanceof Error ? err.message : String(err)}` };
  }
}

/**
 * What `dataKey` / `dataTemplate` read, as the original's renderEventDataAsJSON
 * (pkg/sensors/triggers/params.go) decides on the exact `datacontenttype`:
 * "application/json" needs a payload that is JSON, "application/yaml" is converted
 * to JSON, any other type (text/plain, "application/json; charset=utf-8", none) is
 * unreadable, and ResolveParamValue then falls back to the parameter's `value`.
 */
export function dataDocument(event: SensorEvent): DataDocument {
  const ct = dataContentType(event);
  const payload = eventPayload(event);
  switch (ct) {
    case "application/json":
      if (payload.kind === "json") return { ok: true, value: payload.value, raw: argoRawSource(event) };
      // isJSON(nil) is false too: an event without data has nothing to read.
      return { ok: false, error: payload.kind === "none" ? "the event has no data" : "event data is not valid JSON" };
    case "application/yaml":
      if (payload.kind === "none") return { ok: true, value: null }; // YAMLToJSON(nil) is "null"
      if (payload.kind === "json") return { ok: true, value: payload.value, raw: sortedRawSource }; // JSON is YAML, through Go maps
      return yamlToJson(payload.text);
    default:
      return { ok: false, error: `unsupported event content type: ${ct}` };
  }
}

/**
 * The payload as filters.data and filters.exprs read it (filter.go filterData /
 * filterExpr): no payload passes them, a payload that is not JSON is an error. They
 * look at the bytes only, not at `datacontenttype`.
 */
export type FilterPayload = { kind: "none" } | { kind: "json"; value: unknown; raw: RawSource } | { kind: "invalid" };

export function filterPayload(event: SensorEvent): FilterPayload {
  const payload = eventPayload(event);
  if (payload.kind === "none") return payload;
  if (payload.kind === "json") return { kind: "json", value: payload.value, raw: argoRawSource(event) };
  try {
    return { kind: "json", value: rememberJsonText(JSON.parse(payload.text) as unknown, payload.text), raw: textRawSource(payload.text) };
  } catch {
    return { kind: "invalid" };
  }
}

// The bytes Argo's sensor holds for an event's data, where gjson's raw text of an object
// (an object-valued parameter, a string filter on an object) depends on them. Argo's
// EventSources marshal a Go struct {headers|header, body, metadata}:
// - the struct's fields in declaration order (the order our receivers build them in);
// - headers and metadata are Go maps: sorted keys;
// - body is a json.RawMessage of the request body: the sender's text, compacted with
//   HTML escapes, except GitHub's, which parseValidateRequest (eventsources/sources/
//   github/start.go) unmarshals into a map and marshals again: sorted keys at every level.
// Where no text was kept (a body built from a form or a Bitbucket Server change), the
// value's own order is the order Argo wrote it in.
import { jsonTextOf } from "../eventbus/index.js";
import { compactGoJson, goJsonMarshal, locateJsonText, type JsonStep, type RawSource } from "../expr/index.js";
import type { SensorEvent } from "./event.js";

/** Source types whose body Argo re-marshals from a Go map. */
const REMARSHALLED_BODY_TYPES: ReadonlySet<string> = new Set(["github"]);

const GO_ESCAPES: Record<string, string> = { "<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029" };

/** JSON text of a value in its own key order, with encoding/json's escapes. */
function inOwnOrder(v: unknown): string {
  if (typeof v === "number") return Object.is(v, -0) ? "-0" : JSON.stringify(v);
  return (JSON.stringify(v) ?? "null").replace(/[<>&\u2028\u2029]/g, (c) => GO_ESCAPES[c] as string);
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** An envelope as our receivers build it (and Argo's EventSources marshal it). */
function isEnvelope(data: unknown): data is Record<string, unknown> {
  return isRecord(data) && "body" in data && ("headers" in data || "header" in data);
}

/** The deepest value on the way to `at` whose text is known, and the rest of the way. */
function knownText(root: unknown, at: readonly JsonStep[]): string | undefined {
  let best: { text: string; from: number } | undefined;
  let node: unknown = root;
  for (let n = 0; ; n++) {
    const text = jsonTextOf(node);
    if (text !== undefined) best = { text, from: n };
    if (n === at.length || typeof node !== "object" || node === null) break;
    node = (node as Record<string | number, unknown>)[at[n]];
  }
  return best ? locateJsonText(best.text, at.slice(best.from)) : undefined;
}

/** The sender's text of the value at `at`, compacted as a RawMessage is marshalled; else the value in its own order. */
function senderText(root: unknown, at: readonly JsonStep[], v: unknown): string {
  const text = knownText(root, at);
  return text !== undefined ? compactGoJson(text) : inOwnOrder(v);
}

/** Argo's bytes for the value `v` at `at` in the event's data. */
export function argoRawSource(event: SensorEvent): RawSource {
  const data = event.data;
  if (!isEnvelope(data)) return (at, v) => senderText(data, at, v);
  const sortedBody = REMARSHALLED_BODY_TYPES.has(String(event.context.type));
  const member = (at: readonly JsonStep[], v: unknown): string => {
    if (at[0] !== "body") return goJsonMarshal(v);
    return sortedBody ? goJsonMarshal(v) : senderText(data, at, v);
  };
  return (at, v) => {
    if (at.length > 0) return member(at, v);
    const fields = Object.keys(data).map((k) => `${inOwnOrder(k)}:${member([k], data[k])}`);
    return `{${fields.join(",")}}`;
  };
}

/** Data that is a text Argo's gjson reads as it is (a non-JSON media type's string). */
export function textRawSource(text: string): RawSource {
  return (at, v) => locateJsonText(text, at) ?? inOwnOrder(v);
}

/** Data that came from YAML: ghodss/yaml converts through Go maps, so every object has sorted keys. */
export const sortedRawSource: RawSource = (_at, v) => goJsonMarshal(v);

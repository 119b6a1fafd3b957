// A delivery turned into event data without a server: what `test-sensor --provider`
// feeds a Sensor, built by the same parser the receiver of that type runs (signatures
// are not checked: the payload is the user's own file).
import { MapSecretStore } from "../config/index.js";
import { goHeaders, type GoHeader } from "../http/index.js";
import type { SourceHandler, SourceType } from "./receiver.js";
import { SOURCE_TYPES } from "./registry.js";

/** The parser a receiver of `type` runs, for an entry with nothing configured. */
function handler<K extends SourceType>(type: K): SourceHandler {
  const entry = SOURCE_TYPES[type];
  return entry.handler(entry.bare, { namespace: "default", secrets: new MapSecretStore({}) });
}

/** `[name, value]` pairs as a Go handler keys them (repeats kept in order), through the receivers' own goHeaders. */
export function headersFrom(pairs: readonly [string, string][]): GoHeader {
  const distinct = new Map<string, string[]>();
  for (const [name, value] of pairs) distinct.set(name.toLowerCase(), [...(distinct.get(name.toLowerCase()) ?? []), value]);
  // fromEntries defines own properties: a `__proto__` header stays a header.
  return goHeaders({ headersDistinct: Object.fromEntries(distinct) });
}

/** The event data a receiver of `type` would publish for this body and these headers. */
export function offlineEventData(type: SourceType, pairs: readonly [string, string][], body: Buffer): unknown {
  const typed = pairs.some(([k]) => k.toLowerCase() === "content-type");
  const headers = headersFrom(typed ? pairs : [["Content-Type", "application/json"], ...pairs]);
  return handler(type).parse({ method: "POST", path: "/", query: "", headers, rawBody: body }).data;
}

import type { IncomingMessage } from "node:http";

/** Request headers as Go's http.Header: canonical keys, every value an array. */
export type GoHeader = Record<string, string[]>;

// RFC 7230 token characters; Go leaves a key with any other byte untouched.
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * Go's textproto.CanonicalMIMEHeaderKey: the first letter and every letter after
 * a `-` upper case, the rest lower case (`x-github-event` -> `X-Github-Event`).
 */
export function canonicalHeaderKey(key: string): string {
  const known = canonical.get(key);
  if (known !== undefined) return known;
  const out = canonicalize(key);
  // Bounded: header names are the sender's choice.
  if (canonical.size >= 512) canonical.clear();
  canonical.set(key, out);
  return out;
}

// Every delivery repeats the same few names; spelling them out each time showed in profiles.
const canonical = new Map<string, string>();

function canonicalize(key: string): string {
  if (!TOKEN.test(key)) return key;
  let out = "";
  let upper = true;
  for (const ch of key) {
    out += upper ? ch.toUpperCase() : ch.toLowerCase();
    upper = ch === "-";
  }
  return out;
}

// Go's server moves Host to Request.Host and drops Transfer-Encoding from
// Request.Header, so payloads built by Argo Events never carry them.
const NOT_IN_GO_HEADER = new Set(["Host", "Transfer-Encoding"]);

/** The request's headers keyed and shaped as a Go handler sees them. */
export function goHeaders(req: Pick<IncomingMessage, "headersDistinct">): GoHeader {
  const out: GoHeader = {};
  for (const [name, values] of Object.entries(req.headersDistinct)) {
    if (values === undefined) continue;
    const key = canonicalHeaderKey(name);
    if (NOT_IN_GO_HEADER.has(key)) continue;
    // Header names are the sender's: `__proto__` must become a key like any other.
    const list = Object.hasOwn(out, key) ? out[key] : undefined;
    if (list) list.push(...values);
    else Object.defineProperty(out, key, { value: [...values], enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** First value of a header (the `Header.Get` of Go); `name` in any case. */
export function headerValue(headers: GoHeader, name: string): string | undefined {
  const key = canonicalHeaderKey(name);
  return Object.hasOwn(headers, key) ? headers[key]?.[0] : undefined;
}

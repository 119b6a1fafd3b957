// The raw text of a value inside a JSON text, as gjson hands it back: Argo's gjson reads
// the event's bytes, so an object-valued result is the sender's own text (key order,
// number spelling, string escapes), not a re-serialisation of the parsed value.

/** A step from a JSON value to one of its members: an object key or an array index. */
export type JsonStep = string | number;

const WS = new Set([0x20, 0x09, 0x0a, 0x0d]);

function skipWs(s: string, i: number): number {
  while (i < s.length && WS.has(s.charCodeAt(i))) i++;
  return i;
}

/** Index just past the string whose opening quote is at `i`. */
function skipString(s: string, i: number): number {
  for (i++; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x5c) i++;
    else if (c === 0x22) return i + 1;
  }
  return s.length;
}

/** Index just past the value starting at `i` (no leading whitespace). */
function skipValue(s: string, i: number): number {
  const c = s[i];
  if (c === '"') return skipString(s, i);
  if (c !== "{" && c !== "[") {
    while (i < s.length && !",}] \t\r\n".includes(s[i])) i++;
    return i;
  }
  let depth = 0;
  for (; i < s.length; i++) {
    const d = s[i];
    if (d === '"') i = skipString(s, i) - 1;
    else if (d === "{" || d === "[") depth++;
    else if (d === "}" || d === "]") {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return s.length;
}

function keyText(s: string, start: number, end: number): string {
  const inner = s.slice(start + 1, end - 1);
  return inner.includes("\\") ? (JSON.parse(s.slice(start, end)) as string) : inner;
}

/** [start, end) of the member `step` of the container at `i`; the last of duplicate keys, as JSON.parse keeps. */
function member(s: string, i: number, step: JsonStep): [number, number] | undefined {
  const open = s[i];
  if (open === "[" && typeof step === "number") {
    let at = skipWs(s, i + 1);
    for (let n = 0; at < s.length && s[at] !== "]"; n++) {
      const end = skipValue(s, at);
      if (n === step) return [at, end];
      at = skipWs(s, end);
      if (s[at] === ",") at = skipWs(s, at + 1);
    }
    return undefined;
  }
  if (open !== "{") return undefined;
  const want = String(step);
  let found: [number, number] | undefined;
  let at = skipWs(s, i + 1);
  while (at < s.length && s[at] === '"') {
    const keyEnd = skipString(s, at);
    const key = keyText(s, at, keyEnd);
    const valueStart = skipWs(s, skipWs(s, keyEnd) + 1);
    const valueEnd = skipValue(s, valueStart);
    if (key === want) found = [valueStart, valueEnd];
    at = skipWs(s, valueEnd);
    if (s[at] === ",") at = skipWs(s, at + 1);
  }
  return found;
}

/** The text of the value at `path` in the JSON text `text`, or undefined when it is not there. */
export function locateJsonText(text: string, path: readonly JsonStep[]): string | undefined {
  let start = skipWs(text, 0);
  let end = skipValue(text, start);
  for (const step of path) {
    const m = member(text, start, step);
    if (!m) return undefined;
    [start, end] = m;
  }
  return text.slice(start, end);
}

const HTML_ESCAPES: Record<string, string> = { "<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029" };

/**
 * encoding/json's compact with HTML escaping, as json.Marshal writes a RawMessage:
 * whitespace outside strings goes, `<`, `>`, `&`, U+2028 and U+2029 are escaped
 * (they can only stand inside strings), everything else stays as written.
 */
export function compactGoJson(text: string): string {
  let out = "";
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      const end = skipString(text, i);
      i = end - 1;
    } else if (c === " " || c === "\t" || c === "\n" || c === "\r") {
      out += text.slice(from, i);
      from = i + 1;
    }
  }
  out += text.slice(from);
  return /[<>&\u2028\u2029]/.test(out) ? out.replace(/[<>&\u2028\u2029]/g, (ch) => HTML_ESCAPES[ch] as string) : out;
}

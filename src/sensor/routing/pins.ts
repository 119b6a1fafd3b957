// Which single test a dependency's filters make necessary: a "pin" the index can
// look up. Conservative by design: whatever is not provably necessary is no pin, and
// the dependency is then a candidate for every event.
import type { CompiledPath } from "../../expr/index.js";
import type { CompiledDataFilter } from "../filters/data.js";
import type { CompiledFilters } from "../filters/filters.js";

/** The context attributes a context filter compares (exact string equality). */
export const CONTEXT_FIELDS = ["type", "subject", "source", "datacontenttype"] as const;
export type ContextField = (typeof CONTEXT_FIELDS)[number];

/**
 * A condition every passing event meets:
 * - data: the path exists and its text (gjson `.str`, as checkData compares) is one
 *   of `keys` — unless the event has no data at all, which checkData lets pass;
 * - context: `event.context[field] === key`.
 */
export type Pin =
  | { readonly kind: "data"; readonly path: CompiledPath; readonly keys: readonly string[] }
  | { readonly kind: "context"; readonly field: ContextField; readonly key: string };

// Outside an escape these are RE2 syntax; `{` and `}` are literal in some
// positions, but never reading them as literal keeps this simple and safe.
const META = new Set("\\.+*?()|[]{}^$");
// RE2 (and re2js) read `\` + ASCII punctuation as that character; `\` + a letter
// or digit is a class, an assertion or a code, never a plain literal.
const ESCAPABLE = /^[!-/:-@[-`{-~]$/;

/**
 * The one string an RE2 pattern of the form `^literal$` matches, or undefined when
 * the pattern is anything else. Without flags RE2's `^`/`$` are start/end of text
 * (no match before a trailing newline, unlike JS), so matching is string equality.
 */
export function anchoredLiteral(source: string): string | undefined {
  if (source.length < 2 || source[0] !== "^" || source[source.length - 1] !== "$") return undefined;
  const end = source.length - 1; // the anchoring `$`
  let out = "";
  let i = 1;
  while (i < end) {
    const c = source[i];
    if (c !== "\\") {
      if (META.has(c)) return undefined;
      out += c;
      i++;
      continue;
    }
    // A `\` just before the last `$` escapes it: then there is no end anchor.
    if (i + 1 >= end) return undefined;
    const next = source[i + 1];
    if (next === "Q") {
      // `\Q...\E` is verbatim up to the first `\E`; without one it runs to the end
      // of the pattern and swallows the `$` too, so it is no anchored literal.
      const close = source.indexOf("\\E", i + 2);
      if (close < 0) return undefined;
      out += source.slice(i + 2, close);
      i = close + 2;
      continue;
    }
    if (!ESCAPABLE.test(next)) return undefined;
    out += next;
    i += 2;
  }
  return i === end ? out : undefined;
}

/** The literals a data filter's value list stands for, when it is `=` over anchored literals only. */
function dataKeys(f: CompiledDataFilter): string[] | undefined {
  if (f.check.type !== "string" || f.comparator !== "=" || f.template) return undefined;
  const keys = new Set<string>();
  for (const re of f.check.regexes) {
    const lit = anchoredLiteral(re.source);
    if (lit === undefined) return undefined;
    keys.add(lit);
  }
  return keys.size > 0 ? [...keys] : undefined;
}

/**
 * The pin of a dependency's filters, or undefined when it must be a candidate for
 * every event. A kind is only necessary when the kinds are ANDed (or it is the only
 * kind set, which is the same); a data filter only when the data filters are ANDed
 * (or it is the only one). Data filters come first: they tell events on one subject
 * apart far better than context attributes, which are often the same for all.
 */
export function pinOf(filters: CompiledFilters | undefined): Pin | undefined {
  if (!filters) return undefined;
  const kinds = [filters.exprs, filters.data, filters.context, filters.time].filter((k) => k !== undefined).length;
  if (filters.or && kinds !== 1) return undefined;
  const data = filters.data;
  if (data && (!data.or || data.filters.length === 1)) {
    for (const f of data.filters) {
      const keys = dataKeys(f);
      if (keys) return { kind: "data", path: f.path, keys };
    }
  }
  const context = filters.context;
  if (context) {
    for (const field of CONTEXT_FIELDS) {
      const key = context[field];
      if (key !== undefined) return { kind: "context", field, key };
    }
  }
  return undefined;
}

// A webhook body is parsed once to check and filter it, and then travels on the bus
// as JSON again. Its source text already is that JSON: re-serialising a 7 KB payload
// was the largest single cost of a publish, so the parser remembers the text.

// A text, or how to find it (in an enclosing value's text) when someone asks.
const texts = new WeakMap<object, string | (() => string | undefined)>();

/**
 * Records that `text` is a JSON text of `value` (parsing it gives an equal value).
 * Only for values nobody mutates afterwards, such as a freshly parsed body. A
 * function is called, once, when the text is first asked for.
 */
export function rememberJsonText<T>(value: T, text: string | (() => string | undefined)): T {
  if (typeof value === "object" && value !== null) texts.set(value, text);
  return value;
}

/** Whether a text is remembered for `value` (without finding it yet). */
export function hasJsonText(value: unknown): boolean {
  return typeof value === "object" && value !== null && texts.has(value);
}

/** Remembers that `value`'s text is the member at `path` of `parent`'s remembered text, found when asked for. */
export function rememberJsonTextWithin(value: unknown, parent: unknown, path: readonly (string | number)[], locate: (text: string, path: readonly (string | number)[]) => string | undefined): void {
  if (!hasJsonText(parent) || typeof value !== "object" || value === null) return;
  texts.set(value, () => {
    const text = jsonTextOf(parent);
    return text === undefined ? undefined : locate(text, path);
  });
}

/** The JSON text remembered for `value`, if any. */
export function jsonTextOf(value: unknown): string | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const known = texts.get(value);
  if (typeof known !== "function") return known;
  const text = known();
  if (text === undefined) texts.delete(value);
  else texts.set(value, text);
  return text;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return (proto === Object.prototype || proto === null) && typeof (value as { toJSON?: unknown }).toJSON !== "function";
}

/**
 * JSON.stringify(value), except that a value with a remembered text (at the top or
 * up to `depth` plain-object levels down) is written as that text.
 */
export function toJsonText(value: unknown, depth = 2): string | undefined {
  const known = jsonTextOf(value);
  if (known !== undefined) return known;
  if (depth <= 0 || !isPlainObject(value)) return JSON.stringify(value);
  let out = "";
  for (const key of Object.keys(value)) {
    const text = toJsonText(value[key], depth - 1);
    // As JSON.stringify: keys whose value has no JSON form (undefined, functions) are left out.
    if (text === undefined) continue;
    out += `${out ? "," : ""}${JSON.stringify(key)}:${text}`;
  }
  return `{${out}}`;
}

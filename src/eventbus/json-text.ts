// A webhook body is parsed once to check and filter it, and then travels on the bus
// as JSON again. Its source text already is that JSON: re-serialising a 7 KB payload
// was the largest single cost of a publish, so the parser remembers the text.

const texts = new WeakMap<object, string>();

/**
 * Records that `text` is a JSON text of `value` (parsing it gives an equal value).
 * Only for values nobody mutates afterwards, such as a freshly parsed body.
 */
export function rememberJsonText<T>(value: T, text: string): T {
  if (typeof value === "object" && value !== null) texts.set(value, text);
  return value;
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
  if (typeof value === "object" && value !== null) {
    const known = texts.get(value);
    if (known !== undefined) return known;
  }
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

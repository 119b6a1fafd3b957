// How a field inside a spec is named in error messages: `spec.triggers[0].template.name`.

export type FieldPath = readonly (string | number)[];

const PLAIN_KEY = /^[A-Za-z_$][\w$-]*$/;

export function formatFieldPath(path: FieldPath): string {
  let out = "";
  for (const seg of path) {
    if (typeof seg === "number") out += `[${seg}]`;
    else if (PLAIN_KEY.test(seg)) out += out === "" ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

/** The inverse of formatFieldPath: `spec.triggers[0]["a.b"]` -> ["spec", "triggers", 0, "a.b"]. */
export function parseFieldPath(text: string): FieldPath {
  const out: (string | number)[] = [];
  const re = /([^.[\]]+)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m[1] !== undefined) out.push(m[1]);
    else if (m[2] !== undefined) out.push(Number(m[2]));
    else out.push(JSON.parse(m[3] as string) as string);
  }
  return out;
}

/** `Kind/name` of a parsed document, as far as it can be told. */
export function resourceName(obj: unknown): string {
  if (obj === null || typeof obj !== "object" || Array.isArray(obj)) return "";
  const rec = obj as Record<string, unknown>;
  const kind = typeof rec.kind === "string" && rec.kind !== "" ? rec.kind : "<no kind>";
  const meta = rec.metadata;
  const name =
    meta !== null && typeof meta === "object" && typeof (meta as Record<string, unknown>).name === "string"
      ? ((meta as Record<string, unknown>).name as string)
      : "";
  if (kind === "<no kind>" && name === "") return ""; // not a Kubernetes object at all
  return `${kind}/${name === "" ? "<no name>" : name}`;
}

/** Reads a value at `path` in a plain JSON-like value; undefined when any step is missing. */
export function getAt(value: unknown, path: FieldPath): unknown {
  let cur: unknown = value;
  for (const seg of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string | number, unknown>)[seg];
  }
  return cur;
}

/** Whether a field is really given: not absent, null, "", false, [] or {} (Go's omitempty view). */
export function isSet(value: unknown): boolean {
  if (value === null || value === undefined || value === "" || value === false) return false;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === "object") return Object.keys(value).length > 0;
  return true;
}

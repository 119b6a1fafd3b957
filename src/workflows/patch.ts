// Patch documents as the API server applies them, for the local store:
// RFC 7386 JSON merge patch and RFC 6902 JSON patch (with RFC 6901 pointers).
import { isObject } from "../api/index.js";
import { BadRequestError, InvalidError } from "../errors.js";

type Json = unknown;

/** RFC 7386: objects merge key by key, `null` deletes, anything else (arrays too) replaces. */
export function mergePatch(target: Json, patch: Json): Json {
  if (!isObject(patch)) return structuredClone(patch);
  const out: Record<string, unknown> = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = mergePatch(out[key], value);
  }
  return out;
}

interface Operation {
  op: string;
  path: string;
  value?: unknown;
  from?: string;
}

function parsePointer(pointer: string): string[] {
  if (pointer === "") return [];
  if (!pointer.startsWith("/")) throw new BadRequestError(`JSON pointer "${pointer}" must start with "/"`);
  return pointer
    .slice(1)
    .split("/")
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
}

function arrayIndex(token: string, length: number, forAdd: boolean, pointer: string): number {
  if (forAdd && token === "-") return length;
  if (!/^(0|[1-9][0-9]*)$/.test(token)) throw new InvalidError(`JSON pointer "${pointer}": "${token}" is not an array index`);
  const i = Number(token);
  if (i > length || (!forAdd && i === length)) throw new InvalidError(`JSON pointer "${pointer}": index ${i} out of range`);
  return i;
}

function getAt(doc: Json, tokens: string[], pointer: string): Json {
  let cur = doc;
  for (const t of tokens) {
    if (Array.isArray(cur)) cur = cur[arrayIndex(t, cur.length, false, pointer)];
    else if (isObject(cur) && Object.hasOwn(cur, t)) cur = cur[t];
    else throw new InvalidError(`JSON pointer "${pointer}": path does not exist`);
  }
  return cur;
}

/** The container a pointer's last token lives in (a live reference into `doc`). */
function parentOf(doc: Json, tokens: string[], pointer: string): Record<string, unknown> | unknown[] {
  const parent = getAt(doc, tokens.slice(0, -1), pointer);
  if (!Array.isArray(parent) && !isObject(parent)) throw new InvalidError(`JSON pointer "${pointer}": parent is not a container`);
  return parent;
}

function add(doc: Json, pointer: string, value: Json): Json {
  const tokens = parsePointer(pointer);
  if (tokens.length === 0) return value;
  const parent = parentOf(doc, tokens, pointer);
  const last = tokens[tokens.length - 1];
  if (Array.isArray(parent)) parent.splice(arrayIndex(last, parent.length, true, pointer), 0, value);
  else parent[last] = value;
  return doc;
}

function remove(doc: Json, pointer: string): Json {
  const tokens = parsePointer(pointer);
  if (tokens.length === 0) throw new InvalidError("cannot remove the whole document");
  const parent = parentOf(doc, tokens, pointer);
  const last = tokens[tokens.length - 1];
  if (Array.isArray(parent)) parent.splice(arrayIndex(last, parent.length, false, pointer), 1);
  else if (Object.hasOwn(parent, last)) delete parent[last];
  else throw new InvalidError(`JSON pointer "${pointer}": path does not exist`);
  return doc;
}

function replace(doc: Json, pointer: string, value: Json): Json {
  const tokens = parsePointer(pointer);
  if (tokens.length === 0) return value;
  getAt(doc, tokens, pointer); // must exist
  const parent = parentOf(doc, tokens, pointer);
  const last = tokens[tokens.length - 1];
  if (Array.isArray(parent)) parent[arrayIndex(last, parent.length, false, pointer)] = value;
  else parent[last] = value;
  return doc;
}

function deepEqual(a: Json, b: Json): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}

function operations(patch: Json): Operation[] {
  if (!Array.isArray(patch)) throw new BadRequestError("a JSON patch must be an array of operations");
  return patch.map((op, i) => {
    if (!isObject(op) || typeof op.op !== "string" || typeof op.path !== "string") {
      throw new BadRequestError(`JSON patch operation ${i} needs "op" and "path"`);
    }
    return op as unknown as Operation;
  });
}

/**
 * RFC 6902 on a copy of `target`: add, remove, replace, move, copy, test. All or
 * nothing: a failing operation (or `test`) leaves the target untouched.
 */
export function jsonPatch(target: Json, patch: Json): Json {
  let doc = structuredClone(target);
  for (const [i, op] of operations(patch).entries()) {
    const needsValue = op.op === "add" || op.op === "replace" || op.op === "test";
    if (needsValue && !Object.hasOwn(op, "value")) throw new BadRequestError(`JSON patch operation ${i} (${op.op}) needs "value"`);
    switch (op.op) {
      case "add":
        doc = add(doc, op.path, structuredClone(op.value));
        break;
      case "remove":
        doc = remove(doc, op.path);
        break;
      case "replace":
        doc = replace(doc, op.path, structuredClone(op.value));
        break;
      case "move":
      case "copy": {
        if (typeof op.from !== "string") throw new BadRequestError(`JSON patch operation ${i} (${op.op}) needs "from"`);
        if (op.op === "move" && (op.path + "/").startsWith(op.from + "/") && op.path !== op.from) {
          throw new InvalidError(`JSON patch operation ${i}: cannot move "${op.from}" into its own child`);
        }
        const value = structuredClone(getAt(doc, parsePointer(op.from), op.from));
        if (op.op === "move") doc = remove(doc, op.from);
        doc = add(doc, op.path, value);
        break;
      }
      case "test":
        if (!deepEqual(getAt(doc, parsePointer(op.path), op.path), op.value)) {
          throw new InvalidError(`JSON patch test failed at "${op.path}"`);
        }
        break;
      default:
        throw new BadRequestError(`JSON patch operation ${i}: unknown op "${op.op}"`);
    }
  }
  return doc;
}

// Loads argoproj.io YAML (multi-document files, directories) and remembers where every
// field came from, so later checks can report FILE:LINE:COL on the offending field.
import { readdir, readFile, stat } from "node:fs/promises";
import { extname, join } from "node:path";
import jsYaml from "js-yaml";
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseAllDocuments, type Document, type YAMLError } from "yaml";
import { errorMessage, SpecError, SpecWarning } from "../errors.js";
import { formatFieldPath, resourceName, type FieldPath } from "./fieldpath.js";
import { API_VERSION, SUPPORTED_KINDS, type Spec } from "./types.js";

export interface Position {
  line: number;
  col: number;
}

export interface LoadedSpec {
  spec: Spec;
  file: string;
  /** Position of the document's root mapping. */
  line: number;
  col: number;
  /** Position of the field at `fieldPath`, or of its deepest existing ancestor. */
  locate(fieldPath: FieldPath): Position;
}

export interface LoadResult {
  specs: LoadedSpec[];
  errors: SpecError[];
  /** Problems that do not stop a document loading (fields Argo ignores or reads case-insensitively). */
  warnings?: SpecWarning[];
}

const SPEC_EXTENSIONS = new Set([".yaml", ".yml", ".json"]);

export function formatLocation(file: string, pos: Position): string {
  return `${file}:${pos.line}:${pos.col}`;
}

/** The SpecError for `fieldPath` of a loaded spec, located on that field. */
export function specWarning(loaded: LoadedSpec, fieldPath: FieldPath, detail: string): SpecWarning {
  return new SpecWarning(
    formatLocation(loaded.file, loaded.locate(fieldPath)),
    resourceName(loaded.spec),
    formatFieldPath(fieldPath),
    detail,
  );
}

export function specError(loaded: LoadedSpec, fieldPath: FieldPath, detail: string): SpecError {
  return new SpecError(
    formatLocation(loaded.file, loaded.locate(fieldPath)),
    resourceName(loaded.spec),
    formatFieldPath(fieldPath),
    detail,
  );
}

function rangeStart(node: unknown): number | undefined {
  if (node !== null && typeof node === "object" && "range" in node) {
    const range = (node as { range?: [number, number, number] | null }).range;
    if (range) return range[0];
  }
  return undefined;
}

function locator(doc: Document, lc: LineCounter): (path: FieldPath) => Position {
  return (path) => {
    let node: unknown = doc.contents;
    let offset = rangeStart(node) ?? 0;
    for (const seg of path) {
      if (isAlias(node)) node = node.resolve(doc);
      if (isMap(node)) {
        const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
        if (!pair) break;
        // A field is reported where its key is written.
        offset = rangeStart(pair.key) ?? offset;
        node = pair.value;
      } else if (isSeq(node) && typeof seg === "number" && seg < node.items.length) {
        node = node.items[seg];
        offset = rangeStart(node) ?? offset;
      } else {
        break;
      }
    }
    return lc.linePos(offset);
  };
}

function isSupportedKind(kind: unknown): boolean {
  return typeof kind === "string" && (SUPPORTED_KINDS as readonly string[]).includes(kind);
}

/** Where a loaded document's text is: enough to parse it again (see withoutSyntaxTree). */
interface DocumentSource {
  text: string;
  /** Its index among the documents of `text`. */
  index: number;
}

const sources = new WeakMap<LoadedSpec, DocumentSource>();

function parseText(text: string): { docs: Document[]; lc: LineCounter } {
  const lc = new LineCounter();
  return { docs: parseAllDocuments(text, { lineCounter: lc, prettyErrors: false }), lc };
}

/**
 * The same loaded spec without its YAML syntax tree, which is most of its memory
 * (~25 kB for a small Sensor): `locate` then parses the text again, once, if it is
 * ever called. For specs kept after validation, which needs the positions.
 */
export function withoutSyntaxTree(loaded: LoadedSpec): LoadedSpec {
  const source = sources.get(loaded);
  if (!source) return loaded;
  let locate: ((path: FieldPath) => Position) | undefined;
  const light: LoadedSpec = {
    spec: loaded.spec,
    file: loaded.file,
    line: loaded.line,
    col: loaded.col,
    locate: (path) => {
      if (!locate) {
        const { docs, lc } = parseText(source.text);
        locate = locator(docs[source.index], lc);
      }
      return locate(path);
    },
  };
  sources.set(light, source);
  return light;
}

/** Parses every document of one YAML/JSON text; `fileName` is only used in locations. */
export function loadSpecsFromText(text: string, fileName: string): LoadResult {
  return quickLoad(text, fileName) ?? fullLoad(text, fileName);
}

// Forms where js-yaml's core schema reads a text differently from `yaml` (tags, anchors
// and aliases, `+.5`, `0b1`, `-0x1`, `-0`; a `#` right after a flow indicator, which
// js-yaml takes for a comment and `yaml` refuses; an empty key in a flow mapping, which
// js-yaml names "null"): such texts take the full parse.
const QUICK_UNSAFE = /(?:^|[\s:[{,])(?:!|[&*][^\s,[\]{}]|[+-]\.[0-9]|[+-]?0b[01]|[+-]0x|-0(?![1-9]))|[\]}]#|[{,][ \t]*:/m;

function hasObjectKey(v: unknown): boolean {
  if (Array.isArray(v)) return v.some(hasObjectKey);
  if (v === null || typeof v !== "object") return false;
  for (const [k, child] of Object.entries(v)) if (k === "[object Object]" || hasObjectKey(child)) return true;
  return false;
}

/**
 * js-yaml reads a large file of specs ~10x faster than `yaml` builds its syntax tree
 * (0.6 s for 1,000 Sensors). Only for texts it reads as `yaml` would (core schema, no
 * forms where they differ) and whose documents all load without an error: positions
 * are then only needed on demand, and `locate` parses the text in full the first time.
 * Anything else returns undefined and takes the full parse, which reports errors with positions.
 */
function quickLoad(text: string, fileName: string): LoadResult | undefined {
  if (QUICK_UNSAFE.test(text)) return undefined;
  let values: unknown[];
  try {
    values = jsYaml.loadAll(text, undefined, { schema: jsYaml.CORE_SCHEMA });
  } catch {
    return undefined;
  }
  let parsed: { docs: Document[]; lc: LineCounter } | undefined;
  const specs: LoadedSpec[] = [];
  for (const value of values) {
    if (value === null || value === undefined) continue;
    if (typeof value !== "object" || Array.isArray(value) || hasObjectKey(value)) return undefined;
    const rec = value as Record<string, unknown>;
    if (rec.apiVersion !== API_VERSION || !isSupportedKind(rec.kind)) return undefined;
    // js-yaml skips empty documents as `yaml` keeps them: the index is found on demand.
    const index = specs.length;
    let locate: ((path: FieldPath) => Position) | undefined;
    const at = (path: FieldPath): Position => {
      if (!locate) {
        parsed ??= parseText(text);
        const docs = parsed.docs.filter((d) => d.contents !== null && !(isScalar(d.contents) && d.contents.value === null));
        locate = locator(docs[index] as Document, parsed.lc);
      }
      return locate(path);
    };
    const loaded: LoadedSpec = {
      spec: rec as Spec,
      file: fileName,
      get line() {
        return at([]).line;
      },
      get col() {
        return at([]).col;
      },
      locate: at,
    };
    specs.push(loaded);
  }
  return { specs, errors: [] };
}

/**
 * One error per broken document: the parser's later errors follow from its first. An
 * over-indented line makes the value before it a multi-line key: that error names the
 * line where the key ends, which is the line to fix.
 */
function syntaxError(errors: readonly YAMLError[], fileName: string, lc: LineCounter): SpecError {
  const multiline = errors.find((e) => e.code === "MULTILINE_IMPLICIT_KEY");
  if (multiline) {
    const at = lc.linePos(multiline.pos[1]);
    return new SpecError(formatLocation(fileName, { line: at.line, col: 1 }), "", "", "indented more than the line before it (or a value spans lines): check the indentation");
  }
  const first = errors[0] as YAMLError;
  const detail = first.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "");
  return new SpecError(formatLocation(fileName, lc.linePos(first.pos[0])), "", "", detail);
}

/** The full parse (the `yaml` syntax tree): the first error of each broken document, with its position. */
export function fullLoad(text: string, fileName: string): LoadResult {
  const { docs, lc } = parseText(text);
  const result: LoadResult = { specs: [], errors: [] };
  for (const [index, doc] of docs.entries()) {
    if (doc.errors.length > 0) {
      result.errors.push(syntaxError(doc.errors, fileName, lc));
      continue;
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 100 });
    } catch (err) {
      // An alias before its anchor, or too many aliases.
      result.errors.push(new SpecError(formatLocation(fileName, lc.linePos(rangeStart(doc.contents) ?? 0)), "", "", errorMessage(err)));
      continue;
    }
    if (value === null || value === undefined) continue; // empty document (`---` or only comments)
    const locate = locator(doc, lc);
    const start = locate([]);
    const at = (path: FieldPath): string => formatLocation(fileName, locate(path));
    if (typeof value !== "object" || Array.isArray(value)) {
      result.errors.push(new SpecError(at([]), "", "", "document must be a mapping (a Kubernetes object)"));
      continue;
    }
    const rec = value as Record<string, unknown>;
    const name = resourceName(rec);
    // Another API group (a kustomization, RBAC, a ConfigMap kept beside the specs, as
    // `kubectl apply -f dir/` users do): not the gateway's to read, so skipped with a word.
    if (typeof rec.apiVersion === "string" && !rec.apiVersion.startsWith("argoproj.io/")) {
      (result.warnings ??= []).push(
        new SpecWarning(at(["apiVersion"]), name, "apiVersion", `${JSON.stringify(rec.apiVersion)} is not an argoproj.io resource: skipped`),
      );
      continue;
    }
    if (rec.apiVersion !== API_VERSION) {
      const shown = rec.apiVersion === undefined ? "missing" : JSON.stringify(rec.apiVersion);
      result.errors.push(
        new SpecError(at(["apiVersion"]), name, "apiVersion", `not supported: apiVersion ${shown} (want ${API_VERSION})`),
      );
      continue;
    }
    if (!isSupportedKind(rec.kind)) {
      const shown = rec.kind === undefined ? "missing" : JSON.stringify(rec.kind);
      result.errors.push(
        new SpecError(at(["kind"]), name, "kind", `not supported: kind ${shown} (want one of ${SUPPORTED_KINDS.join(", ")})`),
      );
      continue;
    }
    const loaded: LoadedSpec = { spec: rec as Spec, file: fileName, line: start.line, col: start.col, locate };
    sources.set(loaded, { text, index });
    result.specs.push(loaded);
  }
  return result;
}

async function listFiles(path: string): Promise<string[]> {
  const info = await stat(path);
  if (!info.isDirectory()) return [path];
  const entries = await readdir(path, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const out: string[] = [];
  for (const entry of entries) {
    if (entry.name.startsWith(".")) continue; // .git, editor swap dirs
    const full = join(path, entry.name);
    if (entry.isDirectory()) out.push(...(await listFiles(full)));
    else if (SPEC_EXTENSIONS.has(extname(entry.name).toLowerCase())) out.push(full);
  }
  return out;
}

/** Every spec file under `path`: the file itself, or *.yaml/*.yml/*.json below a directory, sorted. */
export async function listSpecFiles(path: string): Promise<string[]> {
  return listFiles(path);
}

export type FileRead = { file: string; text: string; err?: undefined } | { file: string; text?: undefined; err: unknown };

/** How many files are read at once: one at a time, thousands of small files spend most of their time waiting. */
const READ_AHEAD = 32;

/** Reads `files` (utf8), a few at a time, yielding each in the order given. */
export async function* readFilesInOrder(files: readonly string[]): AsyncGenerator<FileRead> {
  const reads = new Map<number, Promise<FileRead>>();
  const start = (i: number): Promise<FileRead> => {
    let read = reads.get(i);
    if (!read) {
      const file = files[i];
      read = readFile(file, "utf8").then(
        (text): FileRead => ({ file, text }),
        (err: unknown): FileRead => ({ file, err }),
      );
      reads.set(i, read);
    }
    return read;
  };
  for (let i = 0; i < files.length; i++) {
    for (let j = i + 1; j < Math.min(i + READ_AHEAD, files.length); j++) start(j);
    const read = await start(i);
    reads.delete(i);
    yield read;
  }
}

/** Loads files and directories (recursively); unreadable paths become SpecErrors. */
export async function loadSpecs(paths: readonly string[]): Promise<LoadResult> {
  const result: LoadResult = { specs: [], errors: [] };
  for (const path of paths) {
    let files: string[];
    try {
      files = await listFiles(path);
    } catch (err) {
      result.errors.push(new SpecError(path, "", "", errorMessage(err)));
      continue;
    }
    for await (const { file, text, err } of readFilesInOrder(files)) {
      if (text === undefined) {
        result.errors.push(new SpecError(file, "", "", errorMessage(err)));
        continue;
      }
      const one = loadSpecsFromText(text, file);
      result.specs.push(...one.specs);
      result.errors.push(...one.errors);
      if (one.warnings) (result.warnings ??= []).push(...one.warnings);
    }
  }
  return result;
}

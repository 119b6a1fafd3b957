import { CLUSTER_SCOPED_KINDS, type KubeObject } from "../api/index.js";
import { randomBytes, randomUUID } from "node:crypto";
import { closeSync, linkSync, openSync, unlinkSync, writeSync } from "node:fs";
import { mkdir, readdir, readFile, rename, unlink, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { parse } from "yaml";
import { AlreadyExistsError, BadRequestError, ConflictError, GatewayError, InvalidError, NotFoundError } from "../errors.js";
import type { ListOptions, PatchStrategy, WorkflowClient } from "./client.js";
import { jsonPatch, mergePatch } from "./patch.js";
import { parseLabelSelector } from "./selector.js";
import { cloneJson } from "../clone.js";

export const DEFAULT_LOCAL_STORE_DIR = ".gateway/workflows";

// Kubernetes' random-suffix alphabet (no vowels, no confusable digits), suffix length 5,
// and the generateName prefix cut to 63 - 5 (apimachinery's maxGeneratedNameLength).
const ALPHABET = "bcdfghjklmnpqrstvwxz2456789";
const SUFFIX_LENGTH = 5;
const MAX_PREFIX = 58;
const GENERATE_ATTEMPTS = 8;

// DNS-1123 subdomain for names, DNS-1123 label for namespaces: also keeps every path inside `dir`.
const NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
const NAMESPACE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

// Objects of cluster-scoped kinds live under `<dir>/_cluster/` (`_` is never in a namespace).
const CLUSTER_DIR = "_cluster";
// Files are written here first, beside the folder they go to (a link needs the same
// filesystem): someone watching or listing the folder sees each object appear once, whole.
const TEMP_DIR = ".tmp";

export interface LocalWorkflowStoreOptions {
  dir?: string;
  now?: () => Date;
  /**
   * Read-only objects loaded from `--config` files (WorkflowTemplates,
   * ClusterWorkflowTemplates, CronWorkflows, ConfigMaps): `get` and `list` see
   * them where no stored object of that name exists; `update`/`patch` copy one
   * into the store (copy on write); `delete` of one is a BadRequestError.
   */
  specs?: readonly KubeObject[];
}

function randomSuffix(): string {
  const bytes = randomBytes(SUFFIX_LENGTH);
  let out = "";
  for (const b of bytes) out += ALPHABET[b % ALPHABET.length];
  return out;
}

function isWorkflow(apiVersion: string, kind: string): boolean {
  return kind === "Workflow" && apiVersion.startsWith("argoproj.io/");
}

function checkName(name: string, what: string): void {
  if (name.length > 253 || !NAME.test(name)) {
    throw new BadRequestError(`${what} "${name}" is invalid: must be a lowercase RFC 1123 subdomain`);
  }
}

function checkNamespace(ns: string): void {
  if (ns.length > 63 || !NAMESPACE.test(ns)) {
    throw new BadRequestError(`namespace "${ns}" is invalid: must be a lowercase RFC 1123 label`);
  }
}

// Built-in groups have no dot (`v1`, `apps/v1`) or end in `.k8s.io`; the API server
// allows them an update without resourceVersion, custom resources not.
function isCustomResource(apiVersion: string): boolean {
  const group = apiVersion.includes("/") ? apiVersion.slice(0, apiVersion.indexOf("/")) : "";
  return group.includes(".") && !group.endsWith(".k8s.io");
}

function namespaceOf(obj: KubeObject): string {
  return CLUSTER_SCOPED_KINDS.has(obj.kind) ? "" : obj.metadata?.namespace || "default";
}

function specKey(kind: string, namespace: string, name: string): string {
  return `${kind}\u0000${namespace}\u0000${name}`;
}

/** Stored objects are JSON (valid YAML); a file edited by hand may be any YAML. */
function parseStored(path: string, text: string): KubeObject {
  let obj: unknown;
  try {
    obj = JSON.parse(text);
  } catch {
    obj = parse(text);
  }
  if (!obj || typeof obj !== "object" || Array.isArray(obj)) {
    throw new GatewayError(`${path} does not hold an object (empty, or not a mapping)`);
  }
  return obj as KubeObject;
}

function errno(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}

/**
 * The embedded workflow client: every object is a YAML file, Workflows at
 * `<dir>/<namespace>/<name>.yaml`, other kinds at `<dir>/<namespace>/<kind>s/<name>.yaml`,
 * cluster-scoped kinds at `<dir>/_cluster/<kind>s/<name>.yaml`.
 * It behaves like the API server: generateName, uid, resourceVersion,
 * creationTimestamp, AlreadyExists for a taken name even across processes,
 * Conflict for a stale resourceVersion. Updates, patches and deletes of one
 * object are serialised within the process (not across processes).
 */
/**
 * Objects are written as indented JSON, which is valid YAML 1.2: the yaml
 * package's stringify was 14% of the gateway's CPU at full load.
 */
function toYaml(obj: KubeObject): string {
  return JSON.stringify(obj, null, 2) + "\n";
}

export class LocalWorkflowStore implements WorkflowClient {
  readonly dir: string;
  private readonly now: () => Date;
  // Opaque like the API server's; increasing within a process is all a reader may assume.
  private resourceVersion = Date.now();
  private readonly specs = new Map<string, KubeObject>();
  private readonly locks = new Map<string, Promise<unknown>>();

  constructor(options: string | LocalWorkflowStoreOptions = {}) {
    const o = typeof options === "string" ? { dir: options } : options;
    this.dir = o.dir ?? DEFAULT_LOCAL_STORE_DIR;
    this.now = o.now ?? (() => new Date());
    this.setSpecs(o.specs ?? []);
  }

  /** Replaces the read-only objects from `--config` (they were reloaded); stored objects stay. */
  setSpecs(specs: readonly KubeObject[]): void {
    this.specs.clear();
    for (const spec of specs) {
      const namespace = namespaceOf(spec);
      const meta = { ...spec.metadata, ...(namespace ? { namespace } : {}) };
      if (!namespace) delete meta.namespace;
      this.specs.set(specKey(spec.kind, namespace, spec.metadata?.name ?? ""), { ...structuredClone(spec), metadata: meta });
    }
  }

  private folder(apiVersion: string, kind: string, namespace: string): string {
    if (namespace !== "") checkNamespace(namespace);
    if (!/^[A-Za-z][A-Za-z0-9]*$/.test(kind)) throw new BadRequestError(`kind "${kind}" is invalid`);
    if (namespace === "") return join(this.dir, CLUSTER_DIR, `${kind.toLowerCase()}s`);
    if (isWorkflow(apiVersion, kind)) return join(this.dir, namespace);
    return join(this.dir, namespace, `${kind.toLowerCase()}s`);
  }

  private path(apiVersion: string, kind: string, namespace: string, name: string): string {
    checkName(name, "name");
    return join(this.folder(apiVersion, kind, namespace), `${name}.yaml`);
  }

  private nextVersion(): string {
    return String(++this.resourceVersion);
  }

  // A recursive mkdir per create was ~5% of the hot path; folders are never removed by us.
  private readonly folders = new Set<string>();

  private async ensureFolder(folder: string): Promise<void> {
    if (this.folders.has(folder)) return;
    await mkdir(join(folder, TEMP_DIR), { recursive: true });
    this.folders.add(folder);
  }

  async create(obj: KubeObject): Promise<KubeObject> {
    if (!obj || typeof obj !== "object" || !obj.kind || !obj.apiVersion || !obj.metadata) {
      throw new BadRequestError("object must have apiVersion, kind and metadata");
    }
    const namespace = namespaceOf(obj);
    const folder = this.folder(obj.apiVersion, obj.kind, namespace);
    const given = obj.metadata.name;
    const prefix = obj.metadata.generateName;
    if (!given && !prefix) throw new BadRequestError("metadata.name or metadata.generateName is required");
    if (given) checkName(given, "metadata.name");
    await this.ensureFolder(folder);

    const attempts = given ? 1 : GENERATE_ATTEMPTS;
    for (let i = 0; i < attempts; i++) {
      const name = given || `${(prefix as string).slice(0, MAX_PREFIX)}${randomSuffix()}`;
      checkName(name, "metadata.name");
      const stored: KubeObject = cloneJson(obj);
      stored.metadata = {
        ...stored.metadata,
        name,
        namespace,
        uid: randomUUID(),
        resourceVersion: this.nextVersion(),
        creationTimestamp: this.now().toISOString().replace(/\.\d{3}Z$/, "Z"),
      };
      if (namespace === "") delete stored.metadata.namespace;
      try {
        this.writeExclusive(join(folder, `${name}.yaml`), toYaml(stored));
        return stored;
      } catch (err) {
        if (!(err instanceof AlreadyExistsError) || given) throw err;
        // A generated name collided: draw another suffix, as the API server does.
      }
    }
    throw new AlreadyExistsError(`${obj.kind} with generateName "${prefix}": no free name after ${attempts} attempts`);
  }

  // Unique without a random draw per file (randomBytes was ~2 % of a sensor's CPU at load):
  // a per-store random tag, then a counter; these writes are synchronous, so never interleave.
  private readonly tempTag = randomBytes(6).toString("hex");
  private tempSeq = 0;

  private tempName(path: string): string {
    return join(dirname(path), TEMP_DIR, `${basename(path)}.${this.tempTag}${(++this.tempSeq).toString(36)}.tmp`);
  }

  /**
   * Write aside, then hard-link into place: link(2) fails with EEXIST, so of concurrent
   * creates of a name, across processes too, exactly one wins, and no reader anywhere
   * (another gateway, a script polling the folder) ever sees the file before it is whole.
   * Synchronous on purpose: these few syscalls cost ~80 µs of CPU, where the promise API
   * spent ~400 µs per object in thread-pool round trips, the largest single cost of a
   * Workflow at load.
   */
  private writeExclusive(path: string, text: string): void {
    const tmp = this.tempName(path);
    const fd = openSync(tmp, "wx");
    try {
      try {
        const data = Buffer.from(text);
        for (let off = 0; off < data.length; ) off += writeSync(fd, data, off, data.length - off);
      } finally {
        closeSync(fd);
      }
      linkSync(tmp, path);
    } catch (err) {
      if (errno(err) === "EEXIST") throw new AlreadyExistsError(`${path} already exists`);
      // The write's own error is the one to report (ENOSPC, EIO).
      throw err;
    } finally {
      try {
        unlinkSync(tmp);
      } catch {
        // Best effort: a left-over file in `.tmp/` is never listed or read.
      }
    }
  }

  /** Replace an existing file: write aside, rename over (atomic for readers). */
  private async writeReplace(path: string, text: string): Promise<void> {
    const tmp = this.tempName(path);
    await mkdir(dirname(tmp), { recursive: true });
    await writeFile(tmp, text, { flag: "wx" });
    try {
      await rename(tmp, path);
    } catch (err) {
      await unlink(tmp).catch(() => undefined);
      throw err;
    }
  }

  private async readStored(path: string): Promise<KubeObject | undefined> {
    let text: string;
    try {
      text = await readFile(path, "utf8");
    } catch (err) {
      if (errno(err) === "ENOENT") return undefined;
      throw err;
    }
    return parseStored(path, text);
  }

  /** One object's read-modify-write at a time within this process. */
  private async locked<T>(path: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.locks.get(path) ?? Promise.resolve();
    const run = prev.then(fn, fn);
    const tail = run.catch(() => undefined);
    this.locks.set(path, tail);
    try {
      return await run;
    } finally {
      if (this.locks.get(path) === tail) this.locks.delete(path);
    }
  }

  private async current(apiVersion: string, kind: string, namespace: string, name: string): Promise<KubeObject> {
    const found = (await this.readStored(this.path(apiVersion, kind, namespace, name))) ?? this.specs.get(specKey(kind, namespace, name));
    if (!found) throw new NotFoundError(`${kind} ${namespace ? `${namespace}/` : ""}${name} not found`);
    return structuredClone(found);
  }

  async get(apiVersion: string, kind: string, namespace: string, name: string): Promise<KubeObject> {
    return this.current(apiVersion, kind, namespace, name);
  }

  async list(apiVersion: string, kind: string, namespace: string, options: ListOptions = {}): Promise<KubeObject[]> {
    const selects = parseLabelSelector(options.labelSelector);
    const folder = this.folder(apiVersion, kind, namespace);
    let entries: string[] = [];
    try {
      entries = await readdir(folder);
    } catch (err) {
      if (errno(err) !== "ENOENT") throw err;
    }
    const byName = new Map<string, KubeObject>();
    for (const spec of this.specs.values()) {
      if (spec.kind === kind && namespaceOf(spec) === namespace && spec.metadata.name) byName.set(spec.metadata.name, spec);
    }
    for (const f of entries.filter((e) => e.endsWith(".yaml"))) {
      // Deleted between readdir and read: not part of the list any more.
      const obj = await this.readStored(join(folder, f));
      if (obj) byName.set(f.slice(0, -".yaml".length), obj);
    }
    return [...byName.keys()]
      .sort()
      .map((n) => byName.get(n) as KubeObject)
      .filter((o) => selects(o.metadata?.labels))
      .map((o) => structuredClone(o));
  }

  /** Keep what the server owns (identity, uid, creation time), check the precondition, bump the version. */
  private settle(current: KubeObject, next: KubeObject, requireVersion: boolean): KubeObject {
    if (!next || typeof next !== "object" || !next.metadata || typeof next.metadata !== "object") {
      throw new InvalidError(`${current.kind} ${current.metadata.name}: the result has no metadata`);
    }
    const cm = current.metadata;
    const given = next.metadata.resourceVersion;
    if (given !== undefined && given !== "" && given !== cm.resourceVersion) {
      throw new ConflictError(
        `${current.kind} ${cm.name}: the object has been modified (resourceVersion ${String(given)}, current ${String(cm.resourceVersion)})`,
      );
    }
    if ((given === undefined || given === "") && requireVersion && isCustomResource(current.apiVersion)) {
      throw new InvalidError(`${current.kind} ${cm.name}: metadata.resourceVersion must be specified for an update`);
    }
    if (next.metadata.name !== undefined && next.metadata.name !== cm.name) {
      throw new InvalidError(`${current.kind} ${cm.name}: metadata.name cannot change (got "${String(next.metadata.name)}")`);
    }
    if (next.kind !== current.kind || next.apiVersion !== current.apiVersion) {
      throw new InvalidError(`${current.kind} ${cm.name}: apiVersion and kind cannot change`);
    }
    const out = structuredClone(next);
    out.metadata = {
      ...out.metadata,
      name: cm.name,
      ...(cm.namespace ? { namespace: cm.namespace } : {}),
      uid: cm.uid,
      creationTimestamp: cm.creationTimestamp,
      resourceVersion: this.nextVersion(),
    };
    if (!cm.namespace) delete out.metadata.namespace;
    return out;
  }

  async update(obj: KubeObject): Promise<KubeObject> {
    if (!obj || typeof obj !== "object" || !obj.kind || !obj.apiVersion || !obj.metadata?.name) {
      throw new BadRequestError("update needs apiVersion, kind and metadata.name");
    }
    const namespace = namespaceOf(obj);
    const path = this.path(obj.apiVersion, obj.kind, namespace, obj.metadata.name);
    return this.locked(path, async () => {
      const current = await this.current(obj.apiVersion, obj.kind, namespace, obj.metadata.name as string);
      const stored = this.settle(current, obj, true);
      await this.writeReplace(path, toYaml(stored));
      return stored;
    });
  }

  /**
   * `merge` is RFC 7386, `json` RFC 6902. `strategic` is applied as a merge patch:
   * the local store has no per-field merge keys (the real API server rejects
   * strategic merge patches of custom resources altogether).
   */
  async patch(
    apiVersion: string,
    kind: string,
    namespace: string,
    name: string,
    patch: unknown,
    strategy: PatchStrategy,
  ): Promise<KubeObject> {
    const path = this.path(apiVersion, kind, namespace, name);
    return this.locked(path, async () => {
      const current = await this.current(apiVersion, kind, namespace, name);
      const patched = (strategy === "json" ? jsonPatch(current, patch) : mergePatch(current, patch)) as KubeObject;
      const stored = this.settle(current, patched, false);
      await this.writeReplace(path, toYaml(stored));
      return stored;
    });
  }

  async delete(apiVersion: string, kind: string, namespace: string, name: string): Promise<void> {
    const path = this.path(apiVersion, kind, namespace, name);
    await this.locked(path, async () => {
      try {
        await unlink(path);
      } catch (err) {
        if (errno(err) !== "ENOENT") throw err;
        if (this.specs.has(specKey(kind, namespace, name))) {
          throw new BadRequestError(`${kind} ${name} was loaded from --config and cannot be deleted`);
        }
        throw new NotFoundError(`${kind} ${namespace ? `${namespace}/` : ""}${name} not found`);
      }
    });
  }
}

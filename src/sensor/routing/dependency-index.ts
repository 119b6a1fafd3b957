// Finds, for one event, the dependencies whose filters may pass by lookup instead
// of running every Sensor's filters: each dependency is filed under its pin (see
// pins.ts), and an event evaluates each distinct pinned path once.
import type { CompiledPath } from "../../expr/index.js";
import { filterPayload } from "../parameter-source.js";
import type { CompiledDependency } from "../compile.js";
import type { SensorEvent } from "../event.js";
import { pinOf, type ContextField } from "./pins.js";

/** One `add`: its order (for stable results) and where it is filed. */
interface Entry<T> {
  readonly seq: number;
  readonly item: T;
  readonly homes: Home<T>[];
}

/** A bucket an entry sits in, and how to drop the bucket once it is empty. */
interface Home<T> {
  readonly bucket: Set<Entry<T>>;
  readonly release: () => void;
}

type Buckets<T> = Map<string, Set<Entry<T>>>;

interface PathGroup<T> {
  /** The first path registered with this text: same text, same evaluation. */
  readonly path: CompiledPath;
  readonly buckets: Buckets<T>;
}

export class DependencyIndex<T> {
  private seq = 0;
  private readonly entries = new Map<T, Entry<T>[]>();
  private readonly always = new Set<Entry<T>>();
  // Keyed by path text: 10,000 dependencies pinning one path cost one evaluation.
  private readonly paths = new Map<string, PathGroup<T>>();
  private readonly contexts = new Map<ContextField, Buckets<T>>();

  /** Registers `item` under the dependency's selective filters (or as always-a-candidate). */
  add(dep: CompiledDependency, item: T): void {
    const entry: Entry<T> = { seq: this.seq++, item, homes: [] };
    const pin = pinOf(dep.filters);
    if (!pin) {
      this.always.add(entry);
      entry.homes.push({ bucket: this.always, release: () => {} });
    } else if (pin.kind === "data") {
      const text = pin.path.path;
      let group = this.paths.get(text);
      if (!group) {
        group = { path: pin.path, buckets: new Map() };
        this.paths.set(text, group);
      }
      const g = group;
      const dropGroup = () => {
        if (this.paths.get(text) === g) this.paths.delete(text);
      };
      for (const key of pin.keys) entry.homes.push(file(g.buckets, key, entry, dropGroup));
    } else {
      const field = pin.field;
      let buckets = this.contexts.get(field);
      if (!buckets) {
        buckets = new Map();
        this.contexts.set(field, buckets);
      }
      const b = buckets;
      const dropField = () => {
        if (this.contexts.get(field) === b) this.contexts.delete(field);
      };
      entry.homes.push(file(b, pin.key, entry, dropField));
    }
    const list = this.entries.get(item);
    if (list) list.push(entry);
    else this.entries.set(item, [entry]);
  }

  /** Removes an item with every dependency it was added with; costs only its own entries. */
  delete(item: T): void {
    const list = this.entries.get(item);
    if (!list) return;
    this.entries.delete(item);
    for (const entry of list) {
      for (const home of entry.homes) {
        home.bucket.delete(entry);
        // Dropped at once: an empty path group would still cost an evaluation per event.
        if (home.bucket.size === 0) home.release();
      }
    }
  }

  /**
   * Every item whose dependency's filters may pass for this event (a superset of
   * those that pass, never missing one), each once, in the order of their first `add`.
   */
  candidates(event: SensorEvent): T[] {
    const found: Set<Entry<T>>[] = [];
    if (this.always.size > 0) found.push(this.always);
    // What the data filters read: the payload as JSON, whatever its content type says.
    const payload = filterPayload(event);
    const data = payload.kind === "json" ? payload.value : undefined;
    const raw = payload.kind === "json" ? payload.raw : undefined;
    for (const group of this.paths.values()) {
      if (data === undefined) {
        // No payload passes every data pin; one that is not JSON is the filters' error to report.
        for (const b of group.buckets.values()) found.push(b);
        continue;
      }
      let key: string | undefined;
      try {
        const r = group.path.get(data, raw);
        // A missing path is a filter error, which fails the dependency.
        key = r.exists ? r.str : undefined;
      } catch {
        // The filters would throw as well: leave that to the caller's own check.
        for (const b of group.buckets.values()) found.push(b);
        continue;
      }
      const b = key === undefined ? undefined : group.buckets.get(key);
      if (b) found.push(b);
    }
    if (this.contexts.size > 0) {
      const context: Partial<Record<ContextField, unknown>> = event.context ?? {};
      for (const [field, buckets] of this.contexts) {
        const value = context[field];
        const b = typeof value === "string" ? buckets.get(value) : undefined;
        if (b) found.push(b);
      }
    }
    return distinct(found);
  }

  /** Distinct items registered. */
  get size(): number {
    return this.entries.size;
  }
}

function file<T>(buckets: Buckets<T>, key: string, entry: Entry<T>, dropOwner: () => void): Home<T> {
  let b = buckets.get(key);
  if (!b) {
    b = new Set();
    buckets.set(key, b);
  }
  b.add(entry);
  const bucket = b;
  return {
    bucket,
    release: () => {
      if (buckets.get(key) !== bucket) return;
      buckets.delete(key);
      if (buckets.size === 0) dropOwner();
    },
  };
}

/** Merges buckets (each in `seq` order: Sets keep insertion order) into distinct items. */
function distinct<T>(found: Set<Entry<T>>[]): T[] {
  if (found.length === 0) return [];
  const all: Entry<T>[] = [];
  for (const b of found) for (const e of b) all.push(e);
  if (found.length > 1) all.sort((a, b) => a.seq - b.seq);
  const seen = new Set<T>();
  const out: T[] = [];
  for (const e of all) {
    if (seen.has(e.item)) continue;
    seen.add(e.item);
    out.push(e.item);
  }
  return out;
}

import { createHash } from "node:crypto";
import { watch, type FSWatcher } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import type { LoadedSpec } from "../api/index.js";
import { errorMessage, GatewayError, type SpecWarning } from "../errors.js";
import type { Logger } from "../logger.js";
import { errorIndex, loadConfig, mergeSpecs } from "./file-specs.js";
import type { ApplyFailure, ApplyResult, SpecChangeHandler, SpecSource } from "./spec-source.js";
import { groupSpecs, type SpecSet } from "./specs.js";

export interface FileSpecSourceOptions {
  /** The `--config` files and directories (directories recursively). */
  paths: string[];
  logger: Logger;
  /** Quiet time that coalesces a burst of file events (an editor's save) into one reload (default 200 ms). */
  debounceMs?: number;
  /** Told every document a reload rejected (metrics, event-flow page). */
  onRejected?: (rejection: ApplyFailure) => void;
  /** Called with each set just before it is applied (e.g. the local store's templates). */
  beforeApply?: (set: SpecSet) => void;
  /** Called after each apply, the first one included. */
  afterApply?: (set: SpecSet, result: ApplyResult) => void;
}

/**
 * Specs from `--config` files, reloaded when they change. The first load is
 * strict: any invalid document, or any spec that cannot be applied, fails the
 * start. Afterwards every (kind, namespace, name) takes its new document if it
 * is valid, else keeps its last valid one; a document gone from the files is
 * removed. The reconciler restarts only what changed.
 *
 * Watches every directory itself (non-recursive `fs.watch`), and the parent
 * directory of a file given directly: editors save by renaming a new file over
 * the old one, which a watch on the file itself would not follow.
 */
export class FileSpecSource implements SpecSource {
  private specs = new Map<string, LoadedSpec>();
  private readonly watchers = new Map<string, FSWatcher>();
  /** Per watched directory: the names that matter (a file given directly), or all. */
  private filters = new Map<string, Set<string> | undefined>();
  private onChange: SpecChangeHandler | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private dirty = false;
  private stopped = false;
  private loaded = false;
  private fingerprint = "";
  private eventBuses = "";
  private warned = new Set<string>();

  constructor(private readonly o: FileSpecSourceOptions) {}

  /**
   * The first, strict load: logs each error (FILE:LINE:COL ...) and throws if
   * there is any. Starts watching, so that nothing changed from here on is missed.
   */
  async load(): Promise<SpecSet> {
    await this.watch();
    const load = await loadConfig(this.o.paths);
    if (load.errors.length > 0) {
      for (const e of load.errors) this.o.logger.error({ code: e.code }, e.message);
      await this.stop();
      throw new GatewayError(`${load.errors.length} invalid spec(s); nothing started`);
    }
    this.specs = mergeSpecs(new Map(), load).specs;
    this.logWarnings(load.warnings);
    this.loaded = true;
    const set = this.set();
    this.eventBuses = JSON.stringify(set.eventBuses);
    this.fingerprint = this.fingerprintOf([]);
    return set;
  }

  /** The specs last loaded (valid ones, and kept previous versions of invalid ones). */
  set(): SpecSet {
    return groupSpecs([...this.specs.values()].map((d) => d.spec));
  }

  /** The documents of `set()`, with their files (e.g. for checks that name a spec's file or field). */
  documents(): LoadedSpec[] {
    return [...this.specs.values()];
  }

  async start(onChange: SpecChangeHandler): Promise<void> {
    if (!this.loaded) await this.load();
    const set = this.set();
    this.o.beforeApply?.(set);
    const result = await onChange(set);
    if (result.failures.length > 0) {
      const what = result.failures.map((f) => `${f.kind} ${f.namespace}/${f.name}: ${f.message}`);
      throw new GatewayError(`cannot apply ${what.join("; ")}; nothing started`);
    }
    this.o.afterApply?.(set, result);
    this.onChange = onChange;
    // Files changed between load() and now: apply them.
    if (this.dirty) this.schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    for (const w of this.watchers.values()) w.close();
    this.watchers.clear();
    await this.running;
  }

  private schedule(): void {
    this.dirty = true;
    if (!this.onChange || this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.sync().catch((err: unknown) => this.o.logger.error({ err: errorMessage(err) }, "reloading specs failed"));
    }, this.o.debounceMs ?? 200);
  }

  /** One reload at a time; changes during one lead to one more afterwards. */
  private async sync(): Promise<void> {
    if (this.running) return;
    this.running = (async () => {
      while (this.dirty && !this.stopped) {
        this.dirty = false;
        await this.reload();
      }
    })();
    try {
      await this.running;
    } finally {
      this.running = undefined;
    }
  }

  private async reload(): Promise<void> {
    // Watch first: a file written into a new directory meanwhile is read below.
    await this.watch();
    const load = await loadConfig(this.o.paths);
    const { specs, kept } = mergeSpecs(this.specs, load);
    this.specs = specs;
    const messages = load.errors.map((e) => e.message);
    const fingerprint = this.fingerprintOf(messages);
    // An editor's swap file, a touch: nothing to apply, nothing new to say.
    if (fingerprint === this.fingerprint) return;
    this.fingerprint = fingerprint;

    this.logWarnings(load.warnings);
    const keptDocs = new Set(kept);
    const index = errorIndex(load.invalid, load.errors);
    for (const e of load.errors) {
      const doc = index.docOf(e);
      const previous = doc && keptDocs.has(doc) ? { previous: "keeps running" } : {};
      this.o.logger.error({ code: e.code, ...previous }, e.message);
    }
    for (const doc of load.invalid) {
      const message = index.errorsOf(doc).map((e) => e.message).join("; ");
      const { kind, metadata } = doc.spec;
      this.o.onRejected?.({ kind, namespace: metadata.namespace || "default", name: metadata.name ?? "", message });
    }

    const set = this.set();
    if (JSON.stringify(set.eventBuses) !== this.eventBuses) {
      this.o.logger.warn("EventBus specs changed: the gateway keeps its bus until it is restarted");
      this.eventBuses = JSON.stringify(set.eventBuses);
    }
    const onChange = this.onChange;
    if (!onChange || this.stopped) return;
    this.o.beforeApply?.(set);
    let result: ApplyResult;
    try {
      result = await onChange(set);
    } catch (err) {
      this.fingerprint = ""; // the next file event tries again
      throw err;
    }
    // A spec that failed to apply (a port taken, ...) is retried on the next file event, even a touch.
    if (result.failures.length > 0) this.fingerprint = "";
    this.o.afterApply?.(set, result);
    this.o.logger.info(
      {
        eventSources: set.eventSources.length,
        sensors: set.sensors.length,
        workflowTemplates: set.workflowTemplates.length,
        bindings: set.bindings.length,
        rejected: load.invalid.length,
        errors: load.errors.length,
        failed: result.failures.length,
      },
      "specs reloaded",
    );
  }

  /** Each warning once, not again on every reload while the spec stays as it is. */
  private logWarnings(warnings: readonly SpecWarning[]): void {
    const now = new Set(warnings.map((w) => w.message));
    for (const message of now) if (!this.warned.has(message)) this.o.logger.warn({ code: "SPEC_WARNING" }, message);
    this.warned = now;
  }

  /** A digest, not the JSON itself: that would keep a second copy of every spec as text. */
  private fingerprintOf(errors: string[]): string {
    const specs = [...this.specs.entries()].map(([key, d]) => [key, d.spec]);
    return createHash("sha256").update(JSON.stringify({ specs, errors })).digest("hex");
  }

  /** Watches the directories the paths cover now; new subdirectories join on the next reload. */
  private async watch(): Promise<void> {
    const wanted = new Map<string, Set<string> | undefined>();
    const add = (dir: string, name?: string): void => {
      if (wanted.has(dir) && wanted.get(dir) === undefined) return;
      if (name === undefined) return void wanted.set(dir, undefined);
      wanted.set(dir, new Set([...(wanted.get(dir) ?? []), name]));
    };
    for (const path of this.o.paths) {
      const info = await stat(path).catch(() => undefined);
      if (info?.isDirectory()) for (const dir of await directories(path)) add(dir);
      else add(dirname(path), basename(path)); // a file, or one not there (yet)
    }
    this.filters = wanted;
    for (const [dir, w] of this.watchers) {
      if (wanted.has(dir)) continue;
      w.close();
      this.watchers.delete(dir);
    }
    for (const dir of wanted.keys()) {
      if (this.stopped || this.watchers.has(dir)) continue;
      try {
        const w = watch(dir, { persistent: false }, (_event, name) => this.changed(dir, name?.toString()));
        // A watched directory removed: the reload re-plans the watches.
        w.on("error", () => {
          w.close();
          if (this.watchers.get(dir) === w) this.watchers.delete(dir);
          this.schedule();
        });
        this.watchers.set(dir, w);
      } catch (err) {
        this.o.logger.debug({ dir, err: errorMessage(err) }, "cannot watch");
      }
    }
  }

  private changed(dir: string, name: string | undefined): void {
    // Editors' temporary files (.x.swp, .#x) come and go around every save.
    if (name !== undefined && name.startsWith(".")) return;
    const names = this.filters.get(dir);
    if (name !== undefined && names && !names.has(name)) return;
    this.schedule();
  }
}

/** `root` and every directory below it, as loading sees them (dot-directories skipped). */
async function directories(root: string): Promise<string[]> {
  const out = [root];
  let entries;
  try {
    entries = await readdir(root, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    if (e.isDirectory() && !e.name.startsWith(".")) out.push(...(await directories(join(root, e.name))));
  }
  return out;
}

import { CustomObjectsApi, type KubeConfig } from "@kubernetes/client-node";
import { API_VERSION, type KubeObject, type Spec, type WorkflowTemplate } from "../../api/index.js";
import { errorMessage } from "../../errors.js";
import type { Logger } from "../../logger.js";
import { kubeError, type TemplateLookup } from "../../workflows/index.js";
import type { ApplyFailure, SpecChangeHandler, SpecSource } from "../spec-source.js";
import { groupSpecs } from "../specs.js";
import { checkObject, fingerprint, objectKey, objectLabel } from "./spec-object.js";
import { nextConditions, StatusWriter, type DesiredCondition } from "./status.js";
import { ResourceWatcher, type WatchEventType } from "./watcher.js";

interface KindInfo {
  kind: string;
  plural: string;
  namespaced: boolean;
  /** Has the /status subresource: validity is reported there. */
  status: boolean;
}

/** The kinds the gateway runs from, as served by Argo Events' and Argo Workflows' CRDs. */
export const WATCHED_KINDS: readonly KindInfo[] = [
  { kind: "EventSource", plural: "eventsources", namespaced: true, status: true },
  { kind: "Sensor", plural: "sensors", namespaced: true, status: true },
  { kind: "EventBus", plural: "eventbus", namespaced: true, status: true },
  { kind: "WorkflowEventBinding", plural: "workfloweventbindings", namespaced: true, status: false },
  { kind: "WorkflowTemplate", plural: "workflowtemplates", namespaced: true, status: false },
  { kind: "ClusterWorkflowTemplate", plural: "clusterworkflowtemplates", namespaced: false, status: false },
];

export interface KubeSpecSourceOptions {
  kubeConfig: KubeConfig;
  /** Watch namespaced kinds in this namespace only (default: all namespaces). */
  namespace?: string;
  logger: Logger;
  /** Pause before re-watching after an error (default 1 s). */
  retryMs?: number;
  /** Delay that coalesces bursts of changes (a relist) into one apply (default 25 ms). */
  debounceMs?: number;
  now?: () => Date;
}

/**
 * Specs from the cluster: lists and watches every kind the gateway runs from,
 * validates each object as `validate` would a YAML file, and hands the set of
 * valid ones to the reconciler. An invalid object keeps its last valid version
 * in the set; its `status` says why (condition Ready=False), and the log too.
 */
export class KubeSpecSource implements SpecSource {
  private readonly objects = new Map<string, KubeObject>();
  private readonly lastValid = new Map<string, Spec>();
  private readonly reported = new Map<string, string>();
  private readonly watchers: ResourceWatcher[] = [];
  private readonly status: StatusWriter;
  private readonly api: CustomObjectsApi;
  private onChange: SpecChangeHandler | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private dirty = false;
  private stopped = false;

  constructor(private readonly o: KubeSpecSourceOptions) {
    this.status = new StatusWriter(o.kubeConfig);
    this.api = o.kubeConfig.makeApiClient(CustomObjectsApi);
  }

  async start(onChange: SpecChangeHandler): Promise<void> {
    const lists = WATCHED_KINDS.map(async (info) => {
      const watcher = this.watcher(info);
      try {
        await watcher.start();
        this.watchers.push(watcher);
      } catch (err) {
        // Cluster-scoped templates need cluster RBAC; without it, templates are looked up by GET.
        if (info.namespaced) throw err;
        this.o.logger.warn({ kind: info.kind, err: errorMessage(err) }, "cannot watch; looked up on demand instead");
      }
    });
    try {
      await Promise.all(lists);
    } catch (err) {
      await this.stop();
      throw err;
    }
    this.onChange = onChange;
    await this.sync();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await Promise.all(this.watchers.splice(0).map((w) => w.stop()));
    await this.running;
  }

  /** Templates as last seen by the watch; undefined for what it has not seen (ask the API then). */
  templates(): TemplateLookup {
    return async (ref) => {
      const kind = ref.clusterScope ? "ClusterWorkflowTemplate" : "WorkflowTemplate";
      const o = this.objects.get(`${kind}/${ref.clusterScope ? "" : ref.namespace}/${ref.name}`);
      return o ? (o as WorkflowTemplate) : undefined;
    };
  }

  private watcher(info: KindInfo): ResourceWatcher {
    const ns = info.namespaced ? this.o.namespace : undefined;
    const [group, version] = API_VERSION.split("/");
    const path = `/apis/${API_VERSION}${ns ? `/namespaces/${encodeURIComponent(ns)}` : ""}/${info.plural}`;
    return new ResourceWatcher({
      kubeConfig: this.o.kubeConfig,
      path,
      apiVersion: API_VERSION,
      kind: info.kind,
      logger: this.o.logger,
      retryMs: this.o.retryMs,
      list: async () => {
        try {
          const l = (await (ns
            ? this.api.listNamespacedCustomObject({ group, version, namespace: ns, plural: info.plural })
            : this.api.listClusterCustomObject({ group, version, plural: info.plural }))) as {
            items?: KubeObject[];
            metadata?: { resourceVersion?: string };
          };
          return { items: l.items ?? [], resourceVersion: l.metadata?.resourceVersion ?? "" };
        } catch (err) {
          throw kubeError(err, `list ${info.plural}`);
        }
      },
      onSync: (items) => this.resync(info.kind, items),
      onEvent: (type, obj) => this.event(type, obj),
    });
  }

  private resync(kind: string, items: KubeObject[]): void {
    for (const key of [...this.objects.keys()]) if (key.startsWith(`${kind}/`)) this.objects.delete(key);
    for (const o of items) this.objects.set(objectKey(o), o);
    this.schedule();
  }

  private event(type: WatchEventType, obj: KubeObject): void {
    const key = objectKey(obj);
    const before = this.objects.get(key);
    if (type === "DELETED") this.objects.delete(key);
    else this.objects.set(key, obj);
    // A status write (ours included) changes nothing the gateway runs.
    if (type === "MODIFIED" && before && fingerprint(before) === fingerprint(obj)) return;
    this.schedule();
  }

  private schedule(): void {
    if (!this.onChange || this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.sync().catch((err: unknown) => this.o.logger.error({ err: errorMessage(err) }, "applying changed specs failed"));
    }, this.o.debounceMs ?? 25);
  }

  /** One apply at a time; changes during an apply lead to one more afterwards. */
  private async sync(): Promise<void> {
    if (this.running) {
      this.dirty = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.dirty = false;
        await this.applyOnce();
      } while (this.dirty && !this.stopped);
    })();
    try {
      await this.running;
    } finally {
      this.running = undefined;
    }
  }

  private async applyOnce(): Promise<void> {
    const objects = [...this.objects.values()];
    const specs: Spec[] = [];
    const problems = new Map<string, string>();
    const warnings = new Map<string, string>();
    for (const key of [...this.lastValid.keys()]) if (!this.objects.has(key)) this.lastValid.delete(key);
    for (const o of objects) {
      const key = objectKey(o);
      const checked = checkObject(o);
      const issues = checked.problems;
      if (checked.warnings.length > 0) warnings.set(key, checked.warnings.join("; "));
      if (issues.length === 0) {
        const spec = checked.spec;
        this.lastValid.set(key, spec);
        specs.push(spec);
        continue;
      }
      problems.set(key, issues.join("; "));
      const previous = this.lastValid.get(key);
      if (previous) specs.push(previous);
    }
    const onChange = this.onChange;
    if (!onChange) return;
    const { failures } = await onChange(groupSpecs(specs));
    await this.report(objects, problems, failures, warnings);
  }

  private async report(
    objects: KubeObject[],
    invalid: Map<string, string>,
    failures: ApplyFailure[],
    warnings: Map<string, string>,
  ): Promise<void> {
    const failed = new Map(failures.map((f) => [`${f.kind}/${f.namespace}/${f.name}`, f.message]));
    const now = (this.o.now ?? (() => new Date()))();
    for (const o of objects) {
      const key = objectKey(o);
      const problem = invalid.get(key);
      const failure = failed.get(key);
      const want: DesiredCondition = problem
        ? { status: "False", reason: "Invalid", message: problem }
        : failure
          ? { status: "False", reason: "ApplyFailed", message: failure }
          : { status: "True", reason: "Applied", message: warnings.has(key) ? `warning: ${warnings.get(key)}` : "" };
      const line = `${want.reason}: ${want.message}`;
      if (this.reported.get(key) !== line) {
        this.reported.set(key, line);
        if (want.status === "False") {
          const kept = this.lastValid.has(key) ? "; the last valid version keeps running" : "";
          this.o.logger.error({ resource: objectLabel(o), reason: want.reason }, `${objectLabel(o)}: ${want.message}${kept}`);
        } else if (want.message) {
          this.o.logger.warn({ resource: objectLabel(o), code: "SPEC_WARNING" }, `${objectLabel(o)}: ${want.message}`);
        }
      }
      const info = WATCHED_KINDS.find((k) => k.kind === o.kind);
      const conditions = info?.status ? nextConditions(o, want, now) : undefined;
      if (!info || !conditions) continue;
      try {
        await this.status.write(o, info.plural, conditions);
      } catch (err) {
        this.o.logger.warn({ resource: objectLabel(o), err: errorMessage(err) }, "cannot write status");
      }
    }
    for (const key of [...this.reported.keys()]) if (!this.objects.has(key)) this.reported.delete(key);
  }
}

import { Watch, type KubeConfig } from "@kubernetes/client-node";
import type { KubeObject } from "../../api/index.js";
import { errorMessage } from "../../errors.js";
import type { Logger } from "../../logger.js";

export type WatchEventType = "ADDED" | "MODIFIED" | "DELETED";

export interface ListResult {
  items: KubeObject[];
  resourceVersion: string;
}

export interface ResourceWatcherOptions {
  kubeConfig: KubeConfig;
  /** Collection path, e.g. `/apis/argoproj.io/v1alpha1/namespaces/ns/sensors`. */
  path: string;
  /** apiVersion and kind to put on listed items (a real list leaves them out). */
  apiVersion: string;
  kind: string;
  fieldSelector?: string;
  /** The full list of the collection (the same path, through the typed client). */
  list: () => Promise<ListResult>;
  /** The whole current state: after the first list and after every relist. */
  onSync: (objects: KubeObject[]) => void;
  onEvent: (type: WatchEventType, obj: KubeObject) => void;
  logger: Logger;
  /** Pause before reconnecting after an error (default 1 s). */
  retryMs?: number;
}

type StreamEnd = { expired: boolean; error?: unknown };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function isExpired(err: unknown): boolean {
  const e = err as { code?: unknown; statusCode?: unknown } | undefined;
  return e?.code === 410 || e?.statusCode === 410;
}

/**
 * List, then watch from the list's resourceVersion; a stream that ends is resumed
 * from the last resourceVersion seen (bookmarks included), a 410 Gone relists.
 * The reflector of client-go, reduced to what the gateway needs.
 */
export class ResourceWatcher {
  private resourceVersion = "";
  private stopped = false;
  private controller: AbortController | undefined;
  private loop: Promise<void> | undefined;

  constructor(private readonly o: ResourceWatcherOptions) {}

  /** Resolves after the first successful list (onSync has run); then watches in the background. */
  async start(): Promise<void> {
    await this.relist();
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.controller?.abort();
    await this.loop;
  }

  private async relist(): Promise<void> {
    const { items, resourceVersion } = await this.o.list();
    this.resourceVersion = resourceVersion;
    this.o.onSync(items.map((i) => ({ ...i, apiVersion: this.o.apiVersion, kind: this.o.kind })));
  }

  private async run(): Promise<void> {
    const log = this.o.logger;
    while (!this.stopped) {
      let end: StreamEnd;
      try {
        if (!this.resourceVersion) await this.relist();
        end = await this.watchOnce();
      } catch (err) {
        end = { expired: isExpired(err), error: err };
      }
      if (this.stopped) return;
      if (end.expired) {
        log.info({ path: this.o.path }, "watch expired (410 Gone): relisting");
        this.resourceVersion = "";
      } else if (end.error !== undefined) {
        log.warn({ path: this.o.path, err: errorMessage(end.error) }, "watch failed: retrying");
        await sleep(this.o.retryMs ?? 1000);
      }
    }
  }

  private watchOnce(): Promise<StreamEnd> {
    return new Promise<StreamEnd>((resolve, reject) => {
      let expired = false;
      const query: Record<string, string | boolean> = { resourceVersion: this.resourceVersion, allowWatchBookmarks: true };
      if (this.o.fieldSelector) query.fieldSelector = this.o.fieldSelector;
      const onEvent = (type: string, obj: KubeObject & { code?: number }) => {
        if (type === "ERROR") {
          if (obj.code === 410) expired = true;
          return;
        }
        const rv = obj?.metadata?.resourceVersion;
        if (rv) this.resourceVersion = rv;
        if (type === "ADDED" || type === "MODIFIED" || type === "DELETED") {
          this.o.onEvent(type, { ...obj, apiVersion: this.o.apiVersion, kind: this.o.kind });
        }
      };
      const done = (err: unknown) => {
        this.controller = undefined;
        resolve({ expired: expired || isExpired(err), error: err ?? undefined });
      };
      new Watch(this.o.kubeConfig).watch(this.o.path, query, onEvent, done).then((c) => {
        this.controller = c;
        if (this.stopped) c.abort();
      }, reject);
    });
  }
}

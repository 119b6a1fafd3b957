import { CoreV1Api, type KubeConfig } from "@kubernetes/client-node";
import type { KubeObject, SecretKeySelector } from "../../api/index.js";
import { SecretNotFoundError } from "../../errors.js";
import type { Logger } from "../../logger.js";
import type { SecretStore } from "../secrets.js";
import { kubeError } from "../../workflows/index.js";
import { ResourceWatcher } from "./watcher.js";

interface Entry {
  ready: Promise<void>;
  /** The Secret's `data` (base64 values); undefined while it does not exist. */
  data?: Record<string, string>;
  watcher: ResourceWatcher;
}

/**
 * Secrets read from the Kubernetes API. The first read of a Secret lists it and
 * then watches it (by name, which RBAC with resourceNames allows), so every later
 * read is served from memory and a rotated Secret applies without a restart.
 */
export class KubeSecretStore implements SecretStore {
  private readonly entries = new Map<string, Entry>();
  private readonly core: CoreV1Api;

  constructor(
    private readonly kubeConfig: KubeConfig,
    private readonly logger: Logger,
  ) {
    this.core = kubeConfig.makeApiClient(CoreV1Api);
  }

  async get(namespace: string, selector: SecretKeySelector): Promise<string> {
    const ns = namespace || "default";
    const entry = this.entry(ns, selector.name);
    await entry.ready;
    const raw = entry.data?.[selector.key];
    if (raw === undefined) {
      const why = entry.data ? `has no key "${selector.key}"` : "not found";
      throw new SecretNotFoundError(`secret ${ns}/${selector.name} ${why}`);
    }
    return Buffer.from(raw, "base64").toString("utf8");
  }

  private entry(namespace: string, name: string): Entry {
    const key = `${namespace}/${name}`;
    const existing = this.entries.get(key);
    if (existing) return existing;
    const fieldSelector = `metadata.name=${name}`;
    const set = (obj: KubeObject | undefined) => {
      entry.data = obj ? ((obj.data as Record<string, string> | undefined) ?? {}) : undefined;
    };
    const watcher = new ResourceWatcher({
      kubeConfig: this.kubeConfig,
      path: `/api/v1/namespaces/${encodeURIComponent(namespace)}/secrets`,
      apiVersion: "v1",
      kind: "Secret",
      fieldSelector,
      list: async () => {
        try {
          const l = await this.core.listNamespacedSecret({ namespace, fieldSelector });
          return { items: l.items as unknown as KubeObject[], resourceVersion: l.metadata?.resourceVersion ?? "" };
        } catch (err) {
          throw kubeError(err, `list secret ${key}`);
        }
      },
      onSync: (objects) => set(objects.find((o) => o.metadata.name === name)),
      onEvent: (type, obj) => {
        if (obj.metadata.name !== name) return;
        set(type === "DELETED" ? undefined : obj);
        this.logger.info({ secret: key, event: type }, "secret changed");
      },
      logger: this.logger,
    });
    const entry: Entry = { watcher, ready: Promise.resolve() };
    entry.ready = watcher.start().catch((err: unknown) => {
      // Not remembered: the next read tries again (RBAC fixed, API back).
      this.entries.delete(key);
      throw err;
    });
    this.entries.set(key, entry);
    return entry;
  }

  async close(): Promise<void> {
    const all = [...this.entries.values()];
    this.entries.clear();
    await Promise.all(all.map((e) => e.watcher.stop()));
  }
}

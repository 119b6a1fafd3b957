// startKubeApiServer: the in-repo stand-in for a Kubernetes API server, reached
// through the real @kubernetes/client-node over HTTP on 127.0.0.1.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { KubeConfig } from "@kubernetes/client-node";
import { AuthConfig } from "./auth.js";
import { DEFAULT_RESOURCES, REVIEW_RESOURCES, ResourceRegistry } from "./resources.js";
import { createHandler, type InjectedFailure, type RequestRecord } from "./router.js";
import { RbacAuthorizer } from "./rbac.js";
import { ObjectStore } from "./store.js";
import type { Authorizer, KubeObject, ResourceType, UserInfo, Validator } from "./types.js";
import { WatchHub } from "./watch.js";

export interface KubeApiServerOptions {
  /** Keyed `group/version/Kind` (core: `v1/Secret`); errors answer 422 Invalid. */
  validators?: Record<string, Validator>;
  /** How many write events watches can replay from (default 1000); older resourceVersions get 410. */
  historySize?: number;
  /** Interval of BOOKMARK events on watches that allow them (default 5000 ms). */
  bookmarkIntervalMs?: number;
  /** TokenReview: token -> user (see serviceAccountUser). */
  tokens?: Record<string, UserInfo>;
  /** SubjectAccessReview decisions (default: deny everything). */
  authorize?: Authorizer;
  /** More resource types to serve next to the defaults. */
  resources?: ResourceType[];
  /**
   * Enforce authentication (bearer tokens from `tokens`), impersonation and RBAC from
   * the stored Roles, ClusterRoles and their bindings. SubjectAccessReviews are then
   * answered by the same rules unless `authorize` is given.
   */
  rbac?: boolean;
  /** Namespaces that exist from the start (default ["default"]); others appear on first use. */
  namespaces?: string[];
}

export interface KubeApiServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** A KubeConfig for this server: one cluster, a fake bearer-token user, `namespace` as context default. */
  kubeConfig(options?: { namespace?: string; token?: string }): KubeConfig;
  /** Insert or replace an object without validation (server fields set, watchers notified). */
  put<T extends KubeObject>(obj: T): T;
  /** The stored object, or undefined. `namespace` is ignored for cluster-scoped kinds. */
  get(apiVersion: string, kind: string, namespace: string | undefined, name: string): KubeObject | undefined;
  /** Stored objects of one kind, in one namespace or (undefined) all. */
  list(apiVersion: string, kind: string, namespace?: string): KubeObject[];
  /** Deletes like the API (watchers see DELETED); false when it was not there. */
  remove(apiVersion: string, kind: string, namespace: string | undefined, name: string): boolean;
  /** The latest resourceVersion handed out. */
  resourceVersion(): string;
  /** Drops the watch history: a watch from any earlier resourceVersion gets 410 Expired. */
  compactHistory(): void;
  /** Ends every open watch stream, as an API server restart or a load balancer would. */
  closeWatches(): void;
  /** Number of open watch streams. */
  openWatches(): number;
  /** TokenReview's token -> user map (mutable). */
  readonly tokens: Map<string, UserInfo>;
  /** Replaces the SubjectAccessReview decision function. */
  setAuthorizer(fn: Authorizer): void;
  /** SubjectAccessReview specs received, oldest first. */
  readonly accessReviews: readonly unknown[];
  /** Every request received, oldest first. */
  readonly requests: readonly RequestRecord[];
  /** The next matching request(s) fail with this Status instead. */
  injectFailure(f: InjectedFailure): void;
  close(): Promise<void>;
}

function typeOf(registry: ResourceRegistry, apiVersion: string, kind: string): ResourceType {
  const rt = registry.byKind(apiVersion, kind);
  if (!rt) throw new Error(`kube-api test server: no resource type for ${apiVersion} ${kind}`);
  return rt;
}

export async function startKubeApiServer(options: KubeApiServerOptions = {}): Promise<KubeApiServer> {
  const registry = new ResourceRegistry([...DEFAULT_RESOURCES, ...REVIEW_RESOURCES, ...(options.resources ?? [])]);
  const store = new ObjectStore({
    historySize: options.historySize ?? 1000,
    validators: options.validators ?? {},
    namespaceType: registry.byKind("v1", "Namespace"),
  });
  for (const ns of options.namespaces ?? ["default"]) store.ensureNamespace(ns);
  const watches = new WatchHub(store, options.bookmarkIntervalMs ?? 5000);
  const rbac = options.rbac ? new RbacAuthorizer(store, registry) : undefined;
  const auth = new AuthConfig(options.tokens, options.authorize ?? (rbac ? (spec) => rbac.review(spec) : undefined));
  const requests: RequestRecord[] = [];
  const failures: InjectedFailure[] = [];

  const server = createServer(createHandler({ registry, store, watches, auth, requests, failures, rbac }));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    kubeConfig({ namespace = "default", token = "kube-api-test-token" } = {}) {
      const kc = new KubeConfig();
      kc.loadFromOptions({
        clusters: [{ name: "kube-api-test", server: url, skipTLSVerify: true }],
        users: [{ name: "kube-api-test", token }],
        contexts: [{ name: "kube-api-test", cluster: "kube-api-test", user: "kube-api-test", namespace }],
        currentContext: "kube-api-test",
      });
      return kc;
    },
    put<T extends KubeObject>(obj: T): T {
      return store.put(typeOf(registry, obj.apiVersion, obj.kind), obj) as T;
    },
    get(apiVersion, kind, namespace, name) {
      const rt = typeOf(registry, apiVersion, kind);
      return store.find(rt, rt.namespaced ? namespace : undefined, name);
    },
    list(apiVersion, kind, namespace) {
      const rt = typeOf(registry, apiVersion, kind);
      return store.list(rt, rt.namespaced ? namespace : undefined, () => true).items;
    },
    remove(apiVersion, kind, namespace, name) {
      const rt = typeOf(registry, apiVersion, kind);
      const ns = rt.namespaced ? namespace : undefined;
      if (!store.find(rt, ns, name)) return false;
      store.delete(rt, ns, name);
      return true;
    },
    resourceVersion: () => store.currentResourceVersion(),
    compactHistory: () => store.compactHistory(),
    closeWatches: () => watches.closeAll(),
    openWatches: () => watches.openCount,
    tokens: auth.tokens,
    setAuthorizer(fn) {
      auth.authorize = fn;
    },
    accessReviews: auth.reviews,
    requests,
    injectFailure(f) {
      failures.push(f);
    },
    async close() {
      watches.closeAll();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

// The Kubernetes backends of the binding endpoint: TokenReview, SubjectAccessReview,
// the argo-workflows-webhook-clients Secret (cached) and Warning Events.
import { hostname } from "node:os";
import {
  AuthenticationV1Api,
  AuthorizationV1Api,
  CoreV1Api,
  type CoreV1Event,
  type KubeConfig,
} from "@kubernetes/client-node";
import type { WorkflowEventBinding } from "../api/index.js";
import { ForbiddenError, NotFoundError } from "../errors.js";
import { kubeError } from "../workflows/index.js";
import type { Authenticator, Authorizer } from "./auth.js";
import type { TemplateRef } from "./catalog.js";
import type { Identity } from "./event.js";
import type { EventRecorder } from "./recorder.js";
import { WEBHOOK_CLIENTS_SECRET, webhookClientList, type WebhookClientList, type WebhookClientSource } from "./webhook-clients.js";

/** Bearer tokens checked with a TokenReview; only an authenticated review yields an identity. */
export class KubeAuthenticator implements Authenticator {
  private readonly api: AuthenticationV1Api;
  constructor(kc: KubeConfig) {
    this.api = kc.makeApiClient(AuthenticationV1Api);
  }

  async authenticate(token: string): Promise<Identity | undefined> {
    let review;
    try {
      review = await this.api.createTokenReview({ body: { spec: { token } } });
    } catch (err) {
      throw kubeError(err, "TokenReview");
    }
    const user = review.status?.user;
    if (!review.status?.authenticated || !user?.username) return undefined;
    return { username: user.username, groups: user.groups };
  }
}

interface Access {
  verb: string;
  resource: string;
  namespace?: string;
  name?: string;
}

/**
 * SubjectAccessReviews as the poster, with the RBAC Argo documents for webhook
 * ServiceAccounts: list workfloweventbindings + create workflows in the
 * namespace, get the referenced (cluster)workflowtemplate.
 */
export class KubeAuthorizer implements Authorizer {
  private readonly api: AuthorizationV1Api;
  constructor(kc: KubeConfig) {
    this.api = kc.makeApiClient(AuthorizationV1Api);
  }

  private async check(identity: Identity, a: Access): Promise<void> {
    let review;
    try {
      review = await this.api.createSubjectAccessReview({
        body: {
          spec: {
            user: identity.username,
            groups: identity.groups,
            resourceAttributes: { group: "argoproj.io", verb: a.verb, resource: a.resource, namespace: a.namespace, name: a.name },
          },
        },
      });
    } catch (err) {
      throw kubeError(err, "SubjectAccessReview");
    }
    if (!review.status?.allowed) {
      const target = `${a.resource}${a.name ? ` "${a.name}"` : ""}${a.namespace ? ` in namespace ${a.namespace}` : ""}`;
      throw new ForbiddenError(`${identity.username} cannot ${a.verb} ${target}`);
    }
  }

  async authorizeEvent(identity: Identity, namespace: string): Promise<void> {
    await this.check(identity, { verb: "list", resource: "workfloweventbindings", namespace });
    await this.check(identity, { verb: "create", resource: "workflows", namespace });
  }

  async authorizeTemplate(identity: Identity, namespace: string, ref: TemplateRef): Promise<void> {
    await this.check(
      identity,
      ref.clusterScope
        ? { verb: "get", resource: "clusterworkflowtemplates", name: ref.name }
        : { verb: "get", resource: "workflowtemplates", namespace, name: ref.name },
    );
  }
}

/** The webhook clients Secret of each namespace, read through and kept `ttlMs` (a missing Secret too). */
export class KubeWebhookClientSource implements WebhookClientSource {
  private readonly api: CoreV1Api;
  private readonly cache = new Map<string, { at: number; list: Promise<WebhookClientList> }>();

  constructor(
    kc: KubeConfig,
    private readonly ttlMs = 10_000,
    private readonly now: () => number = Date.now,
  ) {
    this.api = kc.makeApiClient(CoreV1Api);
  }

  clients(namespace: string): Promise<WebhookClientList> {
    const hit = this.cache.get(namespace);
    if (hit && this.now() - hit.at < this.ttlMs) return hit.list;
    const list = this.read(namespace);
    // Namespace names come from request paths: keep the cache bounded, dropping the oldest.
    if (this.cache.size >= 1024) this.cache.delete(this.cache.keys().next().value as string);
    this.cache.set(namespace, { at: this.now(), list });
    // A failed read is not cached: the next request asks again.
    list.catch(() => this.cache.delete(namespace));
    return list;
  }

  private async read(namespace: string): Promise<WebhookClientList> {
    try {
      const secret = await this.api.readNamespacedSecret({ name: WEBHOOK_CLIENTS_SECRET, namespace });
      const entries = Object.entries(secret.data ?? {}).map(
        ([k, v]) => [k, Buffer.from(v, "base64").toString("utf8")] as [string, string],
      );
      return webhookClientList(entries);
    } catch (err) {
      const e = kubeError(err, `Secret ${namespace}/${WEBHOOK_CLIENTS_SECRET}`);
      if (e instanceof NotFoundError) return { clients: [], invalid: [] };
      throw e;
    }
  }
}

/** Warning Events on the binding, named as client-go's recorder names them (`<object>.<hex nanos>`). */
export class KubeEventRecorder implements EventRecorder {
  private readonly api: CoreV1Api;
  constructor(
    kc: KubeConfig,
    private readonly component = "trigger-gateway",
  ) {
    this.api = kc.makeApiClient(CoreV1Api);
  }

  async warning(binding: WorkflowEventBinding, reason: string, message: string): Promise<void> {
    const namespace = binding.metadata.namespace || "default";
    const name = binding.metadata.name ?? "";
    const now = new Date();
    const nanos = BigInt(now.getTime()) * 1_000_000n + BigInt(Math.floor(Math.random() * 1_000_000));
    const body: CoreV1Event = {
      metadata: { name: `${name}.${nanos.toString(16)}`, namespace },
      involvedObject: {
        apiVersion: binding.apiVersion,
        kind: binding.kind,
        name,
        namespace,
        uid: binding.metadata.uid,
        resourceVersion: binding.metadata.resourceVersion,
      },
      reason,
      message,
      type: "Warning",
      count: 1,
      firstTimestamp: now,
      lastTimestamp: now,
      source: { component: this.component, host: hostname() },
      reportingComponent: this.component,
      reportingInstance: hostname(),
    };
    try {
      await this.api.createNamespacedEvent({ namespace, body });
    } catch (err) {
      throw kubeError(err, `Event for WorkflowEventBinding ${namespace}/${name}`);
    }
  }
}

/** The `--kube` auth of the events endpoint: TokenReview, SubjectAccessReview, the watched webhook-clients Secret, Warning Events. */
export function kubeBindingAuth(kc: KubeConfig): {
  authenticator: Authenticator;
  authorizer: Authorizer;
  webhookClients: WebhookClientSource;
  recorder: EventRecorder;
} {
  return {
    authenticator: new KubeAuthenticator(kc),
    authorizer: new KubeAuthorizer(kc),
    webhookClients: new KubeWebhookClientSource(kc),
    recorder: new KubeEventRecorder(kc),
  };
}

// The contract between the hook manager and one git provider's API. A provider
// client knows its API (paths, field names, event flags, pagination, auth); the
// manager knows when to call it (lease, schedule, shutdown, metrics). Values given
// here are already resolved: secrets are plain strings, never selectors.

/** Where a hook lives, in the provider's own terms. */
export interface HookTarget {
  /**
   * github: "repository" ("owner/name") or "organization" ("org");
   * gitlab: "project" (id or "group/path") or "group" (id or path);
   * bitbucket: "repository" ("workspace/repo_slug");
   * bitbucketserver: "repository" ("PROJECT/repo_slug") or "project" ("PROJECT").
   */
  scope: "repository" | "organization" | "project" | "group";
  name: string;
}

/** The hook an EventSource entry asks for. */
export interface DesiredHook {
  /** The hook's URL: the EventSource's `webhook.url` joined with its endpoint. The identity of a managed hook. */
  url: string;
  /** The EventSource's `events`, as the user wrote them (provider names; the client maps them). */
  events: readonly string[];
  /** The shared secret or token the provider sends (GitHub secret, GitLab token, Bitbucket Server secret). */
  secret?: string;
  /** GitHub's `contentType`: "json" (default) or "form". */
  contentType?: "json" | "form";
  /** Whether the provider should send deliveries (GitHub `active`; default true). */
  active: boolean;
  /** Whether the provider may skip TLS verification when it calls `url` (GitHub `insecure`, GitLab `!enableSSLVerification`). */
  insecureSSL: boolean;
}

/** What `ensure` did. */
export interface HookSync {
  /** The provider's id of the hook. */
  id: string;
  action: "created" | "updated" | "unchanged";
}

/** One provider's hooks API, used by the manager. Errors are typed (`GatewayError` with the provider's status) so `isRetryable` decides. */
export interface HookClient {
  readonly provider: "github" | "gitlab" | "bitbucket" | "bitbucketserver";
  /** Create the hook, or update the one with the same URL to match `desired`; at most one hook per URL is kept. */
  ensure(target: HookTarget, desired: DesiredHook): Promise<HookSync>;
  /** Delete the hook with this URL; false when there was none. */
  remove(target: HookTarget, url: string): Promise<boolean>;
}

/** A delivery the provider failed to make (the gateway was down, or refused it). */
export interface FailedDelivery {
  /** The provider's id of this delivery attempt (what redelivery names). */
  id: string;
  /** The delivery's GUID, the same on every attempt (GitHub X-GitHub-Delivery): the gateway's dedup key. */
  guid: string;
  event: string;
  deliveredAt: Date;
  /** The answer the provider got; 0 when it got none. */
  statusCode: number;
}

/** Redelivery of failed deliveries, for providers whose API offers it. */
export interface DeliveryRecovery {
  /**
   * Deliveries of the hook since `since` whose every attempt failed (no 2xx for that
   * GUID), newest attempt per GUID.
   */
  failedSince(target: HookTarget, hookId: string, since: Date): Promise<FailedDelivery[]>;
  /** Ask the provider to send the delivery again. */
  redeliver(target: HookTarget, hookId: string, deliveryId: string): Promise<void>;
}

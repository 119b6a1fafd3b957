// What one EventSource type provides to the gateway: a new type is one file exporting
// a SourceTypeEntry plus one line in registry.ts (and its name in
// api/extension-points.ts), and receivers, test-sensor and `send` pick it up.
import type { EventSourceFilter, WebhookContext } from "../api/index.js";
import type { SecretStore } from "../config/index.js";
import type { SourceHandler } from "./receiver.js";

/** What a source type's handler may use: the EventSource's namespace and the secrets it reads. */
export interface SourceContext {
  namespace: string;
  secrets: SecretStore;
}

/** A delivery as `trigger-gateway send` makes it: the provider's headers for this body. */
export interface DeliveryOptions {
  /** The provider's event name (X-GitHub-Event, X-Gitlab-Event, X-Event-Key). */
  event: string;
  /** The provider's delivery id. */
  id: string;
  /** The shared secret or token, when the receiver checks one. */
  secret?: string;
  body: Buffer;
}

export interface SourceTypeEntry<S> {
  /** The entry's HTTP route: its `webhook` section, or the entry itself for `webhook`. */
  route(spec: S): WebhookContext | undefined;
  /** The entry's `filter` (an expr-lang expression on the event). */
  filter(spec: S): EventSourceFilter | undefined;
  /** Verify and parse one delivery. */
  handler(spec: S, ctx: SourceContext): SourceHandler;
  /** An entry with nothing configured: test-sensor parses offline payloads with it. */
  readonly bare: S;
  /** The header that names the provider's event, when there is one, and an event name for messages. */
  readonly event?: { header: string; example: string };
  /** The names an entry's `events` list may hold (the provider's documented events); others are warned about. */
  readonly subscribable?: { provider: string; names(): Promise<ReadonlySet<string>> };
  /** The headers the provider sends with a delivery, signed or tokened as it does. */
  deliveryHeaders(o: DeliveryOptions): Record<string, string>;
}

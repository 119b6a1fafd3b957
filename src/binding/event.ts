// The event the endpoint accepts, as it travels on the bus, and the expression
// environment the bindings see.
import { newCloudEvent, type CloudEvent } from "../eventbus/index.js";
import { CREDENTIAL_HEADERS, MASKED } from "../eventsource/index.js";

/** CloudEvent `type` and `source` of binding events; the bus subject is `<bus>._bindings.<namespace>`. */
export const BINDING_EVENT_TYPE = "workfloweventbinding";
export const BINDING_EVENT_SOURCE = "argo-workflows-events";

export function bindingSubject(busName: string, namespace: string): string {
  return `${busName}._bindings.${namespace}`;
}

/** Who posted an event. Never a credential: only what authorization and the creator label need. */
export interface Identity {
  /** `system:serviceaccount:<ns>:<name>` for a ServiceAccount. */
  username: string;
  groups?: string[];
}

export interface BindingEventData {
  namespace: string;
  discriminator: string;
  payload: unknown;
  /** The request's `x-*` headers: lower-case keys, every value a list. */
  metadata: Record<string, string[]>;
  identity?: Identity;
}

const SECRET_HEADERS = new Set<string>(CREDENTIAL_HEADERS.map((h) => h.toLowerCase()));

/**
 * The `metadata` of the expression environment: only `x-` headers, as Argo
 * (so `authorization` never reaches a binding); tokens and signatures are masked.
 */
export function eventMetadata(headersDistinct: Record<string, string[] | undefined>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [name, values] of Object.entries(headersDistinct)) {
    const key = name.toLowerCase();
    if (values === undefined || !key.startsWith("x-")) continue;
    const value = SECRET_HEADERS.has(key) ? values.map(() => MASKED) : [...values];
    Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** The environment of selectors and parameter expressions: {payload, metadata, discriminator, namespace}. */
export function expressionEnv(data: BindingEventData): Record<string, unknown> {
  return {
    payload: data.payload ?? null,
    metadata: data.metadata,
    discriminator: data.discriminator,
    namespace: data.namespace,
  };
}

export function newBindingEvent(data: BindingEventData, deliveryId?: string): CloudEvent {
  return newCloudEvent({
    source: BINDING_EVENT_SOURCE,
    subject: `${data.namespace}/${data.discriminator}`,
    type: BINDING_EVENT_TYPE,
    data,
    deliveryId,
  });
}

/** Reads binding event data back from a CloudEvent, or undefined when it is not one. */
export function bindingEventData(event: CloudEvent): BindingEventData | undefined {
  if (event.type !== BINDING_EVENT_TYPE) return undefined;
  const d = event.data as Partial<BindingEventData> | null;
  if (!d || typeof d !== "object" || typeof d.namespace !== "string" || typeof d.discriminator !== "string") {
    return undefined;
  }
  return {
    namespace: d.namespace,
    discriminator: d.discriminator,
    payload: d.payload ?? null,
    metadata: d.metadata ?? {},
    identity: d.identity,
  };
}

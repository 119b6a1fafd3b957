import { type EventSource, type EventSourceFilter, type WebhookContext, SOURCE_TYPE_NAMES, type SourceTypeName } from "../api/index.js";
import type { SecretStore } from "../config/index.js";
import { compileExprLang, type CompiledExpression } from "../expr/index.js";
import { NotSupportedError, SpecError, errorMessage } from "../errors.js";
import { SOURCE_TYPES, type SourceSpecs } from "./registry.js";
import {
  createReceiver,
  DEFAULT_MAX_PAYLOAD_SIZE,
  type Receiver,
  type ReceiverDeps,
} from "./receiver.js";

export interface BuildDeps extends ReceiverDeps {
  secrets: SecretStore;
}

function where(es: EventSource, type: string, eventName: string): { location: string; resource: string } {
  return {
    location: `EventSource ${es.metadata.namespace ?? "default"}/${es.metadata.name ?? "?"}`,
    resource: `spec.${type}.${eventName}`,
  };
}

function checkContext(es: EventSource, type: string, name: string, ctx: WebhookContext | undefined): WebhookContext {
  const w = where(es, type, name);
  if (!ctx) throw new SpecError(w.location, w.resource, "webhook", "a webhook (endpoint, port) is required");
  if (!ctx.endpoint) throw new SpecError(w.location, w.resource, "endpoint", "must not be empty");
  if (!/^\d+$/.test(String(ctx.port ?? ""))) {
    throw new SpecError(w.location, w.resource, "port", `"${ctx.port}" is not a port number`);
  }
  const max = ctx.maxPayloadSize;
  if (max !== undefined && !(Number.isInteger(max) && max > 0)) {
    throw new SpecError(w.location, w.resource, "maxPayloadSize", "must be a positive integer");
  }
  if (ctx.serverCertSecret || ctx.serverKeySecret) {
    throw new NotSupportedError(
      `${w.location} ${w.resource}: TLS in the receiver (serverCertSecret/serverKeySecret) is not supported; terminate TLS in front of the gateway`,
    );
  }
  return ctx;
}

function compileFilter(
  es: EventSource,
  type: string,
  name: string,
  filter: EventSourceFilter | undefined,
): CompiledExpression | undefined {
  if (!filter?.expression) return undefined;
  try {
    return compileExprLang(filter.expression);
  } catch (err) {
    const w = where(es, type, name);
    throw new SpecError(w.location, w.resource, "filter.expression", errorMessage(err));
  }
}

/** One receiver per entry of every source type in the EventSources. */
export function buildReceivers(eventSources: EventSource[], deps: BuildDeps): Receiver[] {
  const receivers: Receiver[] = [];
  for (const es of eventSources) {
    for (const type of SOURCE_TYPE_NAMES) receivers.push(...receiversOf(es, type, deps));
  }
  return receivers;
}

function receiversOf<K extends SourceTypeName>(es: EventSource, type: K, deps: BuildDeps): Receiver[] {
  const entry = SOURCE_TYPES[type];
  const section = (es.spec[type] ?? {}) as Record<string, SourceSpecs[K]>;
  const namespace = es.metadata.namespace ?? "default";
  return Object.entries(section).map(([name, spec]) => {
    const c = checkContext(es, type, name, entry.route(spec));
    return createReceiver(
      {
        eventSourceName: es.metadata.name ?? "",
        eventName: name,
        namespace,
        endpoint: c.endpoint.startsWith("/") ? c.endpoint : `/${c.endpoint}`,
        port: String(c.port),
        maxPayloadSize: c.maxPayloadSize ?? DEFAULT_MAX_PAYLOAD_SIZE,
        filter: compileFilter(es, type, name, entry.filter(spec)),
      },
      entry.handler(spec, { namespace, secrets: deps.secrets }),
      deps,
    );
  });
}

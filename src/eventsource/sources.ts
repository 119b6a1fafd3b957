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

/** A problem in one entry of an EventSource, at a field path under the entry. */
export class EntryProblem extends Error {
  constructor(
    readonly field: string[],
    readonly detail: string,
    readonly notSupported = false,
  ) {
    super(`${field.join(".")}: ${detail}`);
  }
}

function checkContext(ctx: WebhookContext | undefined): WebhookContext {
  if (!ctx) throw new EntryProblem(["webhook"], "a webhook (endpoint, port) is required");
  if (!ctx.endpoint) throw new EntryProblem(["endpoint"], "must not be empty");
  if (!/^\d+$/.test(String(ctx.port ?? ""))) throw new EntryProblem(["port"], `"${ctx.port}" is not a port number`);
  const max = ctx.maxPayloadSize;
  if (max !== undefined && !(Number.isInteger(max) && max > 0)) throw new EntryProblem(["maxPayloadSize"], "must be a positive integer");
  if (ctx.serverCertSecret || ctx.serverKeySecret) {
    throw new EntryProblem(["webhook"], "TLS in the receiver (serverCertSecret/serverKeySecret) is not supported; terminate TLS in front of the gateway", true);
  }
  return ctx;
}

function compileFilter(filter: EventSourceFilter | undefined): CompiledExpression | undefined {
  if (!filter?.expression) return undefined;
  try {
    return compileExprLang(filter.expression);
  } catch (err) {
    throw new EntryProblem(["filter", "expression"], errorMessage(err));
  }
}

/** What serve reads from one entry before it listens: its route and its compiled filter. */
export function compileEntry<K extends SourceTypeName>(type: K, spec: SourceSpecs[K]): { context: WebhookContext; filter?: CompiledExpression } {
  const entry = SOURCE_TYPES[type];
  return { context: checkContext(entry.route(spec)), filter: compileFilter(entry.filter(spec)) };
}

function entryError(es: EventSource, type: string, name: string, err: unknown): Error {
  if (!(err instanceof EntryProblem)) return err instanceof Error ? err : new Error(String(err));
  const w = where(es, type, name);
  if (err.notSupported) return new NotSupportedError(`${w.location} ${w.resource}: ${err.detail}`);
  return new SpecError(w.location, w.resource, err.field.join("."), err.detail);
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
    let compiled: ReturnType<typeof compileEntry<K>>;
    try {
      compiled = compileEntry(type, spec);
    } catch (err) {
      throw entryError(es, type, name, err);
    }
    const c = compiled.context;
    return createReceiver(
      {
        eventSourceName: es.metadata.name ?? "",
        eventName: name,
        namespace,
        endpoint: c.endpoint.startsWith("/") ? c.endpoint : `/${c.endpoint}`,
        port: String(c.port),
        maxPayloadSize: c.maxPayloadSize ?? DEFAULT_MAX_PAYLOAD_SIZE,
        filter: compiled.filter,
      },
      entry.handler(spec, { namespace, secrets: deps.secrets }),
      deps,
    );
  });
}

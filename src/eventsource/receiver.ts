import { performance } from "node:perf_hooks";
import type { Logger } from "../logger.js";
import { type EventBus, eventSubject, newCloudEvent, type CloudEvent } from "../eventbus/index.js";
import type { CompiledExpression } from "../expr/index.js";
import {
  BadRequestError,
  BusUnavailableError,
  BusyError,
  ForbiddenError,
  GatewayError,
  MethodNotAllowedError,
  PayloadTooLargeError,
  SecretNotFoundError,
  UnauthorizedError,
  errorMessage,
} from "../errors.js";
import type { GoHeader } from "../http/index.js";
import type { SourceTypeName } from "../api/index.js";

export type SourceType = SourceTypeName;

/** One HTTP request as a receiver sees it, independent of the HTTP framework. */
export interface WebhookRequest {
  method: string;
  /** URL path without the query string. */
  path: string;
  /** Raw query string without `?` ("" when none). */
  query?: string;
  headers: GoHeader;
  rawBody: Buffer;
}

export interface WebhookResponse {
  status: number;
  /** Short plain-text message. */
  body: string;
  headers?: Record<string, string>;
}

export type OutcomeReason =
  | "published"
  | "not-subscribed"
  | "filtered"
  | "filter-error"
  | "method-not-allowed"
  | "payload-too-large"
  | "unauthorized"
  | "forbidden"
  | "bad-request"
  | "secret-unavailable"
  | "bus-unavailable"
  | "busy"
  | "internal-error";

/** What happened to one request: the hook for metrics and the event-flow page. */
export interface ReceiverOutcome {
  type: SourceType;
  eventSourceName: string;
  eventName: string;
  namespace: string;
  status: number;
  reason: OutcomeReason;
  message: string;
  /** Set once the CloudEvent was built (published, filtered, bus failure). */
  eventId?: string;
  durationMs: number;
}

export type OutcomeListener = (outcome: ReceiverOutcome) => void;

/** What a source type extracted from a verified request. */
export interface ParsedDelivery {
  /** The payload: {headers|header, body, metadata?}. */
  data: Record<string, unknown>;
  /** The provider's delivery id, when it sent one: the event id derives from it. */
  deliveryId?: string;
  /** False when the provider event is not in the configured `events`. */
  subscribed: boolean;
  /** The provider event name, for messages and logs. */
  providerEvent?: string;
}

/** One event a delivery becomes (see SourceHandler.expand). */
export interface ParsedEvent {
  /** The payload: {headers|header, body, metadata?}. */
  data: Record<string, unknown>;
  /** What the event id derives from; distinct per event of one delivery, the same on a redelivery. */
  deliveryId?: string;
}

/** The per-type part of a receiver; the shared pipeline lives in createReceiver. */
export interface SourceHandler {
  readonly type: SourceType;
  /** The HTTP method this endpoint accepts. */
  readonly method: string;
  /** Throws UnauthorizedError / ForbiddenError / SecretNotFoundError. */
  authenticate(req: WebhookRequest): Promise<void>;
  /**
   * True when `authenticate` reads only headers (a token, not a signature of the body):
   * it then runs before the body is read, so an unauthenticated sender holds no memory.
   */
  readonly authenticatesHeaders?: boolean;
  /**
   * The header-only part of `authenticate` when it also needs the body (a signature):
   * e.g. a signature header that is missing. Runs before the body is read.
   */
  checkHeaders?(req: Omit<WebhookRequest, "rawBody">): Promise<void>;
  /** Throws BadRequestError on a body it cannot use. */
  parse(req: WebhookRequest): ParsedDelivery;
  /**
   * The events a subscribed delivery becomes when that is not simply itself: none, one
   * or several (Bitbucket Server's skipBranchRefsChangedOnOpenPR and oneEventPerChange).
   * May call out; a failure rejects the delivery like any other error. Absent: one event.
   */
  expand?(parsed: ParsedDelivery, req: WebhookRequest): Promise<ParsedEvent[]>;
}

export interface ReceiverConfig {
  eventSourceName: string;
  eventName: string;
  namespace: string;
  endpoint: string;
  /** The configured port (a string in the spec). */
  port: string;
  maxPayloadSize: number;
  /** The EventSource `filter`, compiled once. */
  filter?: CompiledExpression;
}

export interface ReceiverDeps {
  bus: EventBus;
  logger: Logger;
  onOutcome?: OutcomeListener;
}

export interface Receiver {
  readonly type: SourceType;
  readonly eventSourceName: string;
  readonly eventName: string;
  readonly namespace: string;
  readonly endpoint: string;
  readonly port: string;
  readonly method: string;
  readonly maxPayloadSize: number;
  /** Never rejects: every failure becomes a response and an outcome. */
  handle(req: WebhookRequest): Promise<WebhookResponse>;
  /** Answers (and reports) a request that failed before `handle`, e.g. an oversize body. */
  reject(err: unknown): WebhookResponse;
  /** Checks what can be checked before the body is read (method, header tokens): a refusal, or undefined to go on. */
  precheck(req: Omit<WebhookRequest, "rawBody">): Promise<WebhookResponse | undefined>;
}

export const DEFAULT_MAX_PAYLOAD_SIZE = 1024 * 1024;

function reasonOf(err: unknown): OutcomeReason {
  if (err instanceof MethodNotAllowedError) return "method-not-allowed";
  if (err instanceof PayloadTooLargeError) return "payload-too-large";
  if (err instanceof UnauthorizedError) return "unauthorized";
  if (err instanceof ForbiddenError) return "forbidden";
  if (err instanceof BadRequestError) return "bad-request";
  if (err instanceof SecretNotFoundError) return "secret-unavailable";
  if (err instanceof BusUnavailableError) return "bus-unavailable";
  if (err instanceof BusyError) return "busy";
  return "internal-error";
}

// What the client is told; 5xx details stay in the log (they may name secrets or internals).
function publicMessage(reason: OutcomeReason, err: unknown): string {
  switch (reason) {
    case "secret-unavailable":
      return "webhook secret unavailable";
    case "bus-unavailable":
      return "event bus unavailable, retry later";
    case "internal-error":
      return "internal error";
    default:
      return errorMessage(err);
  }
}

/** The payload as an expr-lang filter sees it in Argo Events: top-level `-` become `_`. */
export function filterEnv(data: Record<string, unknown>): Record<string, unknown> {
  const env: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(data)) env[k.replaceAll("-", "_")] = v;
  return env;
}

/**
 * A receiver: method check, authentication, parsing, `events` subscription,
 * CloudEvent, EventSource filter, then publish — and 200 only after the bus
 * accepted the event.
 */
export function createReceiver(config: ReceiverConfig, source: SourceHandler, deps: ReceiverDeps): Receiver {
  const log = deps.logger.child({
    eventSource: config.eventSourceName,
    eventName: config.eventName,
    type: source.type,
  });
  const subject = eventSubject(deps.bus.name, config.namespace, config.eventSourceName, config.eventName);

  function report(started: number, status: number, reason: OutcomeReason, message: string, eventId?: string): void {
    if (!deps.onOutcome) return;
    try {
      deps.onOutcome({
        type: source.type,
        eventSourceName: config.eventSourceName,
        eventName: config.eventName,
        namespace: config.namespace,
        status,
        reason,
        message,
        eventId,
        durationMs: performance.now() - started,
      });
    } catch (err) {
      log.error({ err: errorMessage(err) }, "outcome listener failed");
    }
  }

  function fail(started: number, err: unknown, eventId?: string): WebhookResponse {
    const reason = reasonOf(err);
    const status = err instanceof GatewayError ? err.status : 500;
    const message = publicMessage(reason, err);
    const fields = { eventId, status, reason, err: errorMessage(err) };
    if (status >= 500) log.error(fields, "request failed");
    else log.warn(fields, "request rejected");
    report(started, status, reason, message, eventId);
    const headers: Record<string, string> = {};
    if (reason === "bus-unavailable" || reason === "busy") headers["Retry-After"] = "1";
    if (reason === "method-not-allowed") headers["Allow"] = source.method;
    return { status, body: message, headers };
  }

  function ok(started: number, reason: OutcomeReason, message: string, eventId?: string): WebhookResponse {
    report(started, 200, reason, message, eventId);
    return { status: 200, body: message };
  }

  /** Runs the filter; false, a non-boolean or an error all drop the event, as in Argo Events. */
  function passesFilter(event: CloudEvent, data: Record<string, unknown>, started: number): WebhookResponse | undefined {
    if (!config.filter) return undefined;
    let result: unknown;
    try {
      result = config.filter.evaluate(filterEnv(data));
    } catch (err) {
      log.error({ eventId: event.id, err: errorMessage(err) }, "filter expression failed, event dropped");
      return ok(started, "filter-error", "filter expression failed, event dropped", event.id);
    }
    if (result === true) return undefined;
    if (result !== false) {
      log.error({ eventId: event.id, result: typeof result }, "filter expression is not boolean, event dropped");
      return ok(started, "filter-error", "filter expression is not boolean, event dropped", event.id);
    }
    log.debug({ eventId: event.id }, "filter condition not met, event dropped");
    return ok(started, "filtered", "filtered out", event.id);
  }

  async function handle(req: WebhookRequest): Promise<WebhookResponse> {
    const started = performance.now();
    let eventId: string | undefined;
    try {
      if (req.method.toUpperCase() !== source.method) {
        throw new MethodNotAllowedError(`method ${req.method} not allowed, use ${source.method}`);
      }
      if (req.rawBody.length > config.maxPayloadSize) {
        throw new PayloadTooLargeError(`body larger than ${config.maxPayloadSize} bytes`);
      }
      await source.authenticate(req);
      const parsed = source.parse(req);
      if (!parsed.subscribed) {
        log.info({ providerEvent: parsed.providerEvent }, "event not subscribed, ignored");
        return ok(started, "not-subscribed", `event ${parsed.providerEvent ?? "(none)"} not subscribed`);
      }
      const parts = source.expand ? await source.expand(parsed, req) : [parsed];
      if (parts.length === 0) {
        log.info({ providerEvent: parsed.providerEvent }, "delivery yields no event");
        return ok(started, "filtered", "no event to publish");
      }
      // One outcome per event; the answer is a publish if any, else the first drop.
      let answer: WebhookResponse | undefined;
      for (const part of parts) {
        const event = newCloudEvent({
          source: config.eventSourceName,
          subject: config.eventName,
          type: source.type,
          data: part.data,
          deliveryId: part.deliveryId,
        });
        eventId = event.id;
        const dropped = passesFilter(event, part.data, started);
        if (dropped) {
          answer ??= dropped;
          continue;
        }
        try {
          await deps.bus.publish(subject, event);
        } catch (err) {
          throw err instanceof BusUnavailableError
            ? err
            : new BusUnavailableError(`publish to ${subject} failed: ${errorMessage(err)}`, { cause: err });
        }
        log.info({ eventId, providerEvent: parsed.providerEvent }, "event published");
        answer = ok(started, "published", "success", eventId);
      }
      return answer as WebhookResponse;
    } catch (err) {
      return fail(started, err, eventId);
    }
  }

  return {
    type: source.type,
    eventSourceName: config.eventSourceName,
    eventName: config.eventName,
    namespace: config.namespace,
    endpoint: config.endpoint,
    port: config.port,
    method: source.method,
    maxPayloadSize: config.maxPayloadSize,
    handle,
    reject: (err) => fail(performance.now(), err),
    precheck: async (req) => {
      const started = performance.now();
      try {
        if (req.method.toUpperCase() !== source.method) {
          throw new MethodNotAllowedError(`method ${req.method} not allowed, use ${source.method}`);
        }
        if (source.authenticatesHeaders) await source.authenticate({ ...req, rawBody: EMPTY_BODY });
        else await source.checkHeaders?.(req);
        return undefined;
      } catch (err) {
        return fail(started, err);
      }
    },
  };
}

const EMPTY_BODY = Buffer.alloc(0);

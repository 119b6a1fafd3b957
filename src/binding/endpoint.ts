// POST /api/v1/events/{namespace}/{discriminator}: authenticate, then either
// publish the event for the dispatcher (durable) or dispatch it in the request (sync).
import { type EventBus, rememberJsonText } from "../eventbus/index.js";
import type { Logger } from "../logger.js";
import {
  BadRequestError,
  BusUnavailableError,
  ForbiddenError,
  GatewayError,
  MethodNotAllowedError,
  NotFoundError,
  UnauthorizedError,
  errorMessage,
} from "../errors.js";
import { headerValue, type GoHeader } from "../http/index.js";
import type { Authenticator, Authorizer } from "./auth.js";
import { serviceAccountIdentity } from "./auth.js";
import type { BindingCatalog } from "./catalog.js";
import type { BindingDispatcher } from "./dispatch.js";
import { bindingSubject, eventMetadata, newBindingEvent, type BindingEventData, type Identity } from "./event.js";
import { hasWebhookCredentials, matchesWebhookClient, type WebhookClientSource } from "./webhook-clients.js";

export type BindingMode = "durable" | "sync";

/** Argo's limit on webhook bodies; applied here to every request. */
export const MAX_EVENT_BODY = 2 * 1024 * 1024;
export const EVENTS_PATH_PREFIX = "/api/v1/events/";

const NAMESPACE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export interface EventRequest {
  method: string;
  path: string;
  /** Header name (lower case) -> all values, as node's headersDistinct. */
  headersDistinct: Record<string, string[] | undefined>;
  headers: GoHeader;
  rawBody: Buffer;
}

export interface EventResponse {
  status: number;
  /** JSON body: `{}` on success, `{code, message}` (gRPC-gateway style) on failure. */
  body: Record<string, unknown>;
  headers?: Record<string, string>;
}

export interface BindingEndpointDeps {
  mode: BindingMode;
  catalog: BindingCatalog;
  dispatcher: BindingDispatcher;
  /** Required in durable mode. */
  bus?: EventBus;
  authenticator: Authenticator;
  authorizer: Authorizer;
  webhookClients: WebhookClientSource;
  logger: Logger;
}

// gRPC status codes, as Argo's gateway answers them in `code`.
const GRPC_CODE: Record<number, number> = { 400: 3, 401: 16, 403: 7, 404: 5, 405: 12, 413: 8, 500: 13, 503: 14 };

export function errorResponse(status: number, message: string, headers?: Record<string, string>): EventResponse {
  return { status, body: { code: GRPC_CODE[status] ?? 2, message }, headers };
}

/** `{namespace, discriminator}` of an events path; the discriminator is one segment, possibly empty. */
export function parseEventsPath(path: string): { namespace: string; discriminator: string } | undefined {
  if (!path.startsWith(EVENTS_PATH_PREFIX)) return undefined;
  const rest = path.slice(EVENTS_PATH_PREFIX.length).split("/");
  if (rest.length !== 2) return undefined;
  try {
    return { namespace: decodeURIComponent(rest[0] as string), discriminator: decodeURIComponent(rest[1] as string) };
  } catch {
    return undefined;
  }
}

// The delivery id a provider reuses on redelivery: the event id derives from it. GitLab
// keeps Idempotency-Key across retries and resends (each gets a new X-Gitlab-Event-UUID).
const DELIVERY_HEADERS = ["X-GitHub-Delivery", "Idempotency-Key", "X-Gitlab-Event-UUID", "X-Request-UUID"];

/** The events endpoint: `handle` a whole request; `precheck` what needs no body. */
export interface EventHandler {
  (req: EventRequest): Promise<EventResponse>;
  /**
   * Path, method and, for a bearer token, authentication and authorization: a refusal
   * before the body is read, or undefined to go on (webhook signatures need the body).
   */
  precheck(req: Omit<EventRequest, "rawBody">): Promise<EventResponse | undefined>;
}

export function createEventHandler(deps: BindingEndpointDeps): EventHandler {
  const log = deps.logger.child({ component: "binding-endpoint" });
  if (deps.mode === "durable" && !deps.bus) throw new GatewayError("durable binding mode needs an event bus");

  async function identify(req: EventRequest, namespace: string): Promise<Identity> {
    const auth = headerValue(req.headers, "Authorization");
    if (auth !== undefined) {
      // As Argo: a request with Authorization is never matched against webhook clients.
      const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
      if (!m) throw new UnauthorizedError("Authorization must be \"Bearer <token>\"");
      const id = await deps.authenticator.authenticate(m[1] as string);
      if (!id) throw new UnauthorizedError("invalid bearer token");
      return id;
    }
    const list = await deps.webhookClients.clients(namespace);
    for (const bad of list.invalid) {
      log.error({ namespace, serviceAccount: bad.serviceAccount, err: bad.error }, "invalid webhook client, skipped");
    }
    const client = list.clients.find((c) => matchesWebhookClient(c, req));
    if (client) return serviceAccountIdentity(namespace, client.serviceAccount);
    if (hasWebhookCredentials(req.headers)) {
      log.warn({ namespace }, "webhook request matched no webhook client");
      // Like Argo, do not tell an attacker which part failed.
      throw new ForbiddenError("failed to process webhook request");
    }
    throw new UnauthorizedError("no bearer token and no webhook signature");
  }

  function parsePayload(raw: Buffer): unknown {
    const text = raw.toString("utf8");
    if (text.trim() === "") return null;
    try {
      // The text is kept for the bus: re-encoding a deeply nested payload would overflow the stack.
      return rememberJsonText(JSON.parse(text) as unknown, text);
    } catch (err) {
      throw new BadRequestError(`payload is not valid JSON: ${errorMessage(err)}`);
    }
  }

  function target(req: Omit<EventRequest, "rawBody">): { namespace: string; discriminator: string } {
    const where = parseEventsPath(req.path);
    if (!where) throw new NotFoundError("not found");
    if (req.method.toUpperCase() !== "POST") throw new MethodNotAllowedError("method not allowed, use POST");
    if (where.namespace.length > 63 || !NAMESPACE.test(where.namespace)) {
      throw new BadRequestError(`namespace ${JSON.stringify(where.namespace)} is not a valid namespace name`);
    }
    return where;
  }

  async function precheck(req: Omit<EventRequest, "rawBody">): Promise<void> {
    const { namespace } = target(req);
    if (headerValue(req.headers, "Authorization") === undefined) {
      // A signature can only be checked with the body; a namespace without webhook clients
      // has nothing to check it against, so the body is not worth reading.
      if (hasWebhookCredentials(req.headers) && (await deps.webhookClients.clients(namespace)).clients.length === 0) {
        throw new ForbiddenError("failed to process webhook request");
      }
      return;
    }
    await deps.authorizer.authorizeEvent(await identify({ ...req, rawBody: Buffer.alloc(0) }, namespace), namespace);
  }

  async function handle(req: EventRequest): Promise<EventResponse> {
    const { namespace, discriminator } = target(req);
    const identity = await identify(req, namespace);
    await deps.authorizer.authorizeEvent(identity, namespace);
    const data: BindingEventData = {
      namespace,
      discriminator,
      payload: parsePayload(req.rawBody),
      metadata: eventMetadata(req.headersDistinct),
      identity: { username: identity.username, groups: identity.groups },
    };
    const deliveryId = DELIVERY_HEADERS.map((h) => headerValue(req.headers, h)).find((v) => !!v);
    const event = newBindingEvent(data, deliveryId);
    if (deps.mode === "sync") {
      const result = await deps.dispatcher.dispatch(data, event.id, { final: true });
      if (result.failures.length > 0) {
        const list = result.failures.map((f) => `${f.binding}: ${f.error}`).join("; ");
        return errorResponse(500, `failed to dispatch event: [${list}]`);
      }
      return { status: 200, body: {} };
    }
    // Nothing in the namespace could match: answer as a dispatch without match would.
    if ((await deps.catalog.bindings(namespace)).length === 0) return { status: 200, body: {} };
    const bus = deps.bus as EventBus;
    try {
      // Bindings may have appeared in this namespace since start (watched CRs).
      await deps.dispatcher.ensureSubscribed(namespace);
      await bus.publish(bindingSubject(bus.name, namespace), event);
    } catch (err) {
      throw err instanceof BusUnavailableError ? err : new BusUnavailableError(`publish failed: ${errorMessage(err)}`, { cause: err });
    }
    log.info({ namespace, discriminator, eventId: event.id }, "event accepted");
    return { status: 200, body: {} };
  }

  function refusal(path: string, err: unknown): EventResponse {
    const status = err instanceof GatewayError ? err.status : 500;
    const fields = { path, status, err: errorMessage(err) };
    if (status >= 500) log.error(fields, "event request failed");
    else log.warn(fields, "event request rejected");
    if (status === 503) return errorResponse(503, "event bus unavailable, retry later", { "Retry-After": "1" });
    if (status === 405) return errorResponse(405, errorMessage(err), { Allow: "POST" });
    return errorResponse(status, status >= 500 ? "internal error" : errorMessage(err));
  }

  const handler = async (req: EventRequest): Promise<EventResponse> => {
    try {
      return await handle(req);
    } catch (err) {
      return refusal(req.path, err);
    }
  };
  return Object.assign(handler, {
    precheck: async (req: Omit<EventRequest, "rawBody">): Promise<EventResponse | undefined> => {
      try {
        await precheck(req);
        return undefined;
      } catch (err) {
        return refusal(req.path, err);
      }
    },
  });
}

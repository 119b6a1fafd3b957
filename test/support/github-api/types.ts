// Shapes shared by the double's handlers and its server.
import { HttpError, type Answer } from "../api-double.js";
import type { Operation } from "./openapi.js";
import type { DeliverOptions } from "./delivery.js";
import type { GithubStore, IssuedToken, StoredDelivery, StoredHook } from "./store.js";

/** Who made a request. */
export type Identity = { kind: "token"; token: string } | { kind: "installation"; token: IssuedToken } | { kind: "app"; appId: number };


/**
 * An error answer. `generic` marks the answers GitHub can give on any operation
 * whether or not its description lists the status (authentication, resource not
 * found, rate limits, server errors, request validation): those are checked against
 * GitHub's generic error shapes; every other answer must be documented for the operation.
 */
export class ApiError extends HttpError {
  // GitHub's error bodies are always objects.
  declare readonly body: Record<string, unknown>;

  constructor(
    status: number,
    body: Record<string, unknown>,
    headers: Record<string, string> = {},
    readonly generic = false,
  ) {
    super(status, body, headers);
    this.message = String(body.message ?? status);
  }
}

export interface HandlerContext {
  store: GithubStore;
  operation: Operation;
  /** Path parameters, parsed per their schema (hook_id a number). */
  params: Record<string, unknown>;
  query: Record<string, unknown>;
  body: Record<string, unknown> | undefined;
  who: Identity;
  now: () => number;
  /** The double's base URL (http://127.0.0.1:PORT). */
  apiUrl: string;
  tokenLifetimeMs: number;
  /** Starts a delivery in the background, as GitHub does after answering. */
  deliverLater(hook: StoredHook, opts: DeliverOptions): void;
}

export type Handler = (ctx: HandlerContext) => Answer | Promise<Answer>;

const DOCS = "https://docs.github.com/rest";

export function notFound(): ApiError {
  return new ApiError(404, { message: "Not Found", documentation_url: DOCS, status: "404" }, {}, true);
}

export function validationFailed(op: Operation, errors: Array<Record<string, unknown>>, message = "Validation Failed"): ApiError {
  return new ApiError(422, { message, errors, documentation_url: op.documentationUrl, status: "422" });
}

export const isoSeconds = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

export type { Answer, StoredDelivery, StoredHook };

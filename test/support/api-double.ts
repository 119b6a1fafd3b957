// The scaffolding the provider API test doubles (github-api, gitlab-api, bitbucket-api,
// bitbucketserver-api) share: what they record, the error a handler throws to answer,
// reading and parsing the body, the fault queue, writing the answer, and the local
// server. Only the mechanics live here; every provider-specific answer (status codes,
// error bodies, content types, headers, default fault statuses) stays in its double.
import { createServer, type IncomingMessage, type RequestListener, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** A request as a double received it, with the status it answered. */
export interface RecordedRequest {
  method: string;
  /** The path as sent (still URL-encoded), without the query. */
  path: string;
  query: Record<string, string>;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
  status: number;
}

/** A request the provider would refuse or silently misread: the client under test is wrong. */
export interface Violation {
  method: string;
  path: string;
  message: string;
}

/** What a double answers. */
export interface Answer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** Thrown anywhere in a double's handling to answer with it (an error answer, mostly). */
export class HttpError extends Error implements Answer {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(typeof body === "string" ? body : JSON.stringify(body));
  }
}

/** Runs a double's handling; an HttpError it throws becomes the answer, anything else propagates. */
export async function answering(handle: () => Answer | Promise<Answer>): Promise<Answer> {
  try {
    return await handle();
  } catch (err) {
    if (err instanceof HttpError) return err;
    throw err;
  }
}

/** Records a request (status 0 until answered) and returns it with its parsed URL. */
export function recordRequest(requests: RecordedRequest[], req: IncomingMessage, method = req.method ?? "GET"): { url: URL; record: RecordedRequest } {
  const url = new URL(req.url ?? "/", "http://x");
  const record: RecordedRequest = { method, path: url.pathname, query: Object.fromEntries(url.searchParams), headers: { ...req.headers }, body: undefined, status: 0 };
  requests.push(record);
  return { url, record };
}

export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

/** The request's media type, without parameters ("application/json; charset=utf-8" -> "application/json"); "" when absent. */
export function mediaType(req: IncomingMessage): string {
  return (req.headers["content-type"] ?? "").split(";")[0].trim();
}

/** JSON.parse, throwing what `malformed` returns (each provider refuses bad JSON its own way). */
export function parseJson(text: string, malformed: () => Error): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw malformed();
  }
}

export interface RequestLine {
  method: string;
  path: string;
}

/** The usual fault filter: the fault's own `match`, every request when it has none. */
export const matchRequest = (fault: { match?: (req: RequestLine) => boolean }, req: RequestLine): boolean => fault.match?.(req) ?? true;

/**
 * Faults armed for the next N requests (Infinity: all) that `applies` accepts, first
 * armed first used. What a fault answers is the double's business: `take` only hands it out.
 */
export class FaultQueue<F, K = RequestLine> {
  private slots: Array<{ remaining: number; fault: F }> = [];

  constructor(private readonly applies: (fault: F, key: K) => boolean) {}

  add(n: number, fault: F): void {
    this.slots.push({ remaining: n, fault });
  }

  /** The fault the request `key` meets, using it up once; undefined when none is armed for it. */
  take(key: K): F | undefined {
    const slot = this.slots.find((s) => s.remaining > 0 && this.applies(s.fault, key));
    if (!slot) return undefined;
    slot.remaining -= 1;
    return slot.fault;
  }

  clear(): void {
    this.slots = [];
  }
}

/**
 * Writes an answer: no body for 204 (or none given), a string body as text/plain,
 * anything else as JSON under the provider's `jsonType`. The answer's headers come last
 * so that they win.
 */
export function writeAnswer(res: ServerResponse, answer: Answer, jsonType: string): void {
  const headers = answer.headers ?? {};
  if (answer.status === 204 || answer.body === undefined) res.writeHead(answer.status, headers).end();
  else if (typeof answer.body === "string") res.writeHead(answer.status, { "content-type": "text/plain", ...headers }).end(answer.body);
  else res.writeHead(answer.status, { "content-type": jsonType, ...headers }).end(JSON.stringify(answer.body));
}

export interface LocalServer {
  /** http://127.0.0.1:PORT */
  readonly url: string;
  /** Drops open (keep-alive) connections, then stops listening; rejects when it was not listening. */
  close(): Promise<void>;
}

/** A node:http server on 127.0.0.1 and a free port, so that parallel tests never collide. */
export async function listenLocal(handler: RequestListener): Promise<LocalServer> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

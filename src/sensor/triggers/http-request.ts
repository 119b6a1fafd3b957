import { request as httpRequestRaw, type IncomingHttpHeaders } from "node:http";
import { request as httpsRequestRaw } from "node:https";
import { GatewayError } from "../../errors.js";

export interface TlsOptions {
  ca?: string;
  cert?: string;
  key?: string;
  /** false = do not verify the server certificate (insecureSkipVerify). */
  rejectUnauthorized?: boolean;
}

export interface HttpRequest {
  method: string;
  url: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  timeoutMs: number;
  tls?: TlsOptions;
  /** Reading more is an error (a source that is not a manifest). */
  maxResponseBytes?: number;
}

export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** The request failed before a complete response (network, timeout, TLS): a retry may help. */
export class HttpRequestError extends GatewayError {
  override readonly code = "HTTP_REQUEST_FAILED";
  override readonly status = 502;
}

/** A request that can never be sent (bad URL, scheme other than http/https): not retried. */
export class HttpRequestInvalidError extends GatewayError {
  override readonly code = "HTTP_REQUEST_INVALID";
  override readonly status = 400;
}

/**
 * One HTTP(S) request with a whole-request deadline (connect to last body byte),
 * on node:http/https so TLS options (CA, client certificate, verification) apply
 * per request without a global agent setting.
 */
export function httpRequest(req: HttpRequest): Promise<HttpResponse> {
  let url: URL;
  try {
    url = new URL(req.url);
  } catch {
    return Promise.reject(new HttpRequestInvalidError(`invalid URL ${JSON.stringify(req.url)}`));
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return Promise.reject(new HttpRequestInvalidError(`unsupported URL scheme ${url.protocol} in ${req.url}`));
  }
  const send = url.protocol === "https:" ? httpsRequestRaw : httpRequestRaw;
  const body = req.body === undefined ? undefined : Buffer.from(req.body);
  const headers: Record<string, string> = { ...(req.headers ?? {}) };
  if (body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === "content-length")) {
    headers["Content-Length"] = String(body.length);
  }
  return new Promise<HttpResponse>((resolve, reject) => {
    const r = send(url, { method: req.method, headers, ...(url.protocol === "https:" ? req.tls : {}) }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on("data", (c: Buffer) => {
        size += c.length;
        if (req.maxResponseBytes !== undefined && size > req.maxResponseBytes) {
          r.destroy(new HttpRequestError(`${req.method} ${req.url}: response larger than ${req.maxResponseBytes} bytes`));
          return;
        }
        chunks.push(c);
      });
      res.on("end", () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) });
      });
      res.on("error", (err) => fail(err));
    });
    const fail = (err: unknown): void => {
      clearTimeout(timer);
      reject(
        err instanceof HttpRequestError
          ? err
          : new HttpRequestError(`${req.method} ${req.url}: ${err instanceof Error ? err.message : String(err)}`, { cause: err }),
      );
    };
    const timer = setTimeout(
      () => r.destroy(new HttpRequestError(`${req.method} ${req.url}: timed out after ${req.timeoutMs} ms`)),
      req.timeoutMs,
    );
    r.on("error", fail);
    r.end(body);
  });
}

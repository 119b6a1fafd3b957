import type { IncomingMessage } from "node:http";
import { BadRequestError, BusyError, PayloadTooLargeError } from "../errors.js";

/**
 * Reads a request body of at most `limit` bytes. It rejects as soon as the
 * declared Content-Length or the bytes received pass the limit, so a huge body
 * is never buffered; the caller answers 413 and lets `discardRest` drain it.
 */
export function readBody(req: IncomingMessage, limit: number, reserve?: (bytes: number) => boolean): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers["content-length"]);
    if (Number.isFinite(declared) && declared > limit) {
      reject(new PayloadTooLargeError(`body of ${declared} bytes is larger than ${limit} bytes`));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = () => {
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onError);
      req.off("aborted", onAborted);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        req.pause();
        chunks.length = 0;
        reject(new PayloadTooLargeError(`body larger than ${limit} bytes`));
        return;
      }
      if (reserve && !reserve(chunk.length)) {
        cleanup();
        req.pause();
        chunks.length = 0;
        reject(new BusyError("too many request bodies in flight, retry shortly"));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(Buffer.concat(chunks, size));
    };
    const onError = (err: Error) => {
      cleanup();
      reject(new BadRequestError(`reading the body failed: ${err.message}`, { cause: err }));
    };
    const onAborted = () => onError(new Error("request aborted"));
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onError);
    req.on("aborted", onAborted);
  });
}

/**
 * Throws away what is left of a rejected body so the client, still sending,
 * can read the answer; past `maxBytes` more the connection is cut instead.
 */
export function discardRest(req: IncomingMessage, maxBytes = 256 * 1024): void {
  let seen = 0;
  req.on("data", (chunk: Buffer) => {
    seen += chunk.length;
    if (seen > maxBytes) req.socket.destroy();
  });
  req.on("error", () => undefined);
  req.resume();
}

import type { IncomingMessage } from "node:http";
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { PayloadTooLargeError } from "../errors.js";
import { readBody } from "./body.js";

/** A request whose body is `count` chunks of `size` bytes, counting how many were produced. */
function request(count: number, size: number, headers: Record<string, string> = {}) {
  let produced = 0;
  const stream = new Readable({
    read() {
      if (produced === count) return void this.push(null);
      produced++;
      this.push(Buffer.alloc(size, 0x61));
    },
  });
  return { req: Object.assign(stream, { headers }) as unknown as IncomingMessage, produced: () => produced };
}

describe("readBody", () => {
  it("returns the whole body when it fits", async () => {
    const { req } = request(4, 256);
    const body = await readBody(req, 1024);
    expect(body.length).toBe(1024);
  });

  it("stops reading a streamed body as soon as it passes the limit", async () => {
    const { req, produced } = request(1024, 1024); // 1 MiB offered
    await expect(readBody(req, 4096)).rejects.toBeInstanceOf(PayloadTooLargeError);
    await new Promise((r) => setTimeout(r, 20));
    // Only the chunks up to the limit plus the stream's read-ahead, not the megabyte.
    expect(produced()).toBeLessThan(64);
  });

  it("rejects a declared Content-Length over the limit without reading", async () => {
    const { req, produced } = request(8, 1024, { "content-length": "8192" });
    await expect(readBody(req, 4096)).rejects.toThrow(/8192 bytes/);
    expect(produced()).toBe(0);
  });
});

import { createHmac } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { goHeaders, headerValue } from "./headers.js";
import { MASKED } from "../eventsource/payload.js";
import { eventSource, send, startHarness, type Harness } from "../../test/support/receiver-harness.js";

const NAMES = ["__proto__", "constructor", "hasOwnProperty", "toString", "valueOf", "__defineGetter__"];

describe("header names are data", () => {
  it.each(NAMES)("%s is kept as a header like any other, and Object.prototype is untouched", (name) => {
    const before = Object.getOwnPropertyNames(Object.prototype);
    const h = goHeaders({ headersDistinct: { [name]: ["a"], "x-other": ["b"] } as never });
    expect(Object.hasOwn(h, name) || Object.hasOwn(h, name[0]!.toUpperCase() + name.slice(1).toLowerCase())).toBe(true);
    expect(Object.keys(h)).toHaveLength(2);
    expect(headerValue(h, name)).toBe("a");
    expect(Object.getOwnPropertyNames(Object.prototype)).toEqual(before);
    expect(Object.getPrototypeOf(h)).toBe(Object.prototype);
    expect(JSON.parse(JSON.stringify(h))).toEqual(expect.objectContaining({ "X-Other": ["b"] }));
  });

  it("a header that is not there reads as missing, even when its name is an Object member", () => {
    const h = goHeaders({ headersDistinct: {} });
    for (const name of NAMES) expect(headerValue(h, name)).toBeUndefined();
  });
});

describe("receivers under hostile headers and credentials", () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it("a request with a `__proto__` header is answered and published, not a 500", async () => {
    h = await startHarness([eventSource("es", { webhook: { ev: { endpoint: "/ev", port: "12000", method: "POST" } } })]);
    // Parsed, not a literal: in a literal `__proto__` would set the prototype, not a key.
    const headers = JSON.parse('{"__proto__": "x", "constructor": "y", "Content-Type": "application/json"}') as Record<string, string>;
    const r = await send(h.url("es/ev"), { headers, body: "{}" });
    expect(r.status).toBe(200);
    const header = (h.bus.published[0]?.event.data as { header: Record<string, string[]> }).header;
    expect(Object.hasOwn(header, "__proto__")).toBe(true);
    expect(header.Constructor).toEqual(["y"]);
  });

  it("signatures and tokens never reach the bus in clear", async () => {
    const secret = "s3cret";
    h = await startHarness(
      [eventSource("gh", { github: { push: { webhook: { endpoint: "/gh", port: "12000", method: "POST" }, webhookSecret: { name: "gh", key: "k" }, events: ["push"] } } })],
      { gh: { k: secret } },
    );
    const body = JSON.stringify({ ref: "refs/heads/main", repository: { name: "r" } });
    const sig256 = `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
    const sig1 = `sha1=${createHmac("sha1", secret).update(body).digest("hex")}`;
    const r = await send(h.url("gh/push"), {
      headers: { "Content-Type": "application/json", "X-GitHub-Event": "push", "X-GitHub-Delivery": "d-1", "X-Hub-Signature-256": sig256, "X-Hub-Signature": sig1, "X-Hook-UUID": "uuid-secret", Authorization: "Bearer t" },
      body,
    });
    expect(r.status).toBe(200);
    const text = JSON.stringify(h.bus.published[0]?.event);
    for (const secretValue of [sig256, sig1, "uuid-secret", "Bearer t", secret]) expect(text).not.toContain(secretValue);
    const headers = (h.bus.published[0]?.event.data as { headers: Record<string, string[]> }).headers;
    expect(headers["X-Hub-Signature-256"]).toEqual([MASKED]);
    expect(headers["X-Hook-Uuid"]).toEqual([MASKED]);
  });
});

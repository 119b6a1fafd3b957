import { describe, expect, it } from "vitest";
import { UsageError } from "./exit-codes.js";
import { host } from "./values.js";

describe("--host", () => {
  it.each(["127.0.0.1", "0.0.0.0", "::", "::1", "2001:db8::8", "::ffff:10.0.0.1", "fe80::1%lo", "localhost", "gateway.example.com", "gateway.example.com.", "my_service", "a-b.c9"])(
    "takes %s",
    (value) => expect(host(value)).toBe(value),
  );

  it.each([
    ["999.1.1.1", "not an IPv4 address"],
    ["256.0.0.1", "not an IPv4 address"],
    ["1.2.3", "not an IPv4 address"],
    ["1.2.3.4.5", "not an IPv4 address"],
    ["[::1]", "not an IPv6 address"],
    ["::g", "not an IPv6 address"],
    ["1:2:3:4:5:6:7:8:9", "not an IPv6 address"],
    ["", "expected an IP address or a host name"],
    ["-gateway", "expected an IP address or a host name"],
    ["gate way", "expected an IP address or a host name"],
    ["a..b", "expected an IP address or a host name"],
    [`${"a".repeat(64)}.example`, "expected an IP address or a host name"],
  ])("refuses %j: %s", (value, why) => {
    expect(() => host(value)).toThrow(UsageError);
    expect(() => host(value)).toThrow(`--host ${value}: ${why}`);
  });
});

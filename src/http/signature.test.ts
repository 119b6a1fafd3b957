import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { signHmac, tokenEquals, verifyHmac } from "./signature.js";

const body = Buffer.from("{}");
const secret = "sh!";
// Computed here, independently of the code under test.
const sha256hex = createHmac("sha256", secret).update("{}").digest("hex");
const sha1hex = createHmac("sha1", secret).update("{}").digest("hex");

describe("signHmac", () => {
  it("prefixes the hex HMAC with the algorithm", () => {
    expect(signHmac("sha256", secret, body)).toBe(`sha256=${sha256hex}`);
    expect(signHmac("sha1", secret, body)).toBe(`sha1=${sha1hex}`);
    expect(sha256hex).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe("verifyHmac", () => {
  const flip = (hex: string) => (hex[0] === "0" ? "1" : "0") + hex.slice(1);
  it.each([
    ["sha256 valid", "sha256", `sha256=${sha256hex}`, true],
    ["sha256 upper-case hex", "sha256", `sha256=${sha256hex.toUpperCase()}`, true],
    ["sha1 valid", "sha1", `sha1=${sha1hex}`, true],
    ["sha256 one nibble off", "sha256", `sha256=${flip(sha256hex)}`, false],
    ["sha1 header checked as sha256", "sha256", `sha1=${sha1hex}`, false],
    ["sha256 header checked as sha1", "sha1", `sha256=${sha256hex}`, false],
    ["missing prefix", "sha256", sha256hex, false],
    ["too short", "sha256", `sha256=${sha256hex.slice(0, 62)}`, false],
    ["too long", "sha256", `sha256=${sha256hex}00`, false],
    ["odd length", "sha256", `sha256=${sha256hex}0`, false],
    ["not hex", "sha256", `sha256=${"z".repeat(64)}`, false],
    ["empty", "sha256", "", false],
    ["absent", "sha256", undefined, false],
  ] as const)("%s", (_name, algorithm, header, expected) => {
    expect(verifyHmac(algorithm, secret, body, header)).toBe(expected);
  });

  it("fails with another secret or another body", () => {
    expect(verifyHmac("sha256", "other", body, `sha256=${sha256hex}`)).toBe(false);
    expect(verifyHmac("sha256", secret, Buffer.from("{ }"), `sha256=${sha256hex}`)).toBe(false);
  });

  it("round-trips with signHmac on binary bodies", () => {
    const raw = Buffer.from([0, 255, 10, 13, 128]);
    expect(verifyHmac("sha256", "k", raw, signHmac("sha256", "k", raw))).toBe(true);
  });
});

describe("tokenEquals", () => {
  it.each([
    ["same", "s3cret", "s3cret", true],
    ["different", "s3cret", "s3creT", false],
    ["prefix", "s3cret", "s3c", false],
    ["longer", "s3cret", "s3cret ", false],
    ["empty vs non-empty", "", "x", false],
    ["unicode", "clé", "clé", true],
  ] as const)("%s", (_n, a, b, expected) => {
    expect(tokenEquals(a, b)).toBe(expected);
  });
});

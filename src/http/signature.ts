import { createHash, createHmac, timingSafeEqual } from "node:crypto";

export type HmacAlgorithm = "sha1" | "sha256";

const HEX_LENGTH: Record<HmacAlgorithm, number> = { sha1: 40, sha256: 64 };
const HEX = /^[0-9a-fA-F]+$/;

/** `<algorithm>=<hex HMAC of body>`, the form GitHub (and Bitbucket Server) send. */
export function signHmac(algorithm: HmacAlgorithm, secret: string, rawBody: Buffer | string): string {
  return `${algorithm}=${createHmac(algorithm, secret).update(rawBody).digest("hex")}`;
}

/**
 * True when `header` is `<algorithm>=<hex>` and the hex is the HMAC of `rawBody`.
 * Anything malformed (no header, other prefix, wrong length, not hex) is false;
 * the digest compare itself is timing-safe.
 */
export function verifyHmac(
  algorithm: HmacAlgorithm,
  secret: string,
  rawBody: Buffer,
  header: string | undefined,
): boolean {
  if (header === undefined) return false;
  const prefix = `${algorithm}=`;
  if (!header.startsWith(prefix)) return false;
  const hex = header.slice(prefix.length);
  if (hex.length !== HEX_LENGTH[algorithm] || !HEX.test(hex)) return false;
  const expected = createHmac(algorithm, secret).update(rawBody).digest();
  const given = Buffer.from(hex, "hex");
  // Lengths are equal here (checked above); timingSafeEqual would throw otherwise.
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * Timing-safe string equality. Both sides are hashed first so that neither the
 * content nor the length of the secret leaks through the compare time.
 */
export function tokenEquals(a: string, b: string): boolean {
  const ha = createHash("sha256").update(a, "utf8").digest();
  const hb = createHash("sha256").update(b, "utf8").digest();
  return timingSafeEqual(ha, hb);
}

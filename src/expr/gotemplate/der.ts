// The little ASN.1 DER and PEM that sprig's certificate functions need: encoding an X.509
// TBSCertificate and a DSA key, reading a certificate's subject, key and extensions, and
// encoding/pem's Decode (first valid block) and Encode (64-column lines).

import { goBase64Decode } from "./sprig-strings.js";

function lengthBytes(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

export function tlv(tag: number, content: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), lengthBytes(content.length), content]);
}

export const seq = (...items: Buffer[]): Buffer => tlv(0x30, Buffer.concat(items));
export const set = (...items: Buffer[]): Buffer => tlv(0x31, Buffer.concat(items));
export const octets = (b: Buffer): Buffer => tlv(0x04, b);
export const explicit = (n: number, content: Buffer): Buffer => tlv(0xa0 | n, content);
export const bool = (b: boolean): Buffer => tlv(0x01, Buffer.from([b ? 0xff : 0]));
export const NULL = Buffer.from([0x05, 0x00]);

/** INTEGER, two's complement, minimal. */
export function integer(n: bigint): Buffer {
  let hex = (n < 0n ? -n : n).toString(16);
  if (hex.length % 2) hex = "0" + hex;
  let bytes = Buffer.from(hex, "hex");
  if (n < 0n) {
    // two's complement of the magnitude
    const width = bytes.length + (bytes[0] > 0x80 || (bytes[0] === 0x80 && bytes.subarray(1).some((b) => b !== 0)) ? 1 : 0);
    bytes = Buffer.from(((1n << BigInt(width * 8)) + n).toString(16).padStart(width * 2, "0"), "hex");
  } else if (bytes[0] & 0x80) {
    bytes = Buffer.concat([Buffer.from([0]), bytes]);
  }
  return tlv(0x02, bytes);
}

export function oid(dotted: string): Buffer {
  const [a, b, ...rest] = dotted.split(".").map(Number);
  const out = [40 * a + b];
  for (const arc of rest) {
    const groups: number[] = [];
    for (let v = arc; ; v = Math.floor(v / 128)) {
      groups.unshift(v % 128);
      if (v < 128) break;
    }
    out.push(...groups.map((g, i) => (i < groups.length - 1 ? g | 0x80 : g)));
  }
  return tlv(0x06, Buffer.from(out));
}

export function bitString(bytes: Buffer, unused = 0): Buffer {
  return tlv(0x03, Buffer.concat([Buffer.from([unused]), bytes]));
}

/** encoding/asn1's choice for a Go string: PrintableString when it can be one, else UTF8String. */
export function goString(s: string): Buffer {
  const printable = /^[A-Za-z0-9 '()+,\-./:=?]*$/.test(s);
  return tlv(printable ? 0x13 : 0x0c, Buffer.from(s, "utf8"));
}

/** UTCTime for 1950..2049, else GeneralizedTime, in whole seconds UTC. */
export function time(d: Date): Buffer {
  const y = d.getUTCFullYear();
  if (!Number.isFinite(y) || y < 0 || y > 9999) throw new Error("asn1: cannot represent time as GeneralizedTime");
  const two = (n: number): string => String(n).padStart(2, "0");
  const rest = two(d.getUTCMonth() + 1) + two(d.getUTCDate()) + two(d.getUTCHours()) + two(d.getUTCMinutes()) + two(d.getUTCSeconds()) + "Z";
  if (y >= 1950 && y < 2050) return tlv(0x17, Buffer.from(two(y % 100) + rest, "latin1"));
  return tlv(0x18, Buffer.from(String(y).padStart(4, "0") + rest, "latin1"));
}

// --- reading ---

export interface Node {
  tag: number;
  /** The whole element, header included. */
  raw: Buffer;
  content: Buffer;
}

export class DerError extends Error {}

export function read(buf: Buffer, at = 0): Node {
  if (at + 2 > buf.length) throw new DerError("asn1: syntax error: data truncated");
  const tag = buf[at];
  let len = buf[at + 1];
  let header = 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4 || at + 2 + n > buf.length) throw new DerError("asn1: syntax error: invalid length");
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[at + 2 + i];
    header += n;
  }
  if (at + header + len > buf.length) throw new DerError("asn1: syntax error: data truncated");
  return { tag, raw: buf.subarray(at, at + header + len), content: buf.subarray(at + header, at + header + len) };
}

export function children(node: Node): Node[] {
  const out: Node[] = [];
  for (let at = 0; at < node.content.length; ) {
    const child = read(node.content, at);
    out.push(child);
    at += child.raw.length;
  }
  return out;
}

export function intValue(node: Node): bigint {
  if (node.tag !== 0x02 || node.content.length === 0) throw new DerError("asn1: structure error: not an integer");
  const n = BigInt("0x" + node.content.toString("hex"));
  return node.content[0] & 0x80 ? n - (1n << BigInt(node.content.length * 8)) : n;
}

export function oidString(node: Node): string {
  const b = node.content;
  const arcs: number[] = [];
  let v = 0;
  for (const byte of b) {
    v = v * 128 + (byte & 0x7f);
    if (!(byte & 0x80)) {
      arcs.push(v);
      v = 0;
    }
  }
  const first = arcs.shift() ?? 0;
  return [first < 80 ? Math.floor(first / 40) : 2, first < 80 ? first % 40 : first - 80, ...arcs].join(".");
}

// --- PEM ---

export interface PemBlock {
  type: string;
  bytes: Buffer;
}

/** One line without its "\n" (and "\r"), trailing spaces and tabs trimmed, and where the next starts. */
function getLine(data: string, at: number): { line: string; next: number } {
  const nl = data.indexOf("\n", at);
  const end = nl < 0 ? data.length : nl > at && data[nl - 1] === "\r" ? nl - 1 : nl;
  // A loop, not /[ \t]+$/: that regex is quadratic on a long run of spaces.
  let stop = end;
  while (stop > at && (data[stop - 1] === " " || data[stop - 1] === "\t")) stop--;
  return { line: data.slice(at, stop), next: nl < 0 ? data.length : nl + 1 };
}

/** pem.Decode: the first well-formed block, or null. Linear: every "-----END " is located once. */
export function pemDecode(text: string): PemBlock | null {
  const data = Buffer.from(text, "utf8").toString("latin1");
  const ends: number[] = [];
  for (let i = data.indexOf("\n-----END "); i >= 0; i = data.indexOf("\n-----END ", i + 1)) ends.push(i);
  let endCursor = 0;
  let rest = 0;
  for (;;) {
    if (data.startsWith("-----BEGIN ", rest)) rest += 11;
    else {
      const i = data.indexOf("\n-----BEGIN ", rest);
      if (i < 0) return null;
      rest = i + 12;
    }
    const typeLine = getLine(data, rest);
    rest = typeLine.next;
    if (!typeLine.line.endsWith("-----")) continue;
    const type = typeLine.line.slice(0, -5);
    let headers = 0;
    for (;;) {
      if (rest >= data.length) return null;
      const { line, next } = getLine(data, rest);
      if (!line.includes(":")) break;
      headers++;
      rest = next;
    }
    let endIndex: number;
    let trailer: number;
    if (headers === 0 && data.startsWith("-----END ", rest)) {
      endIndex = rest;
      trailer = rest + 9;
    } else {
      while (endCursor < ends.length && ends[endCursor] < rest) endCursor++;
      if (endCursor >= ends.length) continue;
      endIndex = ends[endCursor];
      trailer = endIndex + 10;
    }
    const want = type + "-----";
    if (data.slice(trailer, trailer + want.length) !== want) continue;
    if (getLine(data, trailer + want.length).line !== "") continue;
    try {
      const bytes = goBase64Decode(data.slice(rest, endIndex).replace(/[ \t]/g, ""));
      return { type: Buffer.from(type, "latin1").toString("utf8"), bytes };
    } catch {
      continue;
    }
  }
}

export function pemEncode(type: string, der: Buffer): string {
  const b64 = der.toString("base64");
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${type}-----\n${lines.map((l) => l + "\n").join("")}-----END ${type}-----\n`;
}

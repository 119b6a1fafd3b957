// sprig's key and certificate functions: genPrivateKey, buildCustomCert, genCA(WithKey),
// genSelfSignedCert(WithKey), genSignedCert(WithKey). Certificates are built as Go's
// x509.CreateCertificate builds them from sprig's template — v3, a random 128-bit serial,
// CN-only subject, digitalSignature|keyEncipherment (+certSign for a CA) key usage,
// serverAuth+clientAuth, basic constraints, a SubjectKeyId for CAs (truncated SHA-256, as
// Go 1.25+), the issuer's key id, DNS and IP SANs — and signed with node:crypto.

import { createHash, randomBytes, sign, X509Certificate, type KeyObject } from "node:crypto";
import { costly, fn, FuncError, type FuncTable } from "./funcs.js";
import * as der from "./der.js";
import { formatV } from "./format.js";
import { generatePrivateKeyPem, generateRsa2048, KeyError, keyToPem, parsePrivateKeyPem, publicKeyDer, type PrivateKey } from "./keys.js";
import { GoObject, objectKind } from "./object.js";
import { goQuote } from "./quote.js";
import { goBase64Decode } from "./sprig-strings.js";
import { newMap, putKey } from "./values.js";

/** sprig's certificate struct: {Cert, Key string}. */
export class Certificate extends GoObject {
  readonly goType = "sprig.certificate";
  readonly goKind = "struct";
  constructor(
    readonly cert: string,
    readonly key: string,
  ) {
    super();
  }
  override field(name: string): { value: unknown } | undefined {
    if (name === "Cert") return { value: this.cert };
    if (name === "Key") return { value: this.key };
    return undefined;
  }
  format(): string {
    return `{${this.cert} ${this.key}}`;
  }
  jsonValue(): unknown {
    const m = newMap();
    putKey(m, "Cert", this.cert);
    putKey(m, "Key", this.key);
    return m;
  }
  identity(): string {
    return JSON.stringify([this.cert, this.key]);
  }
}

const CERTIFICATE = objectKind("sprig.certificate");

/** net.ParseIP, as the bytes a SAN carries: 4 for IPv4 (and v4-in-v6), else 16. */
export function parseIP(s: string): Buffer | null {
  const v4 = (t: string): number[] | null => {
    const parts = t.split(".");
    if (parts.length !== 4 || !parts.every((p) => /^(0|[1-9][0-9]{0,2})$/.test(p) && Number(p) <= 255)) return null;
    return parts.map(Number);
  };
  const four = v4(s);
  if (four) return Buffer.from(four);
  if (!/^[0-9A-Fa-f:.]+$/.test(s)) return null;
  const halves = s.split("::");
  if (halves.length > 2) return null;
  const groups = (t: string): number[] | null => {
    if (t === "") return [];
    const out: number[] = [];
    const parts = t.split(":");
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i];
      if (i === parts.length - 1 && p.includes(".")) {
        const tail = v4(p);
        if (!tail) return null;
        out.push((tail[0] << 8) | tail[1], (tail[2] << 8) | tail[3]);
      } else if (/^[0-9A-Fa-f]{1,4}$/.test(p)) {
        out.push(parseInt(p, 16));
      } else {
        return null;
      }
    }
    return out;
  };
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  if (!head || !tail) return null;
  const missing = 8 - head.length - tail.length;
  if ((halves.length === 2 && missing < 1) || (halves.length === 1 && missing !== 0)) return null;
  const words = [...head, ...Array<number>(missing).fill(0), ...tail];
  const bytes = Buffer.alloc(16);
  words.forEach((w, i) => bytes.writeUInt16BE(w, 2 * i));
  const mapped = bytes.subarray(0, 12).equals(Buffer.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff]));
  return mapped ? bytes.subarray(12) : bytes;
}

interface Template {
  cn: string;
  ips: Buffer[];
  dns: string[];
  days: number;
  isCA: boolean;
}

function baseTemplate(cn: string, ips: unknown[] | null, dns: unknown[] | null, days: number): Template {
  const ipBytes = (ips ?? []).map((ip) => {
    if (typeof ip !== "string") throw new FuncError(`error parsing ip: ${formatV(ip)} is not a string`);
    const b = parseIP(ip);
    if (!b) throw new FuncError(`error parsing ip: ${ip}`);
    return b;
  });
  const names = (dns ?? []).map((d) => {
    if (typeof d !== "string") throw new FuncError(`error processing alternate dns name: ${formatV(d)} is not a string`);
    return d;
  });
  return { cn, ips: ipBytes, dns: names, days, isCA: false };
}

const OID = {
  cn: "2.5.4.3", keyUsage: "2.5.29.15", extKeyUsage: "2.5.29.37", basic: "2.5.29.19", skid: "2.5.29.14", akid: "2.5.29.35",
  san: "2.5.29.17", serverAuth: "1.3.6.1.5.5.7.3.1", clientAuth: "1.3.6.1.5.5.7.3.2",
};

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return der.seq(der.oid(id), ...(critical ? [der.bool(true)] : []), der.octets(value));
}

/** The signature algorithm Go picks for a signing key, and node's digest name for it. */
function signingParams(k: PrivateKey): { alg: Buffer; digest: string | null; key: KeyObject } {
  if (k.kind === "dsa" || k.key.asymmetricKeyType === "x25519") {
    throw new FuncError("error creating certificate: x509: certificate private key does not implement crypto.Signer");
  }
  const { key } = k;
  const type = key.asymmetricKeyType;
  if (type === "rsa") return { alg: der.seq(der.oid("1.2.840.113549.1.1.11"), der.NULL), digest: "sha256", key };
  if (type === "ed25519") return { alg: der.seq(der.oid("1.3.101.112")), digest: null, key };
  const curve = k.key.asymmetricKeyDetails?.namedCurve;
  const [oid, digest] = curve === "secp384r1" ? ["1.2.840.10045.4.3.3", "sha384"] : curve === "secp521r1" ? ["1.2.840.10045.4.3.4", "sha512"] : ["1.2.840.10045.4.3.2", "sha256"];
  return { alg: der.seq(der.oid(oid)), digest, key };
}

interface Parent {
  subject: Buffer;
  spki: Buffer | null;
  subjectKeyId: Buffer | null;
}

function nameFor(cn: string): Buffer {
  return cn === "" ? der.seq() : der.seq(der.set(der.seq(der.oid(OID.cn), der.goString(cn))));
}

/** x509.CreateCertificate + PEM encoding of the certificate and the signee's key. */
function certAndKey(t: Template, signee: PrivateKey, parent: Parent | null, signer: PrivateKey): Certificate {
  const { alg, digest, key } = signingParams(signer);
  const spki = publicKeyDer(signee);
  if (!spki) throw new FuncError("error creating certificate: x509: unsupported public key type: *dsa.PublicKey");
  const subject = nameFor(t.cn);
  const issuer = parent ? parent.subject : subject;
  const keyBits = der.children(der.read(spki))[1].content.subarray(1); // the subjectPublicKey BIT STRING
  const skid = t.isCA ? createHash("sha256").update(keyBits).digest().subarray(0, 20) : null;
  const akid = parent && !issuer.equals(subject) ? parent.subjectKeyId : null;
  const signerSpki = publicKeyDer(signer);
  if (parent?.spki && signerSpki && !parent.spki.equals(signerSpki)) {
    throw new FuncError("error creating certificate: x509: provided PrivateKey doesn't match parent's PublicKey");
  }
  const usage = t.isCA ? [0x02, 0xa4] : [0x05, 0xa0]; // BIT STRING of digitalSignature|keyEncipherment(|certSign)
  const exts = [
    extension(OID.keyUsage, true, der.tlv(0x03, Buffer.from(usage))),
    extension(OID.extKeyUsage, false, der.seq(der.oid(OID.serverAuth), der.oid(OID.clientAuth))),
    extension(OID.basic, true, t.isCA ? der.seq(der.bool(true)) : der.seq()),
  ];
  if (skid) exts.push(extension(OID.skid, false, der.octets(skid)));
  if (akid) exts.push(extension(OID.akid, false, der.seq(der.tlv(0x80, akid))));
  if (t.dns.length > 0 || t.ips.length > 0) {
    const names = t.dns.map((d) => {
      if (/[^\x00-\x7f]/.test(d)) throw new FuncError(`error creating certificate: x509: ${goQuote(d)} cannot be encoded as an IA5String`);
      return der.tlv(0x82, Buffer.from(d, "latin1"));
    });
    exts.push(extension(OID.san, subject.equals(der.seq()), der.seq(...names, ...t.ips.map((ip) => der.tlv(0x87, ip)))));
  }
  const now = Date.now();
  // time.Duration(days) * 24h wraps around int64 nanoseconds as Go's arithmetic does.
  const lifetimeMs = Number(BigInt.asIntN(64, BigInt(t.days) * 86_400_000_000_000n) / 1_000_000n);
  let validity: Buffer;
  try {
    validity = der.seq(der.time(new Date(now)), der.time(new Date(now + lifetimeMs)));
  } catch (err) {
    throw new FuncError(`error creating certificate: ${(err as Error).message}`);
  }
  const serial = BigInt("0x" + randomBytes(16).toString("hex"));
  const tbs = der.seq(der.explicit(0, der.integer(2n)), der.integer(serial), alg, issuer, validity, subject, spki, der.explicit(3, der.seq(...exts)));
  const signature = sign(digest, tbs, key);
  const cert = der.seq(tbs, alg, der.bitString(signature));
  return new Certificate(der.pemEncode("CERTIFICATE", cert), keyToPem(signee));
}

/** The subject, public key and SubjectKeyId of a PEM certificate (the CA of genSignedCert). */
function parentOf(pem: string, what: string): Parent {
  const block = der.pemDecode(pem);
  if (!block) throw new FuncError("unable to decode certificate");
  try {
    new X509Certificate(block.bytes);
    const tbs = der.children(der.children(der.read(block.bytes))[0]);
    const fields = tbs[0].tag === 0xa0 ? tbs.slice(1) : tbs; // serial, sigAlg, issuer, validity, subject, spki, ...
    let subjectKeyId: Buffer | null = null;
    const extensions = tbs.find((n) => n.tag === 0xa3);
    for (const ext of extensions ? der.children(der.children(extensions)[0]) : []) {
      const parts = der.children(ext);
      if (der.oidString(parts[0]) === OID.skid) subjectKeyId = der.read(parts[parts.length - 1].content).content;
    }
    return { subject: fields[4].raw, spki: fields[5].raw, subjectKeyId };
  } catch (err) {
    throw new FuncError(`error parsing certificate: ${what}: ${(err as Error).message}`);
  }
}

function parseKey(pem: string, prefix: string): PrivateKey {
  try {
    return parsePrivateKeyPem(pem);
  } catch (err) {
    if (err instanceof KeyError) throw new FuncError(`${prefix}: ${err.message}`);
    throw err;
  }
}

function buildCustomCert(b64cert: string, b64key: string): Certificate {
  let cert: Buffer;
  let key: Buffer;
  try {
    cert = goBase64Decode(b64cert);
  } catch {
    throw new FuncError("unable to decode base64 certificate");
  }
  try {
    key = goBase64Decode(b64key);
  } catch {
    throw new FuncError("unable to decode base64 private key");
  }
  parentOf(cert.toString("utf8"), "decodedCert.Bytes");
  parseKey(key.toString("utf8"), "error parsing private key");
  return new Certificate(cert.toString("utf8"), key.toString("utf8"));
}

function ca(cn: string, days: number, key: PrivateKey): Certificate {
  return certAndKey({ ...baseTemplate(cn, null, null, days), isCA: true }, key, null, key);
}

function selfSigned(cn: string, ips: unknown[] | null, dns: unknown[] | null, days: number, key: PrivateKey): Certificate {
  return certAndKey(baseTemplate(cn, ips, dns, days), key, null, key);
}

function signed(cn: string, ips: unknown[] | null, dns: unknown[] | null, days: number, caCert: Certificate, key: PrivateKey): Certificate {
  const parent = parentOf(caCert.cert, "decodedSignerCert.Bytes");
  const signer = parseKey(caCert.key, "error parsing private key");
  return certAndKey(baseTemplate(cn, ips, dns, days), key, parent, signer);
}

/** Budget steps per call: an RSA-2048 key takes about 0.1 s to generate, RSA-4096 and DSA-2048 up to seconds. */
const KEYGEN = 100_000;
const SLOW_KEYGEN = 300_000;
const keygenCost = (args: unknown[]): number => (["", "rsa", "dsa"].includes(args[0] as string) ? SLOW_KEYGEN : 0);

export const sprigCerts: FuncTable = {
  genPrivateKey: costly(fn(["string"], generatePrivateKeyPem), keygenCost),
  buildCustomCert: fn(["string", "string"], buildCustomCert),
  genCA: costly(fn(["string", "int"], (cn, days) => ca(cn, days, generateRsa2048())), KEYGEN),
  genCAWithKey: fn(["string", "int", "string"], (cn, days, pem) => ca(cn, days, parseKey(pem, "parsing private key"))),
  genSelfSignedCert: costly(
    fn(["string", "list", "list", "int"], (cn, ips, dns, days) => selfSigned(cn, ips, dns, days, generateRsa2048())),
    KEYGEN,
  ),
  genSelfSignedCertWithKey: fn(["string", "list", "list", "int", "string"], (cn, ips, dns, days, pem) =>
    selfSigned(cn, ips, dns, days, parseKey(pem, "parsing private key")),
  ),
  genSignedCert: costly(
    fn(["string", "list", "list", "int", CERTIFICATE], (cn, ips, dns, days, c) => signed(cn, ips, dns, days, c as Certificate, generateRsa2048())),
    KEYGEN,
  ),
  genSignedCertWithKey: fn(["string", "list", "list", "int", CERTIFICATE, "string"], (cn, ips, dns, days, c, pem) =>
    signed(cn, ips, dns, days, c as Certificate, parseKey(pem, "parsing private key")),
  ),
};

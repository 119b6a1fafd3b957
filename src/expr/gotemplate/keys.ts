// Private keys as sprig's crypto.go handles them: genPrivateKey's generation and PEM
// forms (PKCS#1 "RSA PRIVATE KEY", SEC 1 "EC PRIVATE KEY", OpenSSL's "DSA PRIVATE KEY",
// PKCS#8 "PRIVATE KEY" for the rest), and parsePrivateKeyPEM's reading of them. Keys live
// in node:crypto KeyObjects, except DSA, which Go can hold but cannot sign certificates with.

import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from "node:crypto";
import { children, DerError, integer, intValue, pemDecode, pemEncode, read, seq } from "./der.js";

export interface DsaKey {
  kind: "dsa";
  p: bigint;
  q: bigint;
  g: bigint;
  y: bigint;
  x: bigint;
}

export interface NodeKey {
  kind: "node";
  key: KeyObject;
}

export type PrivateKey = DsaKey | NodeKey;

export class KeyError extends Error {}

/** The curves crypto/x509 knows, by OpenSSL name. */
const GO_CURVES = new Set(["prime256v1", "secp384r1", "secp521r1", "secp224r1"]);

function dsaDer(k: DsaKey): Buffer {
  return seq(integer(0n), integer(k.p), integer(k.q), integer(k.g), integer(k.y), integer(k.x));
}

/** pemBlockForKey: the PEM sprig writes for a key. */
export function keyToPem(k: PrivateKey): string {
  if (k.kind === "dsa") return pemEncode("DSA PRIVATE KEY", dsaDer(k));
  const type = k.key.asymmetricKeyType;
  if (type === "rsa") return k.key.export({ type: "pkcs1", format: "pem" }).toString();
  if (type === "ec") return k.key.export({ type: "sec1", format: "pem" }).toString();
  return k.key.export({ type: "pkcs8", format: "pem" }).toString();
}

function dsaFromNode(priv: KeyObject, pub: KeyObject): DsaKey {
  // PKCS#8: SEQUENCE { version, SEQUENCE { oid, SEQUENCE { p, q, g } }, OCTET STRING { INTEGER x } }
  const info = children(read(priv.export({ type: "pkcs8", format: "der" })));
  const [p, q, g] = children(children(info[1])[1]).map(intValue);
  const x = intValue(read(info[2].content));
  // SubjectPublicKeyInfo: SEQUENCE { algorithm, BIT STRING { INTEGER y } }
  const spki = children(read(pub.export({ type: "spki", format: "der" })));
  const y = intValue(read(spki[1].content.subarray(1)));
  return { kind: "dsa", p, q, g, y, x };
}

/** generatePrivateKey: the PEM of a new key, or sprig's message for an unknown type. */
export function generatePrivateKeyPem(type: string): string {
  switch (type) {
    case "":
    case "rsa":
      return keyToPem({ kind: "node", key: generateKeyPairSync("rsa", { modulusLength: 4096 }).privateKey });
    case "dsa": {
      const pair = generateKeyPairSync("dsa", { modulusLength: 2048, divisorLength: 256 });
      return keyToPem(dsaFromNode(pair.privateKey, pair.publicKey));
    }
    case "ecdsa":
      return keyToPem({ kind: "node", key: generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey });
    case "ed25519":
      return keyToPem({ kind: "node", key: generateKeyPairSync("ed25519").privateKey });
    default:
      return "Unknown type " + type;
  }
}

export function generateRsa2048(): PrivateKey {
  return { kind: "node", key: generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey };
}

function nodeKey(der: Buffer, type: "pkcs1" | "sec1" | "pkcs8", what: string): NodeKey {
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: der, format: "der", type });
  } catch (err) {
    throw new KeyError(`${what}: ${(err as Error).message}`);
  }
  const kind = key.asymmetricKeyType;
  if (kind === "ec" && !GO_CURVES.has(key.asymmetricKeyDetails?.namedCurve ?? "")) {
    throw new KeyError(`${what}: x509: unknown elliptic curve`);
  }
  if (type === "pkcs8" && !["rsa", "ec", "ed25519", "x25519"].includes(kind ?? "")) {
    throw new KeyError(`${what}: x509: PKCS#8 wrapping contained private key with unknown algorithm`);
  }
  return { kind: "node", key };
}

/** parsePrivateKeyPEM: the first PEM block as a private key, with sprig's error texts. */
export function parsePrivateKeyPem(text: string): PrivateKey {
  const block = pemDecode(text);
  if (!block) throw new KeyError("no PEM data in input");
  if (block.type === "PRIVATE KEY") return nodeKey(block.bytes, "pkcs8", "decoding PEM as PKCS#8");
  if (!block.type.endsWith(" PRIVATE KEY")) throw new KeyError(`no private key data in PEM block of type ${block.type}`);
  switch (block.type.slice(0, -" PRIVATE KEY".length)) {
    case "RSA":
      return nodeKey(block.bytes, "pkcs1", "parsing RSA private key from PEM");
    case "EC":
      return nodeKey(block.bytes, "sec1", "parsing EC private key from PEM");
    case "DSA":
      try {
        const [, p, q, g, y, x] = children(read(block.bytes)).map(intValue);
        if (x === undefined) throw new DerError("asn1: syntax error: sequence truncated");
        return { kind: "dsa", p, q, g, y, x };
      } catch (err) {
        throw new KeyError(`parsing DSA private key from PEM: ${(err as Error).message}`);
      }
    default:
      throw new KeyError(`invalid private key type ${block.type}`);
  }
}

/** The SubjectPublicKeyInfo DER of a key's public half; null for DSA, which crypto/x509 cannot marshal. */
export function publicKeyDer(k: PrivateKey): Buffer | null {
  if (k.kind === "dsa") return null;
  return createPublicKey(k.key).export({ type: "spki", format: "der" });
}

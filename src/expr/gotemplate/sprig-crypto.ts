// sprig's password and cipher functions (crypto.go): bcrypt, htpasswd, derivePassword,
// encryptAES, decryptAES, randBytes. Hashes and ciphers come from node:crypto, bcrypt from
// ./bcrypt.ts. Several of these only return an error text, as sprig does.

import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes, scryptSync } from "node:crypto";
import { bcryptHash, BcryptError } from "./bcrypt.js";
import { TEMPLATE_MAX_OUTPUT } from "./exec.js";
import { costly, fn, FuncError, type FuncTable } from "./funcs.js";
import { goBase64Decode } from "./sprig-strings.js";

function bcrypt(input: string): string {
  try {
    return bcryptHash(Buffer.from(input, "utf8"));
  } catch (err) {
    if (err instanceof BcryptError) return `failed to encrypt string with bcrypt: ${err.message}`;
    throw err;
  }
}

function htpasswd(user: string, password: string, algorithm: string): string {
  if (user.includes(":")) return `invalid username: ${user}`;
  if (algorithm === "sha") return `${user}:{SHA}${createHash("sha1").update(password, "utf8").digest("base64")}`;
  return `${user}:${bcrypt(password)}`;
}

// Master Password's templates (https://spectre.app/spectre-algorithm.pdf), as sprig has them.
const TEMPLATES: Record<string, string[]> = {
  maximum: ["anoxxxxxxxxxxxxxxxxx", "axxxxxxxxxxxxxxxxxno"],
  long: [
    "CvcvnoCvcvCvcv", "CvcvCvcvnoCvcv", "CvcvCvcvCvcvno", "CvccnoCvcvCvcv", "CvccCvcvnoCvcv", "CvccCvcvCvcvno", "CvcvnoCvccCvcv",
    "CvcvCvccnoCvcv", "CvcvCvccCvcvno", "CvcvnoCvcvCvcc", "CvcvCvcvnoCvcc", "CvcvCvcvCvccno", "CvccnoCvccCvcv", "CvccCvccnoCvcv",
    "CvccCvccCvcvno", "CvcvnoCvccCvcc", "CvcvCvccnoCvcc", "CvcvCvccCvccno", "CvccnoCvcvCvcc", "CvccCvcvnoCvcc", "CvccCvcvCvccno",
  ],
  medium: ["CvcnoCvc", "CvcCvcno"],
  short: ["Cvcn"],
  basic: ["aaanaaan", "aannaaan", "aaannaaa"],
  pin: ["nnnn"],
};

const CHARACTERS: Record<string, string> = {
  V: "AEIOU",
  C: "BCDFGHJKLMNPQRSTVWXYZ",
  v: "aeiou",
  c: "bcdfghjklmnpqrstvwxyz",
  A: "AEIOUBCDFGHJKLMNPQRSTVWXYZ",
  a: "AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz",
  n: "0123456789",
  o: "@&%?,=[]_:-+*$#!'^~;()/.",
  x: "AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz0123456789!@#$%^&*()",
};

const SEED = Buffer.from("com.lyndir.masterpassword", "latin1");

function withLength(s: string): Buffer {
  const b = Buffer.from(s, "utf8");
  const len = Buffer.alloc(4);
  len.writeUInt32BE(b.length);
  return Buffer.concat([len, b]);
}

/** The Master Password algorithm: scrypt of the password salted with the user, HMAC over the site. */
function derivePassword(counter: number, type: string, password: string, user: string, site: string): string {
  const templates = Object.prototype.hasOwnProperty.call(TEMPLATES, type) ? TEMPLATES[type] : undefined;
  if (!templates) return `cannot find password template ${type}`;
  const key = scryptSync(Buffer.from(password, "utf8"), Buffer.concat([SEED, withLength(user)]), 64, {
    N: 32768, r: 8, p: 2, maxmem: 64 * 1024 * 1024,
  });
  const count = Buffer.alloc(4);
  count.writeUInt32BE(counter >>> 0);
  const seed = createHmac("sha256", key).update(Buffer.concat([SEED, withLength(site), count])).digest();
  const template = templates[seed[0] % templates.length];
  return [...template].map((t, i) => CHARACTERS[t][seed[i + 1] % CHARACTERS[t].length]).join("");
}

/** A 32-byte AES key: the password's bytes, zero-padded or cut. */
function aesKey(password: string): Buffer {
  const key = Buffer.alloc(32);
  Buffer.from(password, "utf8").copy(key, 0, 0, 32);
  return key;
}

/** AES-256-CBC with PKCS#7 padding, the random IV first, base64. */
function encryptAES(password: string, plaintext: string): string {
  if (plaintext === "") return "";
  if (plaintext.length > TEMPLATE_MAX_OUTPUT) throw new FuncError(`template exceeded its budget: encryptAES of more than ${TEMPLATE_MAX_OUTPUT} bytes`);
  const iv = randomBytes(16);
  const cipher = createCipheriv("aes-256-cbc", aesKey(password), iv);
  return Buffer.concat([iv, cipher.update(plaintext, "utf8"), cipher.final()]).toString("base64");
}

/** The reverse, failing as Go's slicing does on short or ill-padded input (sprig checks nothing). */
function decryptAES(password: string, crypt64: string): string {
  if (crypt64 === "") return "";
  const crypt = goBase64Decode(crypt64);
  if (crypt.length < 16) throw new FuncError(`runtime error: slice bounds out of range [:16] with capacity ${crypt.length}`);
  const body = crypt.subarray(16);
  if (body.length % 16 !== 0) throw new FuncError("crypto/cipher: input not full blocks");
  if (body.length === 0) throw new FuncError("runtime error: index out of range [-1]");
  const decipher = createDecipheriv("aes-256-cbc", aesKey(password), crypt.subarray(0, 16)).setAutoPadding(false);
  const plain = Buffer.concat([decipher.update(body), decipher.final()]);
  const end = plain.length - plain[plain.length - 1];
  if (end < 0) throw new FuncError(`runtime error: slice bounds out of range [:${end}]`);
  return plain.subarray(0, end).toString("utf8");
}

function randBytes(count: number): string {
  if (count < 0) throw new FuncError("runtime error: makeslice: len out of range");
  if (Math.ceil(count / 3) * 4 > TEMPLATE_MAX_OUTPUT) {
    throw new FuncError(`template exceeded its budget: randBytes of more than ${TEMPLATE_MAX_OUTPUT} bytes`);
  }
  return randomBytes(count).toString("base64");
}

/** bcrypt at cost 10 and scrypt at N=32768 each take about a tenth of a second. */
const SLOW = 100_000;

export const sprigCrypto: FuncTable = {
  bcrypt: costly(fn(["string"], bcrypt), SLOW),
  htpasswd: costly(fn(["string", "string", "hashAlgorithm"], htpasswd), SLOW),
  derivePassword: costly(fn(["uint32", "string", "string", "string", "string"], derivePassword), SLOW),
  encryptAES: fn(["string", "string"], encryptAES),
  decryptAES: fn(["string", "string"], decryptAES),
  randBytes: fn(["int"], randBytes),
};

// GitHub App JWTs as GitHub checks them: RS256, signed by the App's private key, `iss`
// the App id (or client id), `iat` not in the future, `exp` in the future and at most
// 10 minutes ahead. The messages are GitHub's (@octokit/auth-app matches on them to
// correct a clock skew).
import { createPublicKey, generateKeyPairSync, verify, type KeyObject } from "node:crypto";

export interface TestAppKey {
  /** PKCS#1 PEM, what GitHub hands out ("-----BEGIN RSA PRIVATE KEY-----"). */
  privateKey: string;
  publicKey: KeyObject;
}

/** A fresh RSA key pair for a test App (generated at test time; never stored). */
export function generateAppKey(): TestAppKey {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return { privateKey: privateKey.export({ type: "pkcs1", format: "pem" }).toString(), publicKey };
}

export class JwtRejected extends Error {}

/** GitHub allows this much clock drift on `iat`. */
const IAT_DRIFT_S = 60;
const MAX_LIFETIME_S = 600;

const b64json = (part: string): Record<string, unknown> => {
  const v = JSON.parse(Buffer.from(part, "base64url").toString("utf8")) as unknown;
  if (!v || typeof v !== "object" || Array.isArray(v)) throw new Error("not an object");
  return v as Record<string, unknown>;
};

/**
 * The App id a JWT authenticates, or JwtRejected with GitHub's message.
 * `apps` maps App id (and client id) to its public key; `nowS` is the server's time in seconds.
 */
export function verifyAppJwt(token: string, apps: Map<string, { appId: number; publicKey: KeyObject | string }>, nowS: number): number {
  const parts = token.split(".");
  if (parts.length !== 3) throw new JwtRejected("A JSON web token could not be decoded");
  let header: Record<string, unknown>;
  let claims: Record<string, unknown>;
  try {
    header = b64json(parts[0]);
    claims = b64json(parts[1]);
  } catch {
    throw new JwtRejected("A JSON web token could not be decoded");
  }
  if (header.alg !== "RS256") throw new JwtRejected("A JSON web token could not be decoded");
  const app = apps.get(String(claims.iss));
  if (!app) throw new JwtRejected("A JSON web token could not be decoded");
  const key = typeof app.publicKey === "string" ? createPublicKey(app.publicKey) : app.publicKey;
  const ok = verify("RSA-SHA256", Buffer.from(`${parts[0]}.${parts[1]}`), key, Buffer.from(parts[2], "base64url"));
  if (!ok) throw new JwtRejected("A JSON web token could not be decoded");
  const { iat, exp } = claims;
  if (typeof iat !== "number" || !Number.isInteger(iat) || iat > nowS + IAT_DRIFT_S) {
    throw new JwtRejected("'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued.");
  }
  if (typeof exp !== "number" || !Number.isInteger(exp) || exp <= nowS) {
    throw new JwtRejected("'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires.");
  }
  if (exp > nowS + MAX_LIFETIME_S + IAT_DRIFT_S || exp - iat > MAX_LIFETIME_S) {
    throw new JwtRejected("'Expiration time' claim ('exp') is too far in the future");
  }
  return app.appId;
}

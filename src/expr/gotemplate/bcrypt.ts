// golang.org/x/crypto/bcrypt's GenerateFromPassword as sprig calls it, on bcryptjs:
// Go's `$2a$` prefix, its 72-byte limit (bcryptjs would truncate silently), its cost range.
import { randomBytes } from "node:crypto";
import bcryptjs from "bcryptjs";

export class BcryptError extends Error {}

/** bcrypt.GenerateFromPassword(password, cost) with a fresh salt (or the one given, for tests). */
export function bcryptHash(password: Uint8Array, cost = 10, salt: Uint8Array = randomBytes(16)): string {
  if (password.length > 72) throw new BcryptError("bcrypt: password length exceeds 72 bytes");
  if (cost < 4 || cost > 31) throw new BcryptError(`crypto/bcrypt: cost ${cost} is outside allowed inclusive range 4..31`);
  const setting = `$2a$${String(cost).padStart(2, "0")}$${bcryptjs.encodeBase64(Array.from(salt), 16)}`;
  return bcryptjs.hashSync(Buffer.from(password).toString("utf8"), setting);
}

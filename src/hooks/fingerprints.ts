// GitHub never shows a hook's secret, so the client remembers an HMAC of the secret it
// set. Kept in the replicas' JetStream KV bucket, it survives a restart: a restart then
// leaves a GitHub hook whose secret did not change untouched.
import { createHash } from "node:crypto";
import type { KvBucket } from "../eventbus/index.js";
import type { SecretFingerprints } from "./github.js";

// KV keys allow [-/_=.A-Za-z0-9]: the client's key (URL, target, hook id) is hashed.
const kvKey = (key: string): string => `fp.${createHash("sha256").update(key).digest("hex")}`;

export class KvFingerprints implements SecretFingerprints {
  constructor(private readonly bucket: KvBucket) {}

  async get(key: string): Promise<string | undefined> {
    const entry = await this.bucket.get(kvKey(key));
    const text = entry ? new TextDecoder().decode(entry.value) : "";
    return text === "" ? undefined : text;
  }

  async set(key: string, fingerprint: string): Promise<void> {
    await this.write(kvKey(key), fingerprint);
  }

  async delete(key: string): Promise<void> {
    await this.write(kvKey(key), "");
  }

  private async write(key: string, text: string): Promise<void> {
    const value = new TextEncoder().encode(text);
    // Only the lease holder writes; a lost race is retried once with the new revision.
    for (let i = 0; i < 2; i++) {
      const entry = await this.bucket.get(key);
      const written = entry ? await this.bucket.update(key, value, entry.revision) : await this.bucket.create(key, value);
      if (written !== undefined) return;
    }
  }
}

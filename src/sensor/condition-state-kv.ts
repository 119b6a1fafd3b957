import { createHash } from "node:crypto";
import type { KvBucket } from "../eventbus/index.js";
import { emptyCondition, type ConditionSnapshot, type ConditionState, type ConditionValue } from "./condition-state.js";

/**
 * The KV bucket of a sensor's condition state: `tg-cond-<namespace>-<sensor>`;
 * characters NATS does not allow become `_`, with a hash then so that two sensors
 * never share a bucket.
 */
export function conditionBucketName(namespace: string, sensor: string): string {
  const raw = `tg-cond-${namespace}-${sensor}`;
  const safe = raw.replace(/[^A-Za-z0-9_-]/g, "_");
  return safe === raw ? raw : `${safe}-${createHash("sha256").update(raw).digest("hex").slice(0, 8)}`;
}

function decode(value: Uint8Array): ConditionValue {
  const v = JSON.parse(new TextDecoder().decode(value)) as Partial<ConditionValue>;
  return { events: v.events ?? {}, claims: v.claims ?? {} };
}

/**
 * Condition state in a KV bucket shared by every replica: the KV revision is the
 * compare-and-set revision, `create` covers "nothing stored yet". A reset stores
 * an empty value rather than deleting, so the revision only moves forward.
 */
export class KvConditionState implements ConditionState {
  constructor(private readonly bucket: KvBucket) {}

  async get(key: string): Promise<ConditionSnapshot> {
    const e = await this.bucket.get(key);
    return e ? { revision: e.revision, ...decode(e.value) } : { revision: 0, ...emptyCondition() };
  }

  async compareAndSet(key: string, revision: number, value: ConditionValue): Promise<boolean> {
    const data = new TextEncoder().encode(JSON.stringify(value));
    const rev = revision === 0 ? await this.bucket.create(key, data) : await this.bucket.update(key, data, revision);
    return rev !== undefined;
  }
}

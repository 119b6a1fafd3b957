import { NatsError, StorageType, type JetStreamClient, type KV } from "nats";
import { fitNatsName, MAX_BUCKET_NAME } from "./jetstream-consumer.js";
import type { KvBucket, KvEntry } from "./kv.js";

// JetStream's "wrong last sequence": the compare-and-set lost against another writer.
const WRONG_LAST_SEQUENCE = 10071;

function lostRace(err: unknown): boolean {
  return err instanceof NatsError && err.api_error?.err_code === WRONG_LAST_SEQUENCE;
}

/** A JetStream KV bucket behind the bus-agnostic KvBucket interface. */
export class JetStreamKvBucket implements KvBucket {
  private constructor(
    readonly name: string,
    private readonly kv: KV,
  ) {}

  /** Opens the bucket, creating it (file storage, one value per key) when missing. */
  static async open(js: JetStreamClient, bucket: string, replicas: number): Promise<JetStreamKvBucket> {
    const name = fitNatsName(bucket, MAX_BUCKET_NAME);
    const kv = await js.views.kv(name, { history: 1, storage: StorageType.File, replicas });
    return new JetStreamKvBucket(name, kv);
  }

  async get(key: string): Promise<KvEntry | undefined> {
    const e = await this.kv.get(key);
    if (!e || e.operation !== "PUT") return undefined;
    return { revision: e.revision, value: e.value };
  }

  async create(key: string, value: Uint8Array): Promise<number | undefined> {
    try {
      return await this.kv.create(key, value);
    } catch (err) {
      if (lostRace(err)) return undefined;
      throw err;
    }
  }

  async update(key: string, value: Uint8Array, revision: number): Promise<number | undefined> {
    try {
      return await this.kv.update(key, value, revision);
    } catch (err) {
      if (lostRace(err)) return undefined;
      throw err;
    }
  }
}

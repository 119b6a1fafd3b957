// Test support for the receiver tests; lives under test/ so it never ships in dist/.
import { request } from "node:http";
import type { EventSource, EventSourceSpec } from "../../src/api/types.js";
import type { EventBus, MessageHandler, SubscribeOptions, Subscription } from "../../src/eventbus/bus.js";
import type { CloudEvent } from "../../src/eventbus/cloudevent.js";
import { NotSupportedError } from "../../src/errors.js";
import { silentLogger } from "../../src/logger.js";
import { MapSecretStore } from "../../src/config/secrets.js";
import type { ReceiverOutcome } from "../../src/eventsource/receiver.js";
import { startReceivers, type ReceiverServer } from "../../src/eventsource/server.js";

/** An EventBus that records what is published, or fails on demand. */
export class RecordingBus implements EventBus {
  readonly name = "default";
  readonly published: { subject: string; event: CloudEvent }[] = [];
  failWith: Error | undefined;

  async publish(subject: string, event: CloudEvent): Promise<void> {
    if (this.failWith) throw this.failWith;
    this.published.push({ subject, event });
  }
  async subscribe(_o: SubscribeOptions, _h: MessageHandler): Promise<Subscription> {
    throw new NotSupportedError("RecordingBus does not deliver");
  }
  async close(): Promise<void> {}
}

export function eventSource(name: string, spec: EventSourceSpec, namespace = "argo-events"): EventSource {
  return { apiVersion: "argoproj.io/v1alpha1", kind: "EventSource", metadata: { name, namespace }, spec };
}

export interface Harness {
  server: ReceiverServer;
  bus: RecordingBus;
  outcomes: ReceiverOutcome[];
  /** URL of `eventSource/eventName`. */
  url(key: string): string;
  close(): Promise<void>;
}

export async function startHarness(
  eventSources: EventSource[],
  secrets: Record<string, Record<string, string>> = {},
): Promise<Harness> {
  const bus = new RecordingBus();
  const outcomes: ReceiverOutcome[] = [];
  const server = await startReceivers({
    eventSources,
    bus,
    secrets: new MapSecretStore(secrets),
    logger: silentLogger(),
    host: "127.0.0.1",
    portOverride: () => 0,
    onOutcome: (o) => outcomes.push(o),
  });
  const urls = new Map(server.endpoints().map((e) => [`${e.eventSource}/${e.eventName}`, e.url]));
  return {
    server,
    bus,
    outcomes,
    url: (key) => {
      const u = urls.get(key);
      if (!u) throw new Error(`no endpoint ${key}`);
      return u;
    },
    close: () => server.close(),
  };
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/**
 * One request with exactly the given headers (plus Host and `Connection: close`),
 * so tests can assert the payload's header map exactly. A body given as an array
 * of chunks is sent chunked, without Content-Length.
 */
export function send(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: Buffer | string | Buffer[] },
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const body = options.body;
    const headers: Record<string, string> = { ...options.headers };
    if (body !== undefined && !Array.isArray(body)) headers["Content-Length"] = String(Buffer.byteLength(body));
    const req = request(url, { method: options.method ?? "POST", headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }),
      );
      res.on("error", reject);
    });
    req.on("error", reject);
    if (Array.isArray(body)) {
      for (const chunk of body) req.write(chunk);
      req.end();
    } else {
      req.end(body);
    }
  });
}

import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import type { SourceTypeName } from "../api/index.js";
import { SOURCE_TYPES } from "../eventsource/index.js";

export type Provider = SourceTypeName;

export interface SendOptions {
  url: string;
  provider: Provider;
  event: string;
  secret?: string;
  body: Buffer;
  /** Provider delivery id; a fresh one by default. */
  deliveryId?: string;
}

/** The headers a provider sends with a delivery, signed or tokened as it would. */
export function providerHeaders(o: Omit<SendOptions, "url">): Record<string, string> {
  return SOURCE_TYPES[o.provider].deliveryHeaders({ event: o.event, id: o.deliveryId ?? randomUUID(), secret: o.secret, body: o.body });
}

export async function send(o: SendOptions): Promise<{ status: number; body: string }> {
  const res = await fetch(o.url, { method: "POST", headers: providerHeaders(o), body: new Uint8Array(o.body) });
  return { status: res.status, body: await res.text() };
}

export async function readSecretFile(path: string): Promise<string> {
  const text = await readFile(path, "utf8");
  return text.replace(/\r?\n$/, "");
}

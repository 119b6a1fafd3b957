// A delivery turned into event data without a server: what `test-sensor --provider`
// feeds a Sensor, built by the same parser the receiver of that type runs (signatures
// are not checked: the payload is the user's own file).
import { MapSecretStore } from "../secrets.js";
import { bitbucketSource } from "./bitbucket.js";
import { bitbucketServerSource } from "./bitbucketserver.js";
import { githubSource } from "./github.js";
import { gitlabSource } from "./gitlab.js";
import { goHeaders, type GoHeader } from "./headers.js";
import type { SourceHandler, SourceType } from "./receiver.js";
import { webhookSource } from "./webhook.js";

export const OFFLINE_PROVIDERS: readonly SourceType[] = ["github", "gitlab", "bitbucket", "bitbucketserver", "webhook"];

/** Headers a provider always sends that name the event, with the default test-sensor assumes. */
export const EVENT_HEADERS: Readonly<Partial<Record<SourceType, string>>> = {
  github: "X-GitHub-Event",
  gitlab: "X-Gitlab-Event",
  bitbucket: "X-Event-Key",
  bitbucketserver: "X-Event-Key",
};

function handler(type: SourceType): SourceHandler {
  const ctx = { namespace: "default", secrets: new MapSecretStore({}) };
  switch (type) {
    case "github":
      return githubSource({ webhook: { endpoint: "/", port: "0", method: "POST" } }, ctx);
    case "gitlab":
      return gitlabSource({ webhook: { endpoint: "/", port: "0", method: "POST" }, projects: [] }, ctx);
    case "bitbucket":
      return bitbucketSource({ webhook: { endpoint: "/", port: "0", method: "POST" } }, ctx);
    case "bitbucketserver":
      return bitbucketServerSource({ webhook: { endpoint: "/", port: "0", method: "POST" } }, ctx);
    case "webhook":
      return webhookSource({ endpoint: "/", port: "0", method: "POST" }, ctx);
  }
}

/** `[name, value]` pairs as a Go handler keys them (repeats kept in order), through the receivers' own goHeaders. */
export function headersFrom(pairs: readonly [string, string][]): GoHeader {
  const distinct = new Map<string, string[]>();
  for (const [name, value] of pairs) distinct.set(name.toLowerCase(), [...(distinct.get(name.toLowerCase()) ?? []), value]);
  // fromEntries defines own properties: a `__proto__` header stays a header.
  return goHeaders({ headersDistinct: Object.fromEntries(distinct) });
}

/** The event data a receiver of `type` would publish for this body and these headers. */
export function offlineEventData(type: SourceType, pairs: readonly [string, string][], body: Buffer): unknown {
  const typed = pairs.some(([k]) => k.toLowerCase() === "content-type");
  const headers = headersFrom(typed ? pairs : [["Content-Type", "application/json"], ...pairs]);
  return handler(type).parse({ method: "POST", path: "/", query: "", headers, rawBody: body }).data;
}

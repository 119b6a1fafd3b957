// Webhook clients: git providers that cannot send a bearer token are matched by
// their signature against the `argo-workflows-webhook-clients` Secret of the
// request's namespace (key = ServiceAccount name, value = YAML {type, secret}).
import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { parse } from "yaml";
import { errorMessage } from "../errors.js";
import { headerValue, type GoHeader, tokenEquals, verifyHmac } from "../http/index.js";

export const WEBHOOK_CLIENTS_SECRET = "argo-workflows-webhook-clients";

export const WEBHOOK_CLIENT_TYPES = ["github", "gitlab", "bitbucket", "bitbucketserver"] as const;
export type WebhookClientType = (typeof WEBHOOK_CLIENT_TYPES)[number];

export interface WebhookClient {
  /** The ServiceAccount the client acts as (the Secret key). */
  serviceAccount: string;
  type: WebhookClientType;
  secret: string;
}

/** A Secret entry that could not be used: reported, never fatal. */
export interface InvalidWebhookClient {
  serviceAccount: string;
  error: string;
}

export interface WebhookClientList {
  clients: WebhookClient[];
  invalid: InvalidWebhookClient[];
}

export interface WebhookClientSource {
  /** The clients of a namespace; none when the Secret does not exist. */
  clients(namespace: string): Promise<WebhookClientList>;
}

/** One Secret value: YAML `{type, secret}`. */
export function parseWebhookClient(serviceAccount: string, text: string): WebhookClient | InvalidWebhookClient {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    return { serviceAccount, error: `failed to unmarshal webhook client: ${errorMessage(err)}` };
  }
  const d = (doc ?? {}) as { type?: unknown; secret?: unknown };
  if (typeof d.type !== "string" || !(WEBHOOK_CLIENT_TYPES as readonly string[]).includes(d.type)) {
    return {
      serviceAccount,
      error: `unknown webhook client type ${JSON.stringify(d.type ?? null)} (one of ${WEBHOOK_CLIENT_TYPES.join(", ")})`,
    };
  }
  if (typeof d.secret !== "string" || d.secret === "") return { serviceAccount, error: "webhook client has no secret" };
  return { serviceAccount, type: d.type as WebhookClientType, secret: d.secret };
}

/** Splits a Secret's entries into usable clients and invalid ones. */
export function webhookClientList(entries: [string, string][]): WebhookClientList {
  const out: WebhookClientList = { clients: [], invalid: [] };
  for (const [name, text] of entries.sort(([a], [b]) => a.localeCompare(b))) {
    const c = parseWebhookClient(name, text);
    if ("error" in c) out.invalid.push(c);
    else out.clients.push(c);
  }
  return out;
}

export interface SignedRequest {
  headers: GoHeader;
  rawBody: Buffer;
}

/**
 * True when the request is signed the way this client's provider signs:
 * GitHub X-Hub-Signature-256 (HMAC-SHA256), GitLab X-Gitlab-Token, Bitbucket
 * Cloud X-Hook-UUID, Bitbucket Server X-Hub-Signature (`sha256=` HMAC). Each
 * also needs its provider's event header, as Argo's parsers do. Timing-safe.
 */
export function matchesWebhookClient(client: WebhookClient, req: SignedRequest): boolean {
  const h = (name: string) => headerValue(req.headers, name);
  switch (client.type) {
    case "github":
      return !!h("X-GitHub-Event") && verifyHmac("sha256", client.secret, req.rawBody, h("X-Hub-Signature-256"));
    case "gitlab": {
      const token = h("X-Gitlab-Token");
      return !!h("X-Gitlab-Event") && token !== undefined && tokenEquals(token, client.secret);
    }
    case "bitbucket": {
      const uuid = h("X-Hook-UUID");
      return !!h("X-Event-Key") && uuid !== undefined && tokenEquals(uuid, client.secret);
    }
    case "bitbucketserver":
      return !!h("X-Event-Key") && verifyHmac("sha256", client.secret, req.rawBody, h("X-Hub-Signature"));
    default:
      return false;
  }
}

/** True when the request carries any header a webhook client is matched by. */
export function hasWebhookCredentials(headers: GoHeader): boolean {
  return ["X-Hub-Signature-256", "X-Hub-Signature", "X-Gitlab-Token", "X-Hook-UUID"].some(
    (n) => headerValue(headers, n) !== undefined,
  );
}

const SAFE = /^[a-zA-Z0-9._-]+$/;

/**
 * Standalone: `<secretsDir>/argo-workflows-webhook-clients/<namespace>/<client name>`,
 * one file per client (the layout of the namespace's mounted Secret), so the secret of
 * one namespace authenticates only that namespace's URL, as the Secret does in a
 * cluster. A file directly in the folder names no namespace: it authenticates nothing
 * and is reported. Read per request so an edit applies at once.
 */
export class DirWebhookClientSource implements WebhookClientSource {
  constructor(private readonly secretsDir: string | undefined) {}

  async clients(namespace: string): Promise<WebhookClientList> {
    if (!this.secretsDir || !SAFE.test(namespace) || namespace.startsWith(".")) return { clients: [], invalid: [] };
    const root = join(this.secretsDir, WEBHOOK_CLIENTS_SECRET);
    const list = webhookClientList(await readClientFiles(join(root, namespace)));
    for (const name of await fileNames(root)) {
      list.invalid.push({ serviceAccount: name, error: `${WEBHOOK_CLIENTS_SECRET}/${name} names no namespace: move it to ${WEBHOOK_CLIENTS_SECRET}/<namespace>/${name}` });
    }
    return list;
  }
}

/** The files (links followed, as a mounted Secret's are links) of a folder with safe names; none when it does not exist. */
async function fileNames(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const name of names.sort()) {
    if (!SAFE.test(name) || name.startsWith(".")) continue;
    if (await stat(join(dir, name)).then((st) => st.isFile(), () => false)) out.push(name);
  }
  return out;
}

async function readClientFiles(dir: string): Promise<[string, string][]> {
  const entries: [string, string][] = [];
  for (const name of await fileNames(dir)) {
    try {
      entries.push([name, await readFile(join(dir, name), "utf8")]);
    } catch {
      // Removed meanwhile: not a client.
    }
  }
  return entries;
}

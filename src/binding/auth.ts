// Who may post events: bearer tokens (a tokens file standalone, TokenReview in
// Kubernetes) and what they may do (namespace rule standalone, SubjectAccessReview
// in Kubernetes).
import { readFile } from "node:fs/promises";
import { parse } from "yaml";
import { ForbiddenError, GatewayError, errorMessage } from "../errors.js";
import { tokenEquals } from "../http/index.js";
import type { TemplateRef } from "./catalog.js";
import type { Identity } from "./event.js";

export interface Authenticator {
  /** The identity a bearer token stands for; undefined when the token is not valid. */
  authenticate(token: string): Promise<Identity | undefined>;
}

export interface Authorizer {
  /** Throws ForbiddenError unless `identity` may submit events (create Workflows) in `namespace`. */
  authorizeEvent(identity: Identity, namespace: string): Promise<void>;
  /** Throws ForbiddenError unless `identity` may read the referenced template. */
  authorizeTemplate(identity: Identity, namespace: string, ref: TemplateRef): Promise<void>;
}

export function serviceAccountUsername(namespace: string, name: string): string {
  return `system:serviceaccount:${namespace}:${name}`;
}

export function serviceAccountIdentity(namespace: string, name: string): Identity {
  return {
    username: serviceAccountUsername(namespace, name),
    groups: ["system:serviceaccounts", `system:serviceaccounts:${namespace}`, "system:authenticated"],
  };
}

/** `{namespace, name}` of a ServiceAccount username, or undefined for any other user. */
export function parseServiceAccount(username: string): { namespace: string; name: string } | undefined {
  const m = /^system:serviceaccount:([^:]+):([^:]+)$/.exec(username);
  return m ? { namespace: m[1] as string, name: m[2] as string } : undefined;
}

export interface TokenEntry {
  serviceAccount: string;
  namespace: string;
}

/** Parses a tokens file: a YAML or JSON map `token -> {serviceAccount, namespace}`. */
export function parseTokensFile(text: string, file = "tokens file"): Map<string, TokenEntry> {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    throw new GatewayError(`${file}: not YAML/JSON: ${errorMessage(err)}`);
  }
  if (doc === null || doc === undefined) return new Map();
  if (typeof doc !== "object" || Array.isArray(doc)) throw new GatewayError(`${file}: expected a map token -> {serviceAccount, namespace}`);
  const out = new Map<string, TokenEntry>();
  for (const [token, v] of Object.entries(doc as Record<string, unknown>)) {
    const e = v as Partial<TokenEntry> | null;
    if (!e || typeof e.serviceAccount !== "string" || typeof e.namespace !== "string" || !e.serviceAccount || !e.namespace) {
      throw new GatewayError(`${file}: the entry of a token needs serviceAccount and namespace strings`);
    }
    if (token.length < 16) throw new GatewayError(`${file}: tokens must be at least 16 characters`);
    out.set(token, { serviceAccount: e.serviceAccount, namespace: e.namespace });
  }
  return out;
}

/** Standalone bearer tokens from a file; every lookup compares against every token, timing-safe. */
export class TokensFileAuthenticator implements Authenticator {
  constructor(private readonly tokens: Map<string, TokenEntry>) {}

  static async load(path: string): Promise<TokensFileAuthenticator> {
    let text: string;
    try {
      text = await readFile(path, "utf8");
    } catch (err) {
      throw new GatewayError(`--tokens-file ${path}: ${errorMessage(err)}`);
    }
    return new TokensFileAuthenticator(parseTokensFile(text, path));
  }

  async authenticate(token: string): Promise<Identity | undefined> {
    let found: TokenEntry | undefined;
    for (const [t, entry] of this.tokens) if (tokenEquals(t, token) && !found) found = entry;
    return found ? serviceAccountIdentity(found.namespace, found.serviceAccount) : undefined;
  }
}

/** No tokens at all: only webhook clients can post. */
export class NoTokensAuthenticator implements Authenticator {
  async authenticate(): Promise<Identity | undefined> {
    return undefined;
  }
}

/**
 * Standalone authorization: a ServiceAccount may post events to its own namespace
 * only, and use any template there or cluster-scoped.
 */
export class NamespaceAuthorizer implements Authorizer {
  async authorizeEvent(identity: Identity, namespace: string): Promise<void> {
    const sa = parseServiceAccount(identity.username);
    if (!sa || sa.namespace !== namespace) {
      throw new ForbiddenError(`${identity.username} may not submit events in namespace ${namespace}`);
    }
  }
  async authorizeTemplate(): Promise<void> {}
}

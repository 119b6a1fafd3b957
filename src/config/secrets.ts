import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { SecretKeySelector } from "../api/index.js";
import { SecretNotFoundError } from "../errors.js";

/** Reads `<secret name>/<key>`; a Kubernetes-backed one comes later behind the same interface. */
export interface SecretStore {
  get(namespace: string, selector: SecretKeySelector): Promise<string>;
}

const SAFE = /^[a-zA-Z0-9._-]+$/;

/** Why a `{name, key}` can name no Secret key (a Secret's name and a data key's characters), or undefined. */
export function secretReferenceProblem(selector: { name: string; key: string }): string | undefined {
  if (!SAFE.test(selector.name) || selector.name.startsWith("..")) return `${JSON.stringify(selector.name)} is not a Secret name`;
  if (!SAFE.test(selector.key)) return `${JSON.stringify(selector.key)} is not a Secret key (letters, digits, '-', '_', '.')`;
  return undefined;
}

/**
 * Secrets as files `<dir>/<secret name>/<key>`, the layout of a mounted
 * Kubernetes Secret. One trailing newline is trimmed (editors add it).
 */
export class DirSecretStore implements SecretStore {
  // Read per delivery, so a short cache: a rotated file applies within a second.
  private readonly cache = new Map<string, { value: string; until: number }>();

  constructor(
    private readonly dir: string | undefined,
    private readonly ttlMs = 1000,
  ) {}

  async get(namespace: string, selector: SecretKeySelector): Promise<string> {
    const key = `${selector.name}/${selector.key}`;
    const hit = this.cache.get(key);
    const now = Date.now();
    if (hit && hit.until > now) return hit.value;
    const value = await this.read(namespace, selector);
    this.cache.set(key, { value, until: now + this.ttlMs });
    return value;
  }

  private async read(_namespace: string, selector: SecretKeySelector): Promise<string> {
    if (secretReferenceProblem(selector)) {
      throw new SecretNotFoundError(`invalid secret reference ${selector.name}/${selector.key}`);
    }
    if (!this.dir) {
      throw new SecretNotFoundError(
        `secret ${selector.name}/${selector.key} is referenced but no --secrets-dir was given`,
      );
    }
    try {
      const text = await readFile(join(this.dir, selector.name, selector.key), "utf8");
      return text.endsWith("\r\n") ? text.slice(0, -2) : text.endsWith("\n") ? text.slice(0, -1) : text;
    } catch (err) {
      throw new SecretNotFoundError(`secret ${selector.name}/${selector.key} not found in ${this.dir}`, { cause: err });
    }
  }
}

/** Secrets from a plain map, for tests and the `send` command. */
export class MapSecretStore implements SecretStore {
  constructor(private readonly values: Record<string, Record<string, string>>) {}
  async get(_namespace: string, selector: SecretKeySelector): Promise<string> {
    const v = this.values[selector.name]?.[selector.key];
    if (v === undefined) throw new SecretNotFoundError(`secret ${selector.name}/${selector.key} not found`);
    return v;
  }
}

import { readFileSync } from "node:fs";
import type { ArtifactLocation, ConfigMapKeySelector, KubeObject } from "../../api/types.js";
import { NotFoundError, TriggerError } from "../../errors.js";
import { HttpRequestError, httpRequest } from "../triggers/http-request.js";
import type { Where } from "../where.js";
import { checkResource, parseResource } from "./parse.js";
import type { SourceContext, TriggerSource } from "./types.js";

export type { SourceContext, TriggerSource } from "./types.js";

/** How long a `url` source's manifest is reused before it is fetched again. */
export const URL_SOURCE_TTL_MS = 60_000;
// As the original: a manifest, not a download.
const URL_MAX_BYTES = 512 * 1024;
const URL_TIMEOUT_MS = 30_000;
// URLs a runtime remembers; a trigger parameter can make the URL event data.
const URL_SOURCES_MAX = 256;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function known(kind: TriggerSource["kind"], obj: KubeObject, describe: Record<string, unknown>): TriggerSource {
  return { kind, loaded: obj, describe: () => describe, load: async () => structuredClone(obj) };
}

function atLoad<T>(where: Where, at: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw where.spec(at, err instanceof Error ? err.message : String(err));
  }
}

function urlSource(path: string, verifyCert: boolean | undefined, now: () => number): TriggerSource {
  // Certificates are verified unless `verifyCert: false` is written; the
  // original skips verification whenever verifyCert is not true.
  const rejectUnauthorized = verifyCert !== false;
  const key = `${rejectUnauthorized ? "v" : "i"} ${path}`;
  return {
    kind: "url",
    describe: () => ({ url: path }),
    // Cached in the runtime, not here: trigger parameters recompile the source at each firing.
    async load(ctx: SourceContext): Promise<KubeObject> {
      const cache = ctx.urlSources;
      const hit = cache.get(key);
      if (hit && now() - hit.fetchedAt < URL_SOURCE_TTL_MS) return structuredClone(hit.obj);
      const res = await httpRequest({
        method: "GET",
        url: path,
        timeoutMs: URL_TIMEOUT_MS,
        maxResponseBytes: URL_MAX_BYTES,
        tls: { rejectUnauthorized },
      });
      if (res.status !== 200) throw new HttpRequestError(`source url ${path}: status ${res.status}`);
      let obj: KubeObject;
      try {
        obj = parseResource(res.body.toString("utf8"));
      } catch (err) {
        throw new TriggerError(`source url ${path}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
      }
      cache.delete(key);
      if (cache.size >= URL_SOURCES_MAX) cache.delete(cache.keys().next().value as string);
      cache.set(key, { fetchedAt: now(), obj });
      return structuredClone(obj);
    },
  };
}

function configMapSource(ref: ConfigMapKeySelector): TriggerSource {
  return {
    kind: "configmap",
    describe: () => ({ configmap: { name: ref.name, key: ref.key } }),
    async load(ctx: SourceContext): Promise<KubeObject> {
      const cm = await ctx.workflows.get("v1", "ConfigMap", ctx.namespace, ref.name);
      const text = isObject(cm.data) ? cm.data[ref.key] : undefined;
      if (typeof text !== "string") throw new NotFoundError(`ConfigMap ${ctx.namespace}/${ref.name} has no key "${ref.key}"`);
      try {
        return parseResource(text);
      } catch (err) {
        const detail = err instanceof Error ? err.message : String(err);
        throw new TriggerError(`source configmap ${ref.name}/${ref.key}: ${detail}`, { cause: err });
      }
    },
  };
}

/**
 * The source of a trigger's resource. `resource`, `inline` and `file` are read
 * once, at load (a file is read relative to the working directory; a changed
 * file takes a reload); `url` is fetched at firing and reused for
 * URL_SOURCE_TTL_MS by the same runtime (SourceContext.urlSources); `configmap` is read at each firing through the workflow
 * client, in the sensor's namespace. `git` and `s3` are not supported.
 */
export function compileSource(
  source: ArtifactLocation | undefined,
  where: Where,
  at: string,
  now: () => number = Date.now,
): TriggerSource {
  if (!isObject(source)) throw where.spec(at, "a source (resource, inline, file, url or configmap) is required");
  if (source.resource !== undefined && source.resource !== null) {
    return known("resource", atLoad(where, `${at}.resource`, () => checkResource(source.resource)), { resource: true });
  }
  if (typeof source.inline === "string") {
    const text = source.inline;
    return known("inline", atLoad(where, `${at}.inline`, () => parseResource(text)), { inline: true });
  }
  if (isObject(source.file)) {
    const path = source.file.path;
    if (typeof path !== "string" || path === "") throw where.spec(`${at}.file.path`, "is required");
    const obj = atLoad(where, `${at}.file`, () => {
      let text: string;
      try {
        text = readFileSync(path, "utf8");
      } catch (err) {
        throw new Error(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
      }
      return parseResource(text);
    });
    return known("file", obj, { file: path });
  }
  if (isObject(source.url)) {
    const path = source.url.path;
    if (typeof path !== "string" || !/^https?:\/\//.test(path)) throw where.spec(`${at}.url.path`, "must be an http(s) URL");
    return urlSource(path, source.url.verifyCert, now);
  }
  if (isObject(source.configmap)) {
    const { name, key } = source.configmap;
    if (typeof name !== "string" || name === "") throw where.spec(`${at}.configmap.name`, "is required");
    if (typeof key !== "string" || key === "") throw where.spec(`${at}.configmap.key`, "is required");
    return configMapSource({ name, key });
  }
  const kind = Object.keys(source).find((k) => source[k] !== undefined && source[k] !== null);
  if (kind === undefined) throw where.spec(at, "a source (resource, inline, file, url or configmap) is required");
  throw where.notSupported(`${at}.${kind}`, `trigger source "${kind}" is not supported (use resource, inline, file, url or configmap)`);
}

// `url`: the manifest is fetched when the trigger fires and reused for a while by
// the same runtime (trigger parameters may recompile the source at each firing, so
// the cache lives in the runtime, not here).
import { type KubeObject, isObject } from "../../api/index.js";
import { TriggerError } from "../../errors.js";
import { HttpRequestError, httpRequest } from "../triggers/http-request.js";
import type { Where } from "../where.js";
import { parseResource } from "./parse.js";
import type { SourceContext, TriggerSource } from "./types.js";

/** How long a `url` source's manifest is reused before it is fetched again. */
export const URL_SOURCE_TTL_MS = 60_000;
// As the original: a manifest, not a download.
const URL_MAX_BYTES = 512 * 1024;
const URL_TIMEOUT_MS = 30_000;
// URLs a runtime remembers; a trigger parameter can make the URL event data.
const URL_SOURCES_MAX = 256;

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

export function compileUrlSource(value: unknown, where: Where, at: string, now: () => number): TriggerSource | undefined {
  if (!isObject(value)) return undefined;
  const path = value.path;
  if (typeof path !== "string" || !/^https?:\/\//.test(path)) throw where.spec(`${at}.path`, "must be an http(s) URL");
  return urlSource(path, value.verifyCert as boolean | undefined, now);
}

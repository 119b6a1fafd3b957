// `file`: read when the trigger fires, as Argo Events does (a path relative to the
// working directory). A file absent at load is no error: it may be mounted or written
// later, so `validate` only warns, and each firing reads what the file holds then.
import { readFileSync, statSync } from "node:fs";
import { open, realpath } from "node:fs/promises";
import { isAbsolute, relative, resolve } from "node:path";
import { type KubeObject, isObject } from "../../api/index.js";
import { errorMessage, GatewayError, NotFoundError, TriggerError } from "../../errors.js";
import type { Where } from "../where.js";
import { parseResource } from "./parse.js";
import type { TriggerSource } from "./types.js";

/** A `file` source whose file is not there when the trigger fires: final, as a missing ConfigMap key is. */
export class SourceFileNotFoundError extends NotFoundError {
  constructor(
    readonly path: string,
    options?: { cause?: unknown },
  ) {
    super(`source file ${path}: not found (the file is read when the trigger fires)`, options);
  }
}

const MISSING = new Set(["ENOENT", "ENOTDIR"]);
/** As a url source's response: a resource, not a data set. */
export const FILE_MAX_BYTES = 512 * 1024;

/** A regular file of at most FILE_MAX_BYTES (a FIFO or /dev/zero would otherwise hold the firing forever). */
async function readBounded(path: string): Promise<string> {
  const handle = await open(path, "r");
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw new TriggerError(`source file ${path}: not a regular file`);
    if (stat.size > FILE_MAX_BYTES) throw new TriggerError(`source file ${path}: ${stat.size} bytes, over the ${FILE_MAX_BYTES} a resource may have`);
    const buf = Buffer.alloc(FILE_MAX_BYTES + 1);
    const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
    if (bytesRead > FILE_MAX_BYTES) throw new TriggerError(`source file ${path}: over the ${FILE_MAX_BYTES} bytes a resource may have`);
    return buf.subarray(0, bytesRead).toString("utf8");
  } finally {
    await handle.close();
  }
}

function errnoCode(err: unknown): string {
  return (err as NodeJS.ErrnoException).code ?? errorMessage(err);
}

/**
 * Which files a `file` source may read. Argo Events reads the Sensor pod's own file
 * system; here the file system is the gateway's, shared by every tenant, so with
 * `--kube` only a directory given by `--trigger-files-dir` is read (none by default).
 */
export interface FileSourcePolicy {
  /** Only files inside this directory (symbolic links resolved). */
  root?: string;
  /** Set when no file may be read: why. */
  refused?: string;
}

/** The file's real path when the policy lets it be read; a TriggerError (final) when not. */
async function allowed(path: string, policy: FileSourcePolicy | undefined): Promise<string> {
  if (policy?.refused) throw new TriggerError(`source file ${path}: ${policy.refused}`);
  if (!policy?.root) return path;
  let real: string;
  try {
    real = await realpath(resolve(policy.root, path));
  } catch (err) {
    if (MISSING.has(errnoCode(err))) throw new SourceFileNotFoundError(path, { cause: err });
    throw err;
  }
  const root = await realpath(policy.root);
  const rel = relative(root, real);
  if (rel === "" || rel.startsWith("..") || isAbsolute(rel)) throw new TriggerError(`source file ${path}: outside --trigger-files-dir ${policy.root}`);
  return real;
}

/** Reads and parses the file at firing: missing is SourceFileNotFoundError, bad content TriggerError (as url's). */
export async function readSourceFile(path: string, policy?: FileSourcePolicy): Promise<KubeObject> {
  let text: string;
  try {
    text = await readBounded(await allowed(path, policy));
  } catch (err) {
    if (err instanceof TriggerError || err instanceof SourceFileNotFoundError) throw err;
    if (MISSING.has(errnoCode(err))) throw new SourceFileNotFoundError(path, { cause: err });
    // Permissions, I/O: untyped, so retried within the trigger's retryStrategy like any unknown failure.
    throw new GatewayError(`source file ${path}: cannot read it (${errnoCode(err)})`, { cause: err });
  }
  try {
    return parseResource(text);
  } catch (err) {
    throw new TriggerError(`source file ${path}: ${errorMessage(err)}`, { cause: err });
  }
}

function fileSource(path: string): TriggerSource {
  return { kind: "file", describe: () => ({ file: path }), load: (ctx) => readSourceFile(path, ctx.files) };
}

export function compileFileSource(value: unknown, where: Where, at: string): TriggerSource | undefined {
  if (!isObject(value)) return undefined;
  const path = value.path;
  if (typeof path !== "string" || path === "") throw where.spec(`${at}.path`, "is required");
  return fileSource(path);
}

/** For `validate`: what a firing would meet in the file as it is now, or undefined when it reads. */
export function fileSourceProblem(path: string): string | undefined {
  const then = `${path} is read when the trigger fires (as Argo Events does)`;
  let text: string;
  try {
    const stat = statSync(path);
    if (!stat.isFile() || stat.size > FILE_MAX_BYTES) return `${then} and is ${stat.isFile() ? `over ${FILE_MAX_BYTES} bytes` : "not a regular file"} now: a firing fails until it changes`;
    text = readFileSync(path, "utf8");
  } catch (err) {
    const code = errnoCode(err);
    if (MISSING.has(code)) return `${then} and is not there now (${code}): a firing fails until it is`;
    return `${then} and cannot be read now (${code}): a firing fails until it can`;
  }
  try {
    parseResource(text);
    return undefined;
  } catch (err) {
    return `${then} and does not hold one Kubernetes object now (${errorMessage(err)}): a firing fails unless it changes`;
  }
}

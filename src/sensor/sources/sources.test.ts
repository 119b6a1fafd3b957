import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { ArtifactLocation } from "../../api/types.js";
import { NotFoundError, NotSupportedError, SpecError, TriggerError } from "../../errors.js";
import { LocalWorkflowStore } from "../../workflows/local.js";
import { HttpRequestError } from "../triggers/http-request.js";
import { Where } from "../where.js";
import { newTriggerMemory, type TriggerMemory } from "../triggers/memory.js";
import { isRetryable } from "../../retry.js";
import { compileSource, SourceFileNotFoundError, URL_SOURCE_TTL_MS } from "./index.js";
import { FILE_MAX_BYTES, type FileSourcePolicy } from "./file.js";

const where = new Where("argo", "s");
const CM_YAML = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-source\ndata:\n  a: '1'\n";
const WANT = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "from-source" }, data: { a: "1" } };

describe("trigger sources", () => {
  let dir: string;
  let store: LocalWorkflowStore;
  let server: Server;
  let base: string;
  let hits = 0;
  let body = CM_YAML;
  let status = 200;
  let memory: TriggerMemory;

  beforeAll(async () => {
    server = createServer((_req, res) => {
      hits++;
      res.writeHead(status).end(body);
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "tg-src-"));
    store = new LocalWorkflowStore({ dir: join(dir, "store") });
    hits = 0;
    body = CM_YAML;
    status = 200;
    memory = newTriggerMemory();
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const ctx = (m: TriggerMemory = memory) => ({ workflows: store, namespace: "argo", urlSources: m.urlSources });

  it.each([
    ["resource", () => ({ resource: WANT })],
    ["inline YAML", () => ({ inline: CM_YAML })],
    ["inline JSON", () => ({ inline: JSON.stringify(WANT) })],
  ])("%s is known at load", async (_n, source) => {
    const s = compileSource(source() as ArtifactLocation, where, "src");
    expect(s.loaded).toEqual(WANT);
    expect(await s.load(ctx())).toEqual(WANT);
  });

  it("file is read at each firing, not at load; relative paths from the working directory", async () => {
    const path = join(dir, "wf.yaml");
    const s = compileSource({ file: { path } }, where, "src");
    expect(s.loaded).toBeUndefined();
    expect(s.describe()).toEqual({ file: path });
    const missing = await s.load(ctx()).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(SourceFileNotFoundError);
    expect(missing).toBeInstanceOf(NotFoundError);
    expect((missing as Error).message).toContain(path);
    expect(isRetryable(missing)).toBe(false);
    await writeFile(path, CM_YAML);
    expect(await s.load(ctx())).toEqual(WANT);
    await writeFile(path, CM_YAML.replace("'1'", "'2'"));
    expect((await s.load(ctx())).data).toEqual({ a: "2" });
    const fromCwd = compileSource({ file: { path: relative(process.cwd(), path) } }, where, "src");
    expect((await fromCwd.load(ctx())).data).toEqual({ a: "2" });
    await writeFile(path, "- not\n- an object\n");
    await expect(s.load(ctx())).rejects.toThrow(TriggerError);
    await expect(s.load(ctx())).rejects.toThrow(path);
  });

  it("file: a device, a directory or an oversized file fails the firing, and a parse error never quotes the file", async () => {
    const load = (path: string) => compileSource({ file: { path } }, where, "src").load(ctx());
    await expect(load("/dev/zero")).rejects.toThrow(/source file \/dev\/zero: not a regular file/);
    await expect(load(dir)).rejects.toThrow(/not a regular file/);
    const big = join(dir, "big.yaml");
    await writeFile(big, `apiVersion: v1\nkind: ConfigMap\ndata: {a: "${"x".repeat(FILE_MAX_BYTES)}"}\n`);
    await expect(load(big)).rejects.toThrow(/bytes, over the 524288 a resource may have/);
    const secret = join(dir, "token");
    await writeFile(secret, "s3cr3t-token: [unclosed\n");
    const err = (await load(secret).catch((e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(TriggerError);
    expect(err.message).toMatch(/invalid YAML at line \d+, column \d+ \(\w+\)/);
    expect(err.message).not.toContain("s3cr3t");
  });

  it("file under a policy: only inside --trigger-files-dir (symbolic links resolved), or none at all", async () => {
    const root = join(dir, "allowed");
    await mkdir(root, { recursive: true });
    await writeFile(join(root, "wf.yaml"), CM_YAML);
    await writeFile(join(dir, "outside.yaml"), CM_YAML);
    await symlink(join(dir, "outside.yaml"), join(root, "escape.yaml"));
    const load = (path: string, files: FileSourcePolicy) => compileSource({ file: { path } }, where, "src").load({ ...ctx(), files });
    expect(await load("wf.yaml", { root })).toEqual(WANT);
    expect(await load(join(root, "wf.yaml"), { root })).toEqual(WANT);
    await expect(load(join(dir, "outside.yaml"), { root })).rejects.toThrow(/outside --trigger-files-dir/);
    await expect(load("../outside.yaml", { root })).rejects.toThrow(/outside --trigger-files-dir/);
    await expect(load("escape.yaml", { root })).rejects.toThrow(/outside --trigger-files-dir/);
    await expect(load("absent.yaml", { root })).rejects.toBeInstanceOf(SourceFileNotFoundError);
    const refused = await load(join(root, "wf.yaml"), { refused: "not with --kube" }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(TriggerError);
    expect(isRetryable(refused)).toBe(false);
  });

  it("url is fetched at firing and reused within the TTL", async () => {
    let now = 1_000_000;
    const s = compileSource({ url: { path: `${base}/wf.yaml` } }, where, "src", () => now);
    expect(s.loaded).toBeUndefined();
    expect(await s.load(ctx())).toEqual(WANT);
    expect(await s.load(ctx())).toEqual(WANT);
    expect(hits).toBe(1);
    now += URL_SOURCE_TTL_MS;
    body = CM_YAML.replace("'1'", "'2'");
    expect((await s.load(ctx())).data).toEqual({ a: "2" });
    expect(hits).toBe(2);
  });

  it("url keeps what it fetched in the runtime's memory: two gateways in one process fetch it each", async () => {
    const s = compileSource({ url: { path: `${base}/wf.yaml` } }, where, "src");
    const other = newTriggerMemory();
    await s.load(ctx());
    await s.load(ctx(other));
    expect(hits).toBe(2);
    await s.load(ctx());
    await s.load(ctx(other));
    expect(hits).toBe(2);
    // A recompiled source (trigger parameters recompile at each firing) finds the same entry.
    await compileSource({ url: { path: `${base}/wf.yaml` } }, where, "src").load(ctx());
    expect(hits).toBe(2);
  });

  it("url remembers at most 256 URLs per runtime, dropping the oldest fetch", async () => {
    const load = (i: number) => compileSource({ url: { path: `${base}/${i}.yaml` } }, where, "src").load(ctx());
    for (let i = 0; i < 257; i++) await load(i);
    expect(memory.urlSources.size).toBe(256);
    expect(hits).toBe(257);
    await load(256);
    expect(hits).toBe(257);
    await load(0);
    expect(hits).toBe(258);
  });

  it.each([
    [404, CM_YAML, HttpRequestError],
    [200, "- not\n- an object\n", TriggerError],
  ])("url with status %i and body %j fails with %o", async (code, text, cls) => {
    status = code;
    body = text;
    const s = compileSource({ url: { path: `${base}/x.yaml` } }, where, "src");
    await expect(s.load(ctx())).rejects.toBeInstanceOf(cls);
  });

  it("configmap is read at firing from the sensor's namespace through the workflow client", async () => {
    const s = compileSource({ configmap: { name: "sources", key: "wf" } }, where, "src");
    expect(s.loaded).toBeUndefined();
    await expect(s.load(ctx())).rejects.toBeInstanceOf(NotFoundError);
    await store.create({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "sources", namespace: "argo" }, data: { wf: CM_YAML } });
    expect(await s.load(ctx())).toEqual(WANT);
    const missingKey = compileSource({ configmap: { name: "sources", key: "other" } }, where, "src");
    await expect(missingKey.load(ctx())).rejects.toBeInstanceOf(NotFoundError);
  });

  it.each([
    [{ git: { url: "https://g" } }, NotSupportedError],
    [{ s3: { bucket: {} } }, NotSupportedError],
    [{}, SpecError],
    [{ inline: "a: [" }, SpecError],
    [{ inline: "kind: X" }, SpecError],
    [{ url: { path: "ftp://x" } }, SpecError],
    [{ configmap: { name: "", key: "k" } }, SpecError],
    [{ file: { path: "" } }, SpecError],
  ])("rejects %j at load", (source, cls) => {
    expect(() => compileSource(source as ArtifactLocation, where, "src")).toThrow(cls);
  });
});

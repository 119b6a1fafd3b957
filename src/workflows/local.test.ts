import { spawn } from "node:child_process";
import { watch } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import type { KubeObject } from "../api/types.js";
import { AlreadyExistsError, BadRequestError, NotFoundError } from "../errors.js";
import { LocalWorkflowStore } from "./local.js";
import { packageRoot } from "../paths.js";

const AV = "argoproj.io/v1alpha1";

function workflow(meta: KubeObject["metadata"]): KubeObject {
  return {
    apiVersion: AV,
    kind: "Workflow",
    metadata: meta,
    spec: { workflowTemplateRef: { name: "build" }, arguments: { parameters: [{ name: "ref", value: "main" }] } },
  };
}

describe("LocalWorkflowStore", () => {
  let dir: string;
  let store: LocalWorkflowStore;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "tg-local-"));
    store = new LocalWorkflowStore({ dir, now: () => new Date("2024-05-01T10:20:30.456Z") });
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("writes a named Workflow to <dir>/<namespace>/<name>.yaml with server-set fields", async () => {
    const created = await store.create(workflow({ name: "wf-1", namespace: "argo" }));
    expect(created.metadata).toMatchObject({
      name: "wf-1",
      namespace: "argo",
      creationTimestamp: "2024-05-01T10:20:30Z",
    });
    expect(created.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.metadata.resourceVersion).toMatch(/^\d+$/);
    const onDisk = parse(await readFile(join(dir, "argo", "wf-1.yaml"), "utf8")) as KubeObject;
    expect(onDisk).toEqual(created);
    expect(await store.get(AV, "Workflow", "argo", "wf-1")).toEqual(created);
  });

  it("defaults the namespace to default and does not mutate the input", async () => {
    const input = workflow({ name: "wf-2" });
    await store.create(input);
    expect(input.metadata).toEqual({ name: "wf-2" });
    expect((await readdir(join(dir, "default"))).filter((f) => f.endsWith(".yaml"))).toEqual(["wf-2.yaml"]);
  });

  it("generateName gets 5 characters of the Kubernetes alphabet", async () => {
    const a = await store.create(workflow({ generateName: "build-" }));
    const b = await store.create(workflow({ generateName: "build-" }));
    expect(a.metadata.name).toMatch(/^build-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    expect(a.metadata.generateName).toBe("build-");
    expect(a.metadata.name).not.toBe(b.metadata.name);
    expect(a.metadata.resourceVersion).not.toBe(b.metadata.resourceVersion);
    const listed = await store.list(AV, "Workflow", "default");
    expect(listed.map((w) => w.metadata.name).sort()).toEqual([a.metadata.name, b.metadata.name].sort());
  });

  it("an existing name is AlreadyExistsError and the first object stays", async () => {
    await store.create(workflow({ name: "dup" }));
    const second = workflow({ name: "dup" });
    (second.spec as Record<string, unknown>).other = true;
    await expect(store.create(second)).rejects.toBeInstanceOf(AlreadyExistsError);
    const got = await store.get(AV, "Workflow", "default", "dup");
    expect((got.spec as Record<string, unknown>).other).toBeUndefined();
  });

  it("of 50 concurrent creates of one name exactly one succeeds", async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, (_, i) => store.create(workflow({ name: "race", labels: { n: String(i) } }))),
    );
    const ok = results.filter((r) => r.status === "fulfilled");
    const failed = results.filter((r) => r.status === "rejected");
    expect(ok).toHaveLength(1);
    expect(failed).toHaveLength(49);
    for (const f of failed) expect((f as PromiseRejectedResult).reason).toBeInstanceOf(AlreadyExistsError);
    const winner = (ok[0] as PromiseFulfilledResult<KubeObject>).value;
    expect(await store.get(AV, "Workflow", "default", "race")).toEqual(winner);
    expect(await readdir(join(dir, "default"))).toEqual([".tmp", "race.yaml"]);
    // The 49 losers wrote aside and cleaned up after themselves.
    expect(await readdir(join(dir, "default", ".tmp"))).toEqual([]);
  });

  it("processes racing for the same names: each name is won by exactly one, and a reader polling the folder never sees a file before it is whole", async () => {
    // Real concurrency: the create is synchronous, so only separate processes interleave.
    // They run the built store (npm test builds first).
    const built = pathToFileURL(join(packageRoot(), "dist/src/workflows/local.js")).href;
    const script = `
      import { LocalWorkflowStore } from ${JSON.stringify(built)};
      const store = new LocalWorkflowStore(process.argv[1]);
      let won = 0;
      for (let i = 0; i < 200; i++) {
        try {
          await store.create({ apiVersion: "argoproj.io/v1alpha1", kind: "Workflow",
            metadata: { name: "wf-" + i, namespace: "race", labels: { by: process.argv[2] } }, spec: { pad: "x".repeat(4000) } });
          won++;
        } catch (err) { if (err.name !== "AlreadyExistsError") throw err; }
      }
      console.log(won);`;
    const run = (by: string): Promise<number> =>
      new Promise((resolve, reject) => {
        const child = spawn(process.execPath, ["--input-type=module", "-e", script, dir, by], {
          stdio: ["ignore", "pipe", "inherit"],
        });
        let out = "";
        child.stdout.on("data", (d: Buffer) => (out += d.toString()));
        child.on("exit", (code) => (code === 0 ? resolve(Number(out.trim())) : reject(new Error(`exit ${code}`))));
      });
    let done = false;
    let torn = 0;
    let seen = 0;
    const poll = async () => {
      while (!done) {
        const names = await readdir(join(dir, "race")).catch(() => [] as string[]);
        for (const f of names.filter((n) => n.endsWith(".yaml"))) {
          const text = await readFile(join(dir, "race", f), "utf8").catch(() => "");
          seen++;
          if (!text.endsWith("}\n") || (JSON.parse(text) as { spec: { pad: string } }).spec.pad.length !== 4000) torn++;
        }
        await new Promise((r) => setImmediate(r));
      }
    };
    const polling = poll();
    const wins = await Promise.all([run("a"), run("b"), run("c")]).finally(() => (done = true));
    await polling;
    expect(torn).toBe(0);
    expect(seen).toBeGreaterThan(0);
    expect(wins.reduce((a, b) => a + b, 0)).toBe(200);
    const files = (await readdir(join(dir, "race"))).filter((f) => f !== ".tmp");
    expect(files).toHaveLength(200);
    expect(await readdir(join(dir, "race", ".tmp"))).toEqual([]);
    for (const f of files) {
      const obj = JSON.parse(await readFile(join(dir, "race", f), "utf8")) as KubeObject;
      expect((obj.spec as { pad: string }).pad).toHaveLength(4000);
    }
  });

  it("a temp file left by a writer that died before its link is never listed and does not block the name", async () => {
    await mkdir(join(dir, "argo", ".tmp"), { recursive: true });
    await writeFile(join(dir, "argo", ".tmp", "torn.yaml.0123456789ab.tmp"), '{"half":');
    expect(await store.list(AV, "Workflow", "argo")).toEqual([]);
    const created = await store.create(workflow({ name: "torn", namespace: "argo" }));
    expect(await store.get(AV, "Workflow", "argo", "torn")).toEqual(created);
    expect(await readdir(join(dir, "argo"))).toEqual([".tmp", "torn.yaml"]);
    expect(await readdir(join(dir, "argo", ".tmp"))).toEqual(["torn.yaml.0123456789ab.tmp"]);
  });

  it("someone watching the folder sees each created file appear once, and never a temp file", async () => {
    await store.create(workflow({ name: "first", namespace: "argo" }));
    const names: string[] = [];
    const watcher = watch(join(dir, "argo"), (_type, f) => f && names.push(f));
    try {
      for (let i = 0; i < 20; i++) await store.create(workflow({ name: `w-${i}`, namespace: "argo" }));
      await expect.poll(() => new Set(names).size, { timeout: 2000 }).toBe(20);
    } finally {
      watcher.close();
    }
    expect(names.filter((n) => !/^w-\d+\.yaml$/.test(n))).toEqual([]);
    expect(new Set(names)).toEqual(new Set(Array.from({ length: 20 }, (_, i) => `w-${i}.yaml`)));
  });

  it("a stored file emptied by hand is a clear error naming it, and its name stays taken", async () => {
    await mkdir(join(dir, "argo"), { recursive: true });
    const path = join(dir, "argo", "blank.yaml");
    await writeFile(path, "");
    await expect(store.get(AV, "Workflow", "argo", "blank")).rejects.toThrow(`${path} does not hold an object`);
    await expect(store.create(workflow({ name: "blank", namespace: "argo" }))).rejects.toBeInstanceOf(AlreadyExistsError);
  });

  it("stores other kinds under <kind>s/", async () => {
    const cm: KubeObject = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "cfg" }, data: { a: "1" } };
    await store.create(cm);
    expect(await readdir(join(dir, "default", "configmaps"))).toEqual([".tmp", "cfg.yaml"]);
    expect((await store.get("v1", "ConfigMap", "default", "cfg")).data).toEqual({ a: "1" });
    expect(await store.list(AV, "Workflow", "default")).toEqual([]);
  });

  it("get of a missing object is NotFoundError; list of a missing namespace is empty", async () => {
    await expect(store.get(AV, "Workflow", "default", "nope")).rejects.toBeInstanceOf(NotFoundError);
    expect(await store.list(AV, "Workflow", "nowhere")).toEqual([]);
  });

  it.each([
    ["../escape", "default"],
    ["UPPER", "default"],
    ["ok", "../x"],
    ["ok", "a/b"],
  ])("rejects name %j in namespace %j", async (name, namespace) => {
    await expect(store.create(workflow({ name, namespace }))).rejects.toBeInstanceOf(BadRequestError);
  });

  it("requires name or generateName", async () => {
    await expect(store.create(workflow({}))).rejects.toBeInstanceOf(BadRequestError);
  });

  it("accepts a directory string like the serve command passes", () => {
    expect(new LocalWorkflowStore(dir).dir).toBe(dir);
    expect(new LocalWorkflowStore().dir).toBe(".gateway/workflows");
  });
});

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { mkdtemp, mkdir, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { createLogger } from "../logger.js";
import { waitFor } from "../../test/support/wait.js";
import type { ApplyFailure, ApplyResult } from "./spec-source.js";
import type { SpecSet } from "./specs.js";
import { FileSpecSource } from "./file-source.js";

const template = (name: string, image: string) => `apiVersion: argoproj.io/v1alpha1
kind: WorkflowTemplate
metadata:
  name: ${name}
  namespace: argo
spec:
  entrypoint: main
  templates:
    - name: main
      container:
        image: ${image}
`;
const broken = (name: string) => template(name, "x").replace(/templates:[\s\S]*/, "templates: 3\n");

const DEBOUNCE = 50;

interface Harness {
  source: FileSpecSource;
  /** Starts the source with a handler that records each set and answers `result`. */
  start(): Promise<void>;
  applied: SpecSet[];
  rejected: ApplyFailure[];
  logs: Record<string, unknown>[];
  /** name -> image of the last applied set. */
  images(): Record<string, string>;
  /** Resolves with the set applied after `n` applies in all. */
  nth(n: number): Promise<SpecSet>;
}

function harness(paths: string[], result: (set: SpecSet) => ApplyResult = () => ({ failures: [] })): Harness {
  const logs: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString("utf8").split("\n").filter(Boolean)) logs.push(JSON.parse(l) as Record<string, unknown>);
      done();
    },
  });
  const applied: SpecSet[] = [];
  const rejected: ApplyFailure[] = [];
  const source = new FileSpecSource({
    paths,
    logger: createLogger({ level: "debug", destination: sink }),
    debounceMs: DEBOUNCE,
    onRejected: (r) => rejected.push(r),
  });
  const h: Harness = {
    source,
    start: () =>
      source.start(async (set) => {
        applied.push(set);
        return result(set);
      }),
    applied,
    rejected,
    logs,
    images: () =>
      Object.fromEntries(
        (applied.at(-1)?.workflowTemplates ?? []).map((t) => [
          t.metadata.name ?? "",
          (t.spec as { templates: { container: { image: string } }[] }).templates[0].container.image,
        ]),
      ),
    nth: (n) => waitFor(() => applied[n - 1], 10_000, `apply #${n}`),
  };
  return h;
}

let dir: string;
const sources: FileSpecSource[] = [];
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "tg-file-source-"));
});
afterEach(async () => {
  await Promise.all(sources.splice(0).map((s) => s.stop()));
  await rm(dir, { recursive: true, force: true });
});

async function started(paths: string[] = [dir], result?: (set: SpecSet) => ApplyResult): Promise<Harness> {
  const h = harness(paths, result);
  sources.push(h.source);
  await h.start();
  return h;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("FileSpecSource", () => {
  it("loads a spec with a field Argo ignores, warning once, not again on a reload that leaves it as it is", async () => {
    // `policy` belongs in the trigger, not its template (an official example has it there); Argo drops it.
    await writeFile(
      join(dir, "s.yaml"),
      `apiVersion: argoproj.io/v1alpha1
kind: Sensor
metadata: {name: s, namespace: argo-events}
spec:
  dependencies: [{name: d, eventSourceName: e, eventName: x}]
  triggers:
    - template: {name: t, log: {}, policy: {status: {allow: [200]}}}
`,
    );
    await writeFile(join(dir, "b.yaml"), template("b", "b:1"));
    const h = await started();
    const warned = () => h.logs.filter((l) => l.code === "SPEC_WARNING").map((l) => l.msg);
    expect(warned()).toEqual([`${join(dir, "s.yaml")}:7:36 Sensor/s spec.triggers[0].template.policy: unknown field, ignored as Argo ignores it (it belongs at spec.triggers[0].policy, where Argo reads it)`]);
    expect(h.applied[0]?.sensors[0]?.spec.triggers[0]?.template).toEqual({ name: "t", log: {} });

    await writeFile(join(dir, "b.yaml"), template("b", "b:2"));
    await h.nth(2);
    expect(warned()).toHaveLength(1);
  });

  it("refuses to start on an invalid spec, with one FILE:LINE:COL line per error", async () => {
    await writeFile(join(dir, "a.yaml"), broken("a"));
    const h = harness([dir]);
    await expect(h.start()).rejects.toThrow(/1 invalid spec\(s\); nothing started/);
    expect(h.applied).toEqual([]);
    expect(h.logs.filter((l) => l.level === 50).map((l) => l.msg)).toEqual([
      expect.stringMatching(new RegExp(`^${join(dir, "a.yaml")}:8:3 WorkflowTemplate/a spec.templates: `)),
    ]);
  });

  it("refuses to start when the first set cannot be applied", async () => {
    await writeFile(join(dir, "a.yaml"), template("a", "a:1"));
    const h = harness([dir], () => ({ failures: [{ kind: "WorkflowTemplate", namespace: "argo", name: "a", message: "no" }] }));
    await expect(h.start()).rejects.toThrow("cannot apply WorkflowTemplate argo/a: no; nothing started");
  });

  it("applies an edit, an added file and a deleted file, and logs the reload", async () => {
    await writeFile(join(dir, "a.yaml"), template("a", "a:1"));
    await writeFile(join(dir, "b.yaml"), template("b", "b:1"));
    const h = await started();
    expect(h.images()).toEqual({ a: "a:1", b: "b:1" });

    await writeFile(join(dir, "a.yaml"), template("a", "a:2"));
    await h.nth(2);
    expect(h.images()).toEqual({ a: "a:2", b: "b:1" });
    expect(h.logs.find((l) => l.msg === "specs reloaded")).toMatchObject({ workflowTemplates: 2, rejected: 0 });

    await writeFile(join(dir, "c.yaml"), template("c", "c:1"));
    await h.nth(3);
    expect(h.images()).toEqual({ a: "a:2", b: "b:1", c: "c:1" });

    await rm(join(dir, "b.yaml"));
    await h.nth(4);
    expect(h.images()).toEqual({ a: "a:2", c: "c:1" });
  });

  it("keeps the previous version of a spec whose change is invalid, while other changes apply", async () => {
    await writeFile(join(dir, "a.yaml"), template("a", "a:1"));
    await writeFile(join(dir, "b.yaml"), template("b", "b:1"));
    const h = await started();
    await writeFile(join(dir, "a.yaml"), broken("a"));
    await writeFile(join(dir, "b.yaml"), template("b", "b:2"));
    await waitFor(() => (h.images().b === "b:2" ? true : undefined), 10_000, "b:2 applied");
    expect(h.images()).toEqual({ a: "a:1", b: "b:2" });
    const error = h.logs.find((l) => l.level === 50);
    expect(error).toMatchObject({ previous: "keeps running", msg: expect.stringContaining(`${join(dir, "a.yaml")}:8:3 WorkflowTemplate/a`) });
    expect(h.rejected).toContainEqual(expect.objectContaining({ kind: "WorkflowTemplate", namespace: "argo", name: "a" }));

    await writeFile(join(dir, "a.yaml"), template("a", "a:3"));
    await waitFor(() => (h.images().a === "a:3" ? true : undefined), 10_000, "a:3 applied");
  });

  it("coalesces a burst of writes into few applies, and ignores changes that change nothing", async () => {
    await writeFile(join(dir, "a.yaml"), template("a", "a:0"));
    const h = await started();
    for (let i = 1; i <= 20; i++) await writeFile(join(dir, "a.yaml"), template("a", `a:${i}`));
    await waitFor(() => (h.images().a === "a:20" ? true : undefined), 10_000, "a:20 applied");
    expect(h.applied.length).toBeLessThanOrEqual(4);

    const before = h.applied.length;
    await writeFile(join(dir, "a.yaml"), template("a", "a:20")); // same content
    await writeFile(join(dir, "4913"), ""); // vim's probe file
    await writeFile(join(dir, ".a.yaml.swp"), "");
    await sleep(DEBOUNCE * 6);
    expect(h.applied.length).toBe(before);
  });

  it("follows a file given directly across atomic saves (rename over it)", async () => {
    const file = join(dir, "a.yaml");
    await writeFile(file, template("a", "a:1"));
    await writeFile(join(dir, "other.yaml"), template("o", "o:1"));
    const h = await started([file]);
    expect(h.images()).toEqual({ a: "a:1" });
    for (const image of ["a:2", "a:3"]) {
      await writeFile(join(dir, ".a.yaml.tmp"), template("a", image));
      await rename(join(dir, ".a.yaml.tmp"), file);
      await waitFor(() => (h.images().a === image ? true : undefined), 10_000, `${image} applied`);
    }
    // Files next to it are not part of the config.
    expect(h.images()).toEqual({ a: "a:3" });
  });

  it("watches directories created after the start", async () => {
    const h = await started();
    await mkdir(join(dir, "team"));
    await writeFile(join(dir, "team", "a.yaml"), template("a", "a:1"));
    await waitFor(() => (h.images().a === "a:1" ? true : undefined), 10_000, "a:1 applied");
    await writeFile(join(dir, "team", "b.yaml"), template("b", "b:1"));
    await waitFor(() => (h.images().b === "b:1" ? true : undefined), 10_000, "b:1 applied");
    await rm(join(dir, "team"), { recursive: true });
    await waitFor(() => (Object.keys(h.images()).length === 0 ? true : undefined), 10_000, "team removed");
  });

  it("stops reloading once stopped", async () => {
    await writeFile(join(dir, "a.yaml"), template("a", "a:1"));
    const h = await started();
    await h.source.stop();
    await writeFile(join(dir, "a.yaml"), template("a", "a:2"));
    await sleep(DEBOUNCE * 4);
    expect(h.applied).toHaveLength(1);
  });
});

// The Dockerfile's steps, run without a Docker daemon: the build stage's COPY sources
// are copied into an empty directory and built there with its RUN command, then the
// runtime stage is assembled from what its COPY --from=build lines name, and the CLI
// the ENTRYPOINT runs is started from that layout. A file the image needs but the
// Dockerfile does not copy fails here. (`npm ci` is replaced by a link to this
// checkout's node_modules: the registry is not what is under test.)
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { packageRoot } from "../../src/paths.js";

const root = packageRoot();

interface Copy {
  from?: string;
  sources: string[];
  dest: string;
}
interface Stage {
  name?: string;
  copies: Copy[];
  runs: string[];
  entrypoint?: string[];
}

function parseDockerfile(text: string): Stage[] {
  const stages: Stage[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const [instr, ...rest] = line.split(/\s+/);
    const args = rest.join(" ");
    const stage = stages[stages.length - 1];
    switch (instr.toUpperCase()) {
      case "FROM": {
        const m = /\s+AS\s+(\S+)$/i.exec(args);
        stages.push({ name: m?.[1], copies: [], runs: [] });
        break;
      }
      case "COPY": {
        const words = rest.filter((w) => !w.startsWith("--chown"));
        const from = words[0]?.startsWith("--from=") ? words.shift()!.slice("--from=".length) : undefined;
        stage.copies.push({ from, sources: words.slice(0, -1), dest: words[words.length - 1] });
        break;
      }
      case "RUN":
        stage.runs.push(args);
        break;
      case "ENTRYPOINT":
        stage.entrypoint = JSON.parse(args) as string[];
        break;
    }
  }
  return stages;
}

const stages = parseDockerfile(readFileSync(join(root, "Dockerfile"), "utf8"));
const work = mkdtempSync(join(tmpdir(), "tg-image-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("Dockerfile", () => {
  it("has a build stage and a runtime stage whose entrypoint is the built CLI", () => {
    expect(stages).toHaveLength(2);
    expect(stages[0].name).toBe("build");
    expect(stages[1].entrypoint).toEqual(["node", "dist/src/cli.js"]);
  });

  it("builds from its COPY sources alone, and the runtime layout it assembles runs the CLI", () => {
    const build = join(work, "build");
    const image = join(work, "image");
    mkdirSync(image, { recursive: true });
    for (const c of stages[0].copies) {
      for (const s of c.sources) {
        expect(existsSync(join(root, s)), `COPY ${s}: in the build context`).toBe(true);
        const dest = c.dest === "./" ? join(build, s) : join(build, c.dest);
        cpSync(join(root, s), dest, { recursive: true });
      }
    }
    // `RUN npm ci`: the dependencies, linked rather than downloaded (so `npm prune` is not run: it would prune this checkout).
    expect(stages[0].runs).toContain("npm ci");
    symlinkSync(join(root, "node_modules"), join(build, "node_modules"), "dir");
    const buildRun = stages[0].runs.find((r) => r.startsWith("npm run build"));
    expect(buildRun, "the build stage runs npm run build").toBeDefined();
    execFileSync("npm", ["run", "build"], { cwd: build, stdio: "pipe" });
    for (const c of stages[1].copies) {
      expect(c.from, `runtime COPY ${c.sources.join(" ")} comes from the build stage`).toBe("build");
      for (const s of c.sources) {
        const src = join(build, s.replace(/^\/app\/?/, ""));
        expect(existsSync(src), `COPY --from=build ${s}: the build stage has it`).toBe(true);
        // Docker: a destination ending in "/" is a directory the source goes into.
        const dest = c.dest.endsWith("/") ? join(image, c.dest, basename(src)) : join(image, c.dest);
        cpSync(src, dest, { recursive: true, dereference: false });
      }
    }
    const [node, cli] = stages[1].entrypoint!;
    const run = (...args: string[]) => execFileSync(node === "node" ? process.execPath : node, [cli, ...args], { cwd: image, encoding: "utf8" });
    expect(run("version").trim()).toMatch(/^\d+\.\d+\.\d+/);
    // validate reads the CRDs (schemas) and the precompiled validators from the image.
    const out = run("validate", join(root, "fixtures", "quickstart"));
    expect(out.trim()).toBe("3 spec(s) valid");
  }, 180_000);
});

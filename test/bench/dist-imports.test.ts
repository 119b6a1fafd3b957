// The bench scripts import the build (dist/src/...), which a stale dist/ can keep
// working after a module moves: each path they name must come from a module in src/.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { packageRoot } from "../../src/paths.js";

const bench = join(packageRoot(), "bench");
const scripts = readdirSync(bench).filter((f) => f.endsWith(".mjs"));

describe("bench scripts", () => {
  it("exist", () => {
    expect(scripts).toEqual(expect.arrayContaining(["run.mjs", "gateway.mjs", "sensor-scale.mjs"]));
  });

  it.each(scripts)("%s names only dist modules that src/ builds", (script) => {
    const text = readFileSync(join(bench, script), "utf8");
    const named = [...text.matchAll(/\.\.\/dist\/(src\/[^"'`]+)\.js/g)].map((m) => m[1] as string);
    const missing = named.filter((p) => !existsSync(join(packageRoot(), `${p}.ts`)));
    expect(missing).toEqual([]);
  });
});

// Trigger-level parameters recompile the (changed) templates on every firing; the
// compiled templates are shared by source text, in a cache bounded at 1000 entries.
import { describe, expect, it } from "vitest";
import type { CompiledGoTemplate } from "../expr/gotemplate/index.js";
import { compileParameters } from "./parameters.js";
import { Where } from "./where.js";

const where = new Where("ns", "sensor");
const CACHE_MAX = 1000;

/** The compiled dataTemplate of one parameter, as a firing gets it. */
function compiled(template: string): CompiledGoTemplate {
  const [p] = compileParameters([{ src: { dependencyName: "dep", dataTemplate: template }, dest: "a" }], where, "p");
  return p.template!;
}

// Unique per call, so a test never hits what another test (or file) left in the cache.
let n = 0;
const fresh = (tag: string) => `{{ .Input.body.ref }}{{/* ${tag} ${++n} */}}`;

describe("compiled template sharing", () => {
  it("compiles a template source once: later firings get the same compiled template", () => {
    const a = fresh("a");
    const first = compiled(a);
    expect(first.source).toBe(a);
    expect(first.render({ Input: { body: { ref: "main" } } })).toBe("main");
    expect(compiled(a)).toBe(first);
  });

  it("keeps earlier templates while others are compiled", () => {
    const a = fresh("a");
    const first = compiled(a);
    compiled(fresh("b"));
    compiled(fresh("c"));
    expect(compiled(a)).toBe(first);
  });

  it("is bounded: once 1000 templates are held, the next new one starts it afresh", () => {
    // Find the moment the cache is emptied: a template compiled before is compiled anew.
    const probe = fresh("probe");
    let held = compiled(probe);
    let flushed = false;
    for (let i = 0; i <= CACHE_MAX && !flushed; i++) {
      compiled(fresh("fill"));
      const again = compiled(probe);
      flushed = again !== held;
      held = again;
    }
    expect(flushed).toBe(true);
    // Now it holds exactly the last filler and the probe: 998 more make 1000, all kept.
    for (let i = 0; i < CACHE_MAX - 2; i++) compiled(fresh("fill"));
    expect(compiled(probe)).toBe(held);
    // The 1001st distinct template empties it: the probe is compiled anew.
    compiled(fresh("overflow"));
    const after = compiled(probe);
    expect(after).not.toBe(held);
    expect(after.source).toBe(probe);
  });
});

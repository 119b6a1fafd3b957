import { describe, expect, it } from "vitest";
import { compileGoTemplate, GoTemplateError } from "./index.js";
import { TEMPLATE_MAX_LIST, TEMPLATE_MAX_OUTPUT } from "./exec.js";

function run(source: string, data: unknown): { ms: number; err?: unknown; out?: string } {
  const t = compileGoTemplate(source);
  const started = performance.now();
  try {
    const out = t.render(data);
    return { ms: performance.now() - started, out };
  } catch (err) {
    return { ms: performance.now() - started, err };
  }
}

describe("templates run within a budget", () => {
  it.each([
    ["a huge list from the payload (the heap-exhaustion finding)", "{{ len (until (int .Input.body.n)) }}", { Input: { body: { n: 60_000_000 } } }],
    ["nested loops (the 14.75 s stall finding)", "{{ range until 12000 }}{{ range until 12000 }}{{ end }}{{ end }}", {}],
    ["unbounded output", "{{ range until 90000 }}0123456789012345678901234567890123456789{{ end }}", {}],
    ["a huge repeat", '{{ repeat 100000000 "x" }}', {}],
    ["a huge seq", "{{ seq 100000000 }}", {}],
    ["a huge random string", "{{ randAlphaNum 100000000 }}", {}],
    ["huge random bytes", "{{ randBytes 100000000 }}", {}],
    ["a wrap that multiplies its input", "{{ wrapWith 1 .Input.sep .Input.s }}", { Input: { sep: "-".repeat(4096), s: "a ".repeat(4096) } }],
    ["bcrypt in a loop", '{{ range until 100 }}{{ bcrypt "x" }}{{ end }}', {}],
  ])("%s: a clear error, quickly", (_name, source, data) => {
    const r = run(source, data);
    expect(r.err).toBeInstanceOf(GoTemplateError);
    expect(String((r.err as Error).message)).toMatch(/exceeded its budget/);
    expect(r.ms).toBeLessThan(5_000);
  });

  it("real templates stay well inside it", () => {
    expect(run(`{{ range until ${TEMPLATE_MAX_LIST} }}{{ end }}ok`, {}).out).toBe("ok");
    expect(run(`{{ repeat ${TEMPLATE_MAX_OUTPUT} "x" | len }}`, {}).out).toBe(String(TEMPLATE_MAX_OUTPUT));
    expect(run('{{ .a | upper }}-{{ len (until 10) }}', { a: "x" }).out).toBe("X-10");
  });
});

describe("Go's fmt limits and linear PEM trimming", () => {
  it("refuses a printf width or precision beyond 1e6 as Go's fmt does (tooLarge)", async () => {
    const { compileGoTemplate } = await import("./index.js");
    expect(compileGoTemplate('{{ printf "%*d" 400000000 1 }}').render({})).toBe("%!(BADWIDTH)1");
    expect(compileGoTemplate('{{ printf "%400000000d" 1 }}').render({}).length).toBeLessThan(20);
    expect(compileGoTemplate('{{ printf "%*d" 5 1 }}').render({})).toBe("    1");
  });
});

describe("what functions make counts against the budget", () => {
  it.each([
    ["indent of a million lines by 500", '{{ indent 500 (repeat 1000000 "\\n") | len }}'],
    ["a replacement that multiplies the input", '{{ replace "a" (repeat 100000 "b") (repeat 1000 "a") | len }}'],
    ["a value doubled in a loop and kept in a variable", '{{ $x := "ab" }}{{ range (until 40) }}{{ $x = print $x $x }}{{ end }}{{ len $x }}'],
  ])("%s is refused with a budget error", async (_what, src) => {
    const { compileGoTemplate } = await import("./index.js");
    expect(() => compileGoTemplate(src).render({})).toThrow(/exceeded its budget/);
  });
});

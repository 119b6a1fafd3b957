// The literal recogniser against the regex engine the filters really use: whenever
// it names a literal, the compiled pattern must match exactly that one string.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compileRegex, type CompiledRegex } from "../../expr/regex.js";
import { anchoredLiteral } from "./pins.js";

function tryCompile(pattern: string): CompiledRegex | undefined {
  try {
    return compileRegex(pattern);
  } catch {
    return undefined;
  }
}

/** Strings a literal could be confused with: near misses around newlines, case and escapes. */
function nearMisses(lit: string): string[] {
  return [lit, "", `${lit}\n`, `\n${lit}`, `${lit}${lit}`, lit.slice(1), lit.slice(0, -1), lit.toUpperCase(), lit.toLowerCase(), `^${lit}$`, `\\${lit}`, `${lit}$`, `x${lit}`];
}

describe("anchoredLiteral", () => {
  it.each([
    ["^main$", "main"],
    ["^$", ""],
    ["^a\\.b$", "a.b"],
    ["^a\\\\$", "a\\"],
    ["^\\$$", "$"],
    ["^\\^x$", "^x"],
    ["^\\Qa.b*\\E$", "a.b*"],
    ["^x\\Q\\E$", "x"],
    ["^\\Qa\\\\E$", "a\\"],
    ["^acme/app-1 2#@~$", "acme/app-1 2#@~"],
    ["^\u00e9t\u00e9 😀$", "\u00e9t\u00e9 😀"],
  ])("%j is the literal %j", (pattern, lit) => {
    expect(anchoredLiteral(pattern)).toBe(lit);
    const re = compileRegex(pattern);
    for (const s of nearMisses(lit)) expect(re.test(s), JSON.stringify(s)).toBe(s === lit);
  });

  it.each([
    "main", // unanchored: a substring match
    "^main", // no end anchor
    "main$",
    "^main\\$", // the last `$` is escaped
    "^\\Qmain$", // \Q without \E swallows the `$`
    "(?i)^main$", // flags
    "^(?i)main$",
    "^ma.n$",
    "^refs/heads/.*$",
    "^a|b$",
    "^(main)$",
    "^[m]ain$",
    "^a{2}$",
    "^a{$", // literal `{` in RE2, but refused to keep things simple
    "^\\d$",
    "^\\n$",
    "^\\x41$",
    "^\\pL$",
    "^\\Aa$",
    "^a\\z$",
    "^a\\b$",
    "^^a$",
    "^a$$",
    "$",
    "^",
    "",
  ])("%j is no literal", (pattern) => {
    expect(anchoredLiteral(pattern)).toBeUndefined();
  });

  it("reads every escaped ASCII punctuation character as itself, and no escaped letter or digit", () => {
    for (let c = 0x20; c < 0x7f; c++) {
      const ch = String.fromCharCode(c);
      const lit = anchoredLiteral(`^\\${ch}$`);
      if (/[A-Za-z0-9 ]/.test(ch)) {
        expect(lit, ch).toBeUndefined();
        continue;
      }
      expect(lit, ch).toBe(ch);
      const re = compileRegex(`^\\${ch}$`);
      for (const s of nearMisses(ch)) expect(re.test(s), `${ch} vs ${JSON.stringify(s)}`).toBe(s === ch);
    }
  });

  // Patterns built from the characters that matter to RE2 syntax: a literal named
  // for a pattern the engine accepts must be the only string it matches.
  const TOKENS = ["^", "$", "\\", "a", "A", ".", "Q", "E", "*", "(", ")", "?", "i", "\n", "{", "}", "1", "_", " ", "|", "[", "]", "-", "😀", "\uD83D", "\\.", "\\\\", "\\Q", "\\E", "\\$", "\\^"];
  const token = fc.constantFrom(...TOKENS);
  // Mostly anchored at both ends, so that a good share are literals.
  const anchor = fc.constantFrom(true, true, true, false);
  const pattern = fc.tuple(anchor, fc.array(token, { maxLength: 8 }), anchor).map(([b, mid, e]) => `${b ? "^" : ""}${mid.join("")}${e ? "$" : ""}`);
  const probe = fc.array(fc.constantFrom("a", "A", ".", "\\", "$", "^", "\n", "Q", "E", "1", "_", "😀", "\uD83D", "\uDE00"), { maxLength: 6 }).map((xs) => xs.join(""));

  it("never names a literal the compiled pattern does not match exactly (fuzzed against re2js)", () => {
    let literals = 0;
    fc.assert(
      fc.property(pattern, fc.array(probe, { maxLength: 10 }), (p, probes) => {
        const lit = anchoredLiteral(p);
        if (lit === undefined) return;
        const re = tryCompile(p);
        // Whatever the recogniser accepts is a valid pattern.
        expect(re, p).toBeDefined();
        if (!re) return;
        literals++;
        for (const s of [...nearMisses(lit), ...probes]) expect(re.test(s), `${JSON.stringify(p)} on ${JSON.stringify(s)}`).toBe(s === lit);
      }),
      { numRuns: 3000 },
    );
    expect(literals).toBeGreaterThan(300);
  });

  it("recognises any string written with escapes or \\Q...\\E (not only trivial ones)", () => {
    const escape = (s: string) => s.replace(/[\\.+*?()|[\]{}^$]/g, "\\$&");
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 12 }), (s) => {
        expect(anchoredLiteral(`^${escape(s)}$`)).toBe(s);
        if (!s.includes("\\E")) expect(anchoredLiteral(`^\\Q${s}\\E$`)).toBe(s);
        const re = compileRegex(`^${escape(s)}$`);
        expect(re.test(s)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});

#!/usr/bin/env node
// Prints the mutation scores of `npm run mutate` as JSON, one entry per module of
// scope.mjs (and per file), after taking out the survivors equivalent.json lists.
// Exit 1 when a module is under the target, or when a listed equivalent no longer
// matches the mutants it names (the code changed: look at it again).
//   node mutation/report.mjs              scores
//   node mutation/report.mjs --survivors  also every unlisted survivor, with its source
//   node mutation/report.mjs --report F   read Stryker's JSON report from F
//   node mutation/report.mjs --equivalents F   read the equivalent mutants from F
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { MODULES, TARGET } from "./scope.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const at = process.argv.indexOf("--report");
const report = JSON.parse(readFileSync(at > 0 ? process.argv[at + 1] : `${root}reports/mutation/mutation.json`, "utf8"));
const eq = process.argv.indexOf("--equivalents");
const equivalents = JSON.parse(readFileSync(eq > 0 ? process.argv[eq + 1] : `${root}mutation/equivalent.json`, "utf8")).mutants;

/** The source text a mutant replaced. */
function original(source, loc) {
  const lines = source.split("\n");
  const { start, end } = loc;
  if (start.line === end.line) return lines[start.line - 1].slice(start.column - 1, end.column - 1);
  return [lines[start.line - 1].slice(start.column - 1), ...lines.slice(start.line, end.line - 1), lines[end.line - 1].slice(0, end.column - 1)].join("\n");
}

const squash = (s) => s.replace(/\s+/g, " ").trim();
const matches = (e, file, m, text) =>
  e.file === file && e.mutator === m.mutatorName && squash(e.original) === squash(text) && squash(e.replacement) === squash(m.replacement);

const used = new Map(equivalents.map((e) => [e, 0]));
const survivors = [];
const byFile = {};
for (const [file, { source, mutants }] of Object.entries(report.files)) {
  const c = { killed: 0, timeout: 0, survived: 0, noCoverage: 0, equivalent: 0, ignored: 0, errors: 0 };
  for (const m of mutants) {
    if (m.status === "Killed") c.killed++;
    else if (m.status === "Timeout") c.timeout++;
    else if (m.status === "Ignored") c.ignored++;
    else if (m.status === "CompileError" || m.status === "RuntimeError") c.errors++;
    else {
      const text = original(source, m.location);
      const e = equivalents.find((x) => matches(x, file, m, text));
      if (e) {
        used.set(e, used.get(e) + 1);
        c.equivalent++;
      } else {
        if (m.status === "NoCoverage") c.noCoverage++;
        else c.survived++;
        survivors.push({ file, line: m.location.start.line, mutator: m.mutatorName, original: squash(text), replacement: squash(m.replacement) });
      }
    }
  }
  byFile[file] = c;
}

const score = (c) => {
  const detected = c.killed + c.timeout;
  const valid = detected + c.survived + c.noCoverage;
  return valid === 0 ? 100 : Math.round((1000 * detected) / valid) / 10;
};
const add = (a, b) => Object.fromEntries(Object.keys(a).map((k) => [k, a[k] + b[k]]));

const modules = {};
const missing = [];
for (const [name, files] of Object.entries(MODULES)) {
  const present = files.filter((f) => byFile[f]);
  missing.push(...files.filter((f) => !byFile[f]));
  if (present.length === 0) continue;
  const total = present.map((f) => byFile[f]).reduce(add);
  modules[name] = { score: score(total), ...total, files: Object.fromEntries(present.map((f) => [f, { score: score(byFile[f]), ...byFile[f] }])) };
}
// An entry must match exactly the number of mutants it says (1 unless `count`).
const stale = equivalents.filter((e) => used.get(e) !== (e.count ?? 1)).map((e) => ({ ...e, matched: used.get(e) }));
const below = Object.entries(modules).filter(([, m]) => m.score < TARGET).map(([n]) => n);
const out = {
  target: TARGET,
  pass: below.length === 0 && stale.length === 0,
  below,
  modules,
  ...(missing.length ? { notMutatedThisRun: missing } : {}),
  ...(stale.length ? { staleEquivalents: stale } : {}),
  ...(process.argv.includes("--survivors") ? { survivors } : { survivorsUnlisted: survivors.length }),
};
console.log(JSON.stringify(out, null, 2));
process.exitCode = out.pass ? 0 : 1;

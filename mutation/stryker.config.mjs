// @ts-check
// Mutation testing of the trust boundaries and delivery guarantees (`npm run mutate`).
// The modules and the target live in scope.mjs; report.mjs prints the scores.
import { FILES } from "./scope.mjs";

/** @type {import("@stryker-mutator/api/core").PartialStrykerOptions} */
export default {
  testRunner: "vitest",
  vitest: { configFile: "mutation/vitest.config.ts", related: true },
  // Each mutant runs only the tests that reached it in the dry run.
  coverageAnalysis: "perTest",
  mutate: FILES,
  plugins: ["@stryker-mutator/*", "./mutation/ignore-logging.mjs"],
  ignorers: ["Logging"],
  // Two cores: one vitest worker each.
  concurrency: 2,
  // A mutant that makes a loop endless (the rate limiter's, a retry) is a timeout, counted as killed.
  timeoutMS: 5_000,
  incremental: true,
  // Reuse the results of mutants whose code and covering tests did not change (committed, so a fresh clone re-runs only what changed; `npm run mutate -- --force` runs them all).
  incrementalFile: "mutation/stryker-incremental.json",
  reporters: ["json", "html", "progress"],
  jsonReporter: { fileName: "reports/mutation/mutation.json" },
  htmlReporter: { fileName: "reports/mutation/mutation.html" },
  // report.mjs decides pass/fail per module, after taking out the listed equivalent mutants.
  thresholds: { high: 90, low: 85, break: null },
  ignorePatterns: ["dist", "bench", "deploy", ".gateway", "reports", "test-artifacts", ".stryker-tmp*"],
  tempDirName: ".stryker-tmp",
  cleanTempDir: "always",
};

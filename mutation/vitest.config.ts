import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// The tests Stryker runs against each mutant: the in-process ones (unit tests and the
// receiver/binding/semantics suites). Suites that drive nats-server or spawn the built
// CLI cannot see a mutant (they run dist/ or another process), so they only cost time.
export default defineConfig({
  root: fileURLToPath(new URL("..", import.meta.url)),
  test: {
    include: ["src/**/*.test.ts", "test/binding/endpoint.test.ts", "test/semantics/*.test.ts"],
    exclude: ["src/workflows/local.test.ts"],
    // Stryker switches mutants at run time, so modules need not be loaded afresh for each run.
    isolate: false,
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});

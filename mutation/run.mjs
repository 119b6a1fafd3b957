#!/usr/bin/env node
// `npm run mutate [-- stryker options]`: Stryker over the scope of scope.mjs, then the
// scores as JSON (report.mjs). E.g. `npm run mutate -- --force` ignores the incremental
// file; `npm run mutate -- --mutate src/sensor/naming.ts` mutates one file.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const stryker = spawnSync("npx", ["stryker", "run", "mutation/stryker.config.mjs", ...process.argv.slice(2)], { cwd: root, stdio: ["ignore", "inherit", "inherit"] });
if (stryker.status !== 0) process.exit(stryker.status ?? 1);
const report = spawnSync(process.execPath, ["mutation/report.mjs"], { cwd: root, stdio: "inherit" });
process.exit(report.status ?? 1);

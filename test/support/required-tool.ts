/**
 * Whether a suite that needs an outside program should skip: on a developer's machine
 * without it, yes (with the reason in the suite's name); under CI (`CI` set), never: a
 * missing program fails the run instead of leaving the suite silently green.
 */
export function skipWithout(tool: string, present: boolean, env: NodeJS.ProcessEnv = process.env): boolean {
  if (present) return false;
  if (env.CI) throw new Error(`${tool} is required in CI (CI=${env.CI}) but was not found; .ci/run installs it`);
  return true;
}

// A Stryker ignorer: no mutants inside logging calls (`log.info(...)`, `this.log.warn(...)`,
// `ctx.logger.error(...)`, `logger.child({...})`). Which lines are logged, and their text
// and fields, decide nothing at a trust boundary or in delivery; the decisions themselves are
// asserted through outcomes, status codes and stored Workflows. Stryker reports these
// mutants as Ignored with the reason below, outside the score.

const LEVELS = new Set(["trace", "debug", "info", "warn", "error", "fatal", "child"]);
const LOGGER = /^(log|logger|\w+Log)$/;

/** The last name of a member chain: `this.options.logger` -> "logger". */
function tailName(node) {
  if (node.type === "Identifier") return node.name;
  if (node.type === "MemberExpression" && !node.computed && node.property.type === "Identifier") return node.property.name;
  return undefined;
}

/** `log.warn(...)` and the like. */
function isLogCall(node) {
  if (node.type !== "CallExpression" || node.callee.type !== "MemberExpression" || node.callee.computed) return false;
  const method = node.callee.property.type === "Identifier" ? node.callee.property.name : undefined;
  const target = tailName(node.callee.object);
  return Boolean(method && LEVELS.has(method) && target && LOGGER.test(target));
}

const REASON = "log output (which lines, their text and fields) is not a trust or delivery decision";

export const strykerPlugins = [
  {
    kind: "Ignore",
    name: "Logging",
    value: {
      shouldIgnore(path) {
        const node = path.node;
        if (isLogCall(node)) return REASON;
        // `(err) => log.warn(...)`: a callback that only logs.
        if (node.type === "ArrowFunctionExpression" && isLogCall(node.body)) return REASON;
        return undefined;
      },
    },
  },
];

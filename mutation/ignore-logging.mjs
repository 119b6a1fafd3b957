// A Stryker ignorer: no mutants inside logging calls (`log.info(...)`, `this.log.warn(...)`,
// `ctx.logger.error(...)`, `logger.child({...})`), callbacks and catch blocks that only log,
// and switches whose cases only choose the log line. Which lines are logged, and their text
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

/** A statement that only logs: a log call, `if (c) log.a(...) else log.b(...)`, `break`, or a block of those. */
function onlyLogs(node) {
  if (!node) return true;
  switch (node.type) {
    case "ExpressionStatement":
      return isLogCall(node.expression);
    case "BreakStatement":
      return true;
    case "IfStatement":
      return onlyLogs(node.consequent) && onlyLogs(node.alternate);
    case "BlockStatement":
      return node.body.every(onlyLogs);
    default:
      return false;
  }
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
        // `catch (err) { log.error(...) }` and a switch whose cases only pick the log line.
        if (node.type === "CatchClause" && node.body.body.length > 0 && onlyLogs(node.body)) return REASON;
        if (node.type === "SwitchStatement" && node.cases.every((c) => c.consequent.every(onlyLogs))) return REASON;
        return undefined;
      },
    },
  },
];

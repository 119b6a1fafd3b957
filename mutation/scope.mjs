// What `npm run mutate` mutates: the trust boundaries and the delivery guarantees,
// grouped into the modules whose scores it prints. Shared by stryker.config.mjs
// (what to mutate) and report.mjs (how to group the scores).

/** The minimum mutation score (killed / (all - equivalent), in %) of every module. */
export const TARGET = 85;

export const MODULES = {
  "signatures-and-tokens": [
    "src/http/signature.ts",
    "src/eventsource/credentials.ts",
    "src/eventsource/github.ts",
    "src/eventsource/gitlab.ts",
    "src/eventsource/bitbucket.ts",
    "src/eventsource/bitbucketserver.ts",
    "src/eventsource/webhook.ts",
  ],
  "webhook-clients-and-bearer-auth": ["src/binding/auth.ts", "src/binding/webhook-clients.ts"],
  "binding-catalog-and-dispatch": ["src/binding/catalog.ts", "src/binding/dispatch.ts"],
  filters: [
    "src/sensor/filters/context.ts",
    "src/sensor/filters/data.ts",
    "src/sensor/filters/expr.ts",
    "src/sensor/filters/filters.ts",
    "src/sensor/filters/gjson-values.ts",
    "src/sensor/filters/result.ts",
    "src/sensor/filters/time.ts",
  ],
  parameters: ["src/sensor/parameters.ts"],
  "workflow-naming": ["src/sensor/naming.ts"],
  "ack-retry-dead-letter": [
    "src/sensor/runner.ts",
    "src/sensor/delivery/execute.ts",
    "src/sensor/delivery/backoff.ts",
    "src/sensor/delivery/dead-letter.ts",
    "src/retry.ts",
  ],
  "rate-limit": ["src/sensor/delivery/rate-limit.ts"],
};

export const FILES = Object.values(MODULES).flat();

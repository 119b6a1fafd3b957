// The benchmark's delivery: GitHub's pull_request "opened" example trimmed to ~7 KB
// the way real deliveries are smaller than the docs' example: no hypermedia URI
// templates, no `_links`, no API URLs below the top level. Every other field stays.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const FIXTURE = fileURLToPath(new URL("../fixtures/github/pull_request-opened.json", import.meta.url));

function trim(value, depth) {
  if (Array.isArray(value)) return value.map((v) => trim(v, depth));
  if (value === null || typeof value !== "object") return value;
  const out = {};
  for (const [k, v] of Object.entries(value)) {
    if (k === "_links") continue;
    if (typeof v === "string" && /\{[/?]/.test(v)) continue;
    if (depth >= 2 && k.endsWith("_url") && k !== "html_url") continue;
    out[k] = trim(v, depth + 1);
  }
  return out;
}

/** The trimmed pull_request payload as bytes (~7.5 KB). */
export function pullRequestPayload() {
  return Buffer.from(JSON.stringify(trim(JSON.parse(readFileSync(FIXTURE, "utf8")), 0)));
}

const PUSH_FIXTURE = fileURLToPath(new URL("../fixtures/github/push.json", import.meta.url));

/**
 * GitHub's push example (~7.5 KB compact) to `refs/heads/main`, with every mention of
 * its repository name replaced by `placeholder` (the load generator puts `repo-<k>`
 * there). Push webhooks have no `size` (the Events API's PushEvent does); the issue's
 * exprs filter reads `body.size`, so it is added: the number of commits.
 */
export function pushPayloadTemplate(placeholder) {
  const push = JSON.parse(readFileSync(PUSH_FIXTURE, "utf8"));
  push.ref = "refs/heads/main";
  push.size = push.commits.length;
  return Buffer.from(JSON.stringify(push).replaceAll(push.repository.name, placeholder));
}

// `validate` reports what `serve` refuses when it compiles a Sensor, at the field, with
// the file position (the review found each of these passing validate, then `serve`
// exiting "nothing started").
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { validateCommand } from "../../src/commands/validate.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "tg-validate-compile-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const sensor = (deps: string, trigger = "    - template: {name: t, log: {}}\n") => `apiVersion: argoproj.io/v1alpha1
kind: Sensor
metadata: {name: s, namespace: argo-events}
spec:
  dependencies:
    - name: d
      eventSourceName: e
      eventName: x
${deps}  triggers:
${trigger}`;

async function validate(text: string): Promise<{ code: number; lines: string[] }> {
  const file = join(dir, `${Math.random().toString(36).slice(2)}.yaml`);
  await writeFile(file, text);
  const lines: string[] = [];
  const code = await validateCommand([file], (l) => lines.push(l.replace(file, "f.yaml")));
  return { code, lines };
}

describe("validate compiles Sensors as serve does", () => {
  it.each([
    // An invalid regex in a data filter is no longer here: Argo Events loads it and
    // compiles it per event (filter.go filterData), and so does the gateway.
    [
      "expandenv in a data filter template",
      sensor("      filters:\n        data:\n          - {path: body.action, type: string, value: [x], template: '{{ expandenv .Input }}'}\n"),
      /^f\.yaml:11:\d+ Sensor\/s spec\.dependencies\[0\]\.filters\.data\[0\]\.template: function "expandenv" is refused: .*deliberately stricter here\)$/,
    ],
    [
      "a broken gjson path",
      sensor("      filters:\n        data:\n          - {path: 'body.#(', type: string, value: [x]}\n"),
      /^f\.yaml:11:\d+ Sensor\/s spec\.dependencies\[0\]\.filters\.data\[0\]\.path: /,
    ],
    [
      "env in a parameter template",
      sensor(
        "",
        "    - template: {name: t, log: {}}\n      parameters:\n        - src: {dependencyName: d, dataTemplate: '{{ env \"HOME\" }}'}\n          dest: log.x\n",
      ),
      /^f\.yaml:1[23]:\d+ Sensor\/s spec\.triggers\[0\]\.parameters\[0\]\.src\.dataTemplate: .*env/,
    ],
    [
      "a url source that is not http(s)",
      sensor("", "    - template:\n        name: t\n        argoWorkflow:\n          operation: submit\n          source: {url: {path: 'file:///etc/passwd'}}\n"),
      /^f\.yaml:14:\d+ Sensor\/s spec\.triggers\[0\]\.template\.argoWorkflow\.source\.url\.path: must be an http\(s\) URL$/,
    ],
    [
      "a JSONPath script",
      sensor("", "    - template: {name: t, log: {}}\n      parameters:\n        - src: {dependencyName: d, dataKey: '$..[?(@.a)]'}\n          dest: x\n"),
      /^f\.yaml:12:\d+ Sensor\/s spec\.triggers\[0\]\.parameters\[0\]\.src\.dataKey: JSONPath .*not supported$/,
    ],
    [
      "a conditionsReset cron that does not parse",
      sensor("", "    - template:\n        name: t\n        log: {}\n        conditionsReset:\n          - byTime: {cron: banana}\n"),
      /^f\.yaml:1[0-9]:\d+ Sensor\/s spec\.triggers\[0\]\.template\.conditionsReset: byTime\.cron "banana": expected 5 fields/,
    ],
    [
      "a conditionsReset timezone that does not exist",
      sensor("", "    - template:\n        name: t\n        log: {}\n        conditionsReset:\n          - byTime: {cron: '0 * * * *', timezone: Mars/Olympus}\n"),
      /spec\.triggers\[0\]\.template\.conditionsReset: byTime\.timezone "Mars\/Olympus": not a known IANA time zone/,
    ],
    [
      "a negative rateLimit",
      sensor("", "    - template: {name: t, log: {}}\n      rateLimit: {requestsPerUnit: -1}\n"),
      /^f\.yaml:1[0-9]:\d+ Sensor\/s spec\.triggers\[0\]\.rateLimit: requestsPerUnit: expected a non-negative integer, got -1$/,
    ],
    [
      "a retryStrategy duration that does not parse",
      sensor("", "    - template: {name: t, log: {}}\n      retryStrategy: {steps: 3, duration: soon}\n"),
      /Sensor\/s spec\.triggers\[0\]\.retryStrategy: .*duration/,
    ],
    [
      "a k8s policy backoff that does not parse",
      sensor("", "    - template: {name: t, log: {}}\n      policy: {k8s: {labels: {a: b}, backoff: {duration: soon}}}\n"),
      /Sensor\/s spec\.triggers\[0\]\.policy\.k8s: invalid duration "soon"$/
    ],
    [
      "a dlqTrigger retryStrategy that does not parse",
      sensor("", "    - template: {name: t, log: {}}\n      dlqTrigger:\n        template: {name: dlq, log: {}}\n        retryStrategy: {factor: -2}\n"),
      /Sensor\/s spec\.triggers\[0\]\.dlqTrigger\.retryStrategy: factor: expected a non-negative number, got -2$/,
    ],
  ])("%s is an error with its position", async (_what, text, line) => {
    const r = await validate(text);
    expect(r.code).toBe(1);
    expect(r.lines).toHaveLength(1);
    expect(r.lines[0]).toMatch(line);
  });

  it.each([
    ["an invalid regex", "['(opened']", /value\[0\]: invalid regular expression "\(opened": .*: every event this filter meets before a value matches fails it/],
    ["a number value that does not parse, after one that does", "['1', one]", /value\[1\]: "one" is not a number: an event that no earlier value matches fails this filter$/],
  ])("%s in a data filter loads, as in Argo Events (filterData meets it per event), with a warning", async (_what, value, warning) => {
    const type = value.includes("one") ? "number" : "string";
    const r = await validate(sensor(`      filters:\n        data:\n          - {path: body.action, type: ${type}, value: ${value}}\n`));
    expect(r.code).toBe(0);
    expect(r.lines).toEqual([expect.stringMatching(warning), "1 spec(s) valid, 1 warning(s)"]);
  });

  it("a parameter template Go cannot parse loads (ResolveParamValue falls back to key, then value), with a warning", async () => {
    const trigger = "    - template: {name: t, log: {}}\n      parameters:\n        - src: {dependencyName: d, dataTemplate: '{{ .Input.x', value: v}\n          dest: log.x\n";
    const r = await validate(sensor("", trigger));
    expect(r.code).toBe(0);
    expect(r.lines).toEqual([
      expect.stringMatching(/src\.dataTemplate: this template does not parse \(.*unclosed action\): the parameter falls back to its key, then its value$/),
      "1 spec(s) valid, 1 warning(s)",
    ]);
  });

  it("a string filter with comparator > loads and is said never to match", async () => {
    const r = await validate(sensor("      filters:\n        data:\n          - {path: body.action, type: string, value: [a], comparator: '>'}\n"));
    expect(r.lines[0]).toMatch(/comparator: a string filter with comparator ">" never matches \(Argo Events compares strings with = and != only\)$/);
  });

  it("a Sensor that compiles still passes", async () => {
    const r = await validate(sensor("      filters:\n        data:\n          - {path: body.action, type: string, value: ['opened|closed']}\n"));
    expect(r).toEqual({ code: 0, lines: ["1 spec(s) valid"] });
  });
});

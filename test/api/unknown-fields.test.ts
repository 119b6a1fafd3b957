// Fields our schema does not know load as Argo loads them (Go's encoding/json decides:
// `decode.go` `object()` looks a key up exactly, then with `foldName`/EqualFold, and
// drops a key that matches no field). Each gets a warning that says so.
import { describe, expect, it } from "vitest";
import { loadSpecsFromText } from "../../src/api/load.js";
import { checkSpecs, validateLoaded } from "../../src/api/validate.js";

function check(text: string) {
  const loaded = loadSpecsFromText(text, "f.yaml");
  expect(loaded.errors.map((e) => e.message)).toEqual([]);
  const { errors, warnings } = checkSpecs(loaded.specs);
  return { spec: loaded.specs[0]?.spec as unknown as Record<string, unknown>, errors: errors.map((e) => e.message), warnings: warnings.map((e) => e.message) };
}

const SENSOR = (trigger: string, top = "") => `apiVersion: argoproj.io/v1alpha1
kind: Sensor
metadata: {name: s, namespace: argo-events}
spec:
${top}  dependencies:
    - {name: d, eventSourceName: webhook, eventName: example}
  triggers:
${trigger}`;

const urlOf = (spec: Record<string, unknown>) =>
  (spec.spec as { triggers: { template: { argoWorkflow: { source: { url: Record<string, unknown> } } } }[] }).triggers[0].template.argoWorkflow.source.url;

describe("fields Argo ignores or folds", () => {
  it("a key that differs only in case is read as the field, like Go (url-sensor.yaml's verifycert)", () => {
    const r = check(SENSOR(`    - template:
        name: t
        argoWorkflow:
          operation: submit
          source:
            url:
              path: https://example.com/workflow.yaml
              verifycert: false
`));
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([
      'f.yaml:15:15 Sensor/s spec.triggers[0].template.argoWorkflow.source.url.verifycert: read as "verifyCert", as Argo does (Go matches field names case-insensitively); write it "verifyCert"',
    ]);
    const url = urlOf(r.spec);
    expect(url.verifyCert).toBe(false);
    expect(url).not.toHaveProperty("verifycert");
  });

  it("a folded field is type-checked like the field (verifycert: \"yes\")", () => {
    const r = check(SENSOR(`    - template:
        name: t
        argoWorkflow: {operation: submit, source: {url: {path: "https://example.com/w.yaml", verifycert: "yes"}}}
`));
    expect(r.errors).toEqual(["f.yaml:10:52 Sensor/s spec.triggers[0].template.argoWorkflow.source.url.verifyCert: must be boolean"]);
  });

  it("both spellings: the later one wins, as Go assigns keys in order", () => {
    const r = check(SENSOR(`    - template:
        name: t
        argoWorkflow: {operation: submit, source: {url: {path: "https://example.com/w.yaml", verifyCert: false, VerifyCert: true}}}
`));
    expect(r.errors).toEqual([]);
    expect(r.warnings[0]).toContain('"verifyCert" given twice in different cases: Argo uses the later one ("VerifyCert")');
    expect(urlOf(r.spec).verifyCert).toBe(true);
  });

  it("misplaced fields (trigger-with-policy.yaml, trigger-with-atleast-once-semantics.yaml) are ignored with a warning", () => {
    const r = check(SENSOR(`    - template:
        name: t
        atLeastOnce: true
        policy: {status: {allow: [200]}}
        log: {}
`));
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([
      "f.yaml:10:9 Sensor/s spec.triggers[0].template.atLeastOnce: unknown field, ignored as Argo ignores it (it belongs at spec.triggers[0].atLeastOnce, where Argo reads it)",
      "f.yaml:11:9 Sensor/s spec.triggers[0].template.policy: unknown field, ignored as Argo ignores it (it belongs at spec.triggers[0].policy, where Argo reads it)",
    ]);
  });

  it("a namespace on a configmap trigger source (which Argo reads from the Sensor's namespace) is ignored with a warning", () => {
    const r = check(SENSOR(`    - template:
        name: t
        argoWorkflow:
          operation: submit
          source:
            configmap: {name: wf, key: wf.yaml, namespace: other}
`));
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual(["f.yaml:13:49 Sensor/s spec.triggers[0].template.argoWorkflow.source.configmap.namespace: unknown field, ignored as Argo ignores it"]);
    const source = (r.spec as { spec: { triggers: { template: { argoWorkflow: { source: { configmap: Record<string, unknown> } } } }[] } }).spec.triggers[0]?.template.argoWorkflow.source.configmap;
    expect(source).toEqual({ name: "wf", key: "wf.yaml" });
  });

  it("an EventSource's spec.type (06-trigger-conditions) and a misspelling get a did-you-mean", () => {
    const loaded = loadSpecsFromText(`apiVersion: argoproj.io/v1alpha1
kind: EventSource
metadata: {name: webhook}
spec:
  type: webhook
  webhook:
    example: {port: "12000", endpoint: /example, methd: POST}
`, "es.yaml");
    const r = validateLoaded(loaded);
    expect(r.errors.map((e) => e.message)).toEqual([]);
    expect(r.specs).toHaveLength(1);
    expect((r.warnings ?? []).map((w) => w.message)).toEqual([
      "es.yaml:5:3 EventSource/webhook spec.type: unknown field, ignored as Argo ignores it",
      'es.yaml:7:50 EventSource/webhook spec.webhook.example.methd: unknown field, ignored as Argo ignores it (did you mean "method"?)',
    ]);
  });
});

describe("validate and warnings", () => {
  it("prints warnings and passes; --strict fails on them", async () => {
    const { mkdtemp, rm, writeFile } = await import("node:fs/promises");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const { validateCommand } = await import("../../src/commands/validate.js");
    const dir = await mkdtemp(join(tmpdir(), "tg-warn-"));
    try {
      const file = join(dir, "s.yaml");
      await writeFile(file, SENSOR("    - template: {name: t, log: {}, policy: {}}\n"));
      const lines: string[] = [];
      expect(await validateCommand([file], (l) => lines.push(l))).toBe(0);
      expect(lines).toEqual([
        `warning: ${file}:8:36 Sensor/s spec.triggers[0].template.policy: unknown field, ignored as Argo ignores it (it belongs at spec.triggers[0].policy, where Argo reads it)`,
        "1 spec(s) valid, 1 warning(s)",
      ]);
      const strict: string[] = [];
      expect(await validateCommand([file], (l) => strict.push(l), { strict: true })).toBe(1);
      expect(strict.at(-1)).toBe("1 warning(s), and --strict fails on warnings");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

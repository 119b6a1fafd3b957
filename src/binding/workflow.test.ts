import { describe, expect, it } from "vitest";
import { compileBinding } from "./compile.js";
import { bindingWorkflowName, buildWorkflow, dnsFriendly, goJson, parameterValue } from "./workflow.js";
import { submitting, template } from "../../test/support/binding-fixtures.js";

const env = (payload: unknown, discriminator = "") => ({ payload, metadata: {}, discriminator, namespace: "argo" });

describe("parameterValue (Argo's Item.String of the JSON result)", () => {
  it.each([
    ["a string keeps no quotes", "main", "main"],
    ["escapes inside a string stay", 'say "hi"\n', 'say \\"hi\\"\\n'],
    ["html characters are not escaped", "<a&b>", "<a&b>"],
    ["an integer", 42, "42"],
    ["a float", 1.5, "1.5"],
    ["a bool", true, "true"],
    ["nil", null, "null"],
    ["a missing value is nil", undefined, "null"],
    ["a list", ["a", 1], '["a",1]'],
    ["a map gets Go's sorted keys", { b: 1, a: { d: 2, c: 3 } }, '{"a":{"c":3,"d":2},"b":1}'],
  ])("%s", (_n, value, expected) => {
    expect(parameterValue(value)).toBe(expected);
  });

  it("escapes U+2028 as Go does", () => {
    expect(goJson("a\u2028b")).toBe('"a\\u2028b"');
  });
});

describe("names", () => {
  it("derives a stable suffix per binding and event", () => {
    const a = bindingWorkflowName("ci-build-", "argo", "b", "e1");
    expect(a).toMatch(/^ci-build-[0-9a-f]{10}$/);
    expect(bindingWorkflowName("ci-build-", "argo", "b", "e1")).toBe(a);
    expect(bindingWorkflowName("ci-build-", "argo", "b", "e2")).not.toBe(a);
    expect(bindingWorkflowName("ci-build-", "argo", "c", "e1")).not.toBe(a);
    expect(bindingWorkflowName("x".repeat(80), "argo", "b", "e1")).toHaveLength(63);
  });

  it.each([
    ["system:serviceaccount:argo:github", "system-serviceaccount-argo-github"],
    ["--a@b--", "a-b"],
  ])("dnsFriendly(%j) = %j", (input, out) => {
    expect(dnsFriendly(input)).toBe(out);
  });
});

describe("buildWorkflow", () => {
  it("builds the Workflow as Argo: generateName, template ref and labels, workflowMetadata, parameters", () => {
    const b = compileBinding(submitting("on-push", "true", "ci-build", { repo: "payload.repo", n: "payload.n" }));
    const wf = buildWorkflow({
      binding: b,
      template: template("ci-build", { workflowMetadata: { labels: { team: "a" }, annotations: { note: "x" } } }),
      env: env({ repo: "argoproj/argo", n: 3 }),
      eventId: "e1",
      identity: { username: "system:serviceaccount:argo:github" },
    });
    expect(wf).toEqual({
      apiVersion: "argoproj.io/v1alpha1",
      kind: "Workflow",
      metadata: {
        name: bindingWorkflowName("ci-build-", "argo", "on-push", "e1"),
        generateName: "ci-build-",
        namespace: "argo",
        labels: {
          "workflows.argoproj.io/workflow-template": "ci-build",
          team: "a",
          "workflows.argoproj.io/creator": "system-serviceaccount-argo-github",
          "workflows.argoproj.io/workflow-event-binding": "on-push",
        },
        annotations: { note: "x" },
      },
      spec: {
        workflowTemplateRef: { name: "ci-build" },
        arguments: { parameters: [{ name: "repo", value: "argoproj/argo" }, { name: "n", value: "3" }] },
      },
    });
  });

  it("evaluates submit.metadata expressions; a fixed name is used as is", () => {
    const b = compileBinding(
      submitting("named", "true", "ci-build", {}, {
        metadata: { name: '"wf-" + payload.id', labels: { repo: "payload.repo" }, annotations: { d: "discriminator" } },
      }),
    );
    const wf = buildWorkflow({ binding: b, template: template("ci-build"), env: env({ id: "7", repo: "r" }, "ci"), eventId: "e" });
    expect(wf.metadata.name).toBe("wf-7");
    expect(wf.metadata.labels?.repo).toBe("r");
    expect(wf.metadata.annotations).toEqual({ d: "ci" });
    expect(wf.spec).toEqual({ workflowTemplateRef: { name: "ci-build" } });
  });

  it.each([
    ["name", { name: "1 + 1" }, /workflow name expression must evaluate to a string, not a number/],
    ["generateName", { generateName: "payload.missing" }, /generateName expression must evaluate to a string, not a nil/],
    ["label", { labels: { x: "payload.list" } }, /label "x" expression must evaluate to a string, not a array/],
    ["annotation", { annotations: { y: "true" } }, /annotation "y" expression must evaluate to a string, not a boolean/],
  ])("a %s expression yielding a non-string is an error", (_n, metadata, message) => {
    const b = compileBinding(submitting("m", "true", "ci-build", {}, { metadata }));
    expect(() => buildWorkflow({ binding: b, template: template("ci-build"), env: env({ list: [1] }), eventId: "e" })).toThrow(message);
  });
});

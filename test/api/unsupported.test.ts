import { describe, expect, test } from "vitest";
import { expandPattern, findUnsupported, NOT_SUPPORTED } from "../../src/api/unsupported.js";

const sensor = {
  spec: {
    dependencies: [{ name: "d", filters: { script: "return true", data: [{ path: "a", template: "{{ . }}" }] }, transform: { jq: "." } }],
    triggers: [
      {
        template: { name: "t", http: { url: "u" }, argoWorkflow: { operation: "resume", source: { git: { url: "https://g" }, inline: "x" } } },
        parameters: [{ src: { dependencyName: "d", contextTemplate: "{{ .Input.id }}" }, dest: "x" }],
        dlqTrigger: { template: { name: "dlq", kafka: { url: "k" }, k8s: { operation: "delete", source: { configmap: { name: "c", key: "k" } } } } },
      },
    ],
  },
};

describe("the not-supported table", () => {
  test("every use in a sensor is found, with its path", () => {
    expect(findUnsupported("Sensor", sensor).map((u) => `${u.path.join(".")}: ${u.message}`)).toEqual([
      "spec.dependencies.0.filters.script: not supported: filters.script (Lua)",
      "spec.dependencies.0.transform: not supported: transform",
      'spec.triggers.0.dlqTrigger.template.kafka: not supported: trigger type "kafka"',
      'spec.triggers.0.template.argoWorkflow.source.git: not supported: trigger source "git"',
    ]);
  });

  test("event source types: only github, gitlab, bitbucket, bitbucketserver and webhook pass", () => {
    const es = { spec: { eventBusName: "default", replicas: 1, github: { a: {} }, gitlab: { b: {} }, webhook: { c: {} }, bitbucket: { f: {} }, bitbucketserver: { d: {} }, sns: { e: {} }, calendar: {} } };
    expect(findUnsupported("EventSource", es).map((u) => u.message)).toEqual([
      'not supported: event source type "sns"',
    ]);
  });

  test("bitbucketserver: oneEventPerChange and skipBranchRefsChangedOnOpenPR are supported", () => {
    const es = { spec: { bitbucketserver: { d: { oneEventPerChange: true, skipBranchRefsChangedOnOpenPR: true }, e: { oneEventPerChange: false } } } };
    expect(findUnsupported("EventSource", es)).toEqual([]);
  });

  test("TLS in a receiver is refused at load, as serve refuses it at start", () => {
    const cert = { name: "tls", key: "crt" };
    const es = { spec: { github: { a: { webhook: { serverCertSecret: cert } } }, webhook: { b: { serverKeySecret: cert } } } };
    expect(findUnsupported("EventSource", es).map((u) => `${u.path.join(".")}: ${u.message}`)).toEqual([
      "spec.github.a.webhook.serverCertSecret: not supported: TLS in the receiver (terminate TLS in front of the gateway)",
      "spec.webhook.b.serverKeySecret: not supported: TLS in the receiver (terminate TLS in front of the gateway)",
    ]);
  });

  test("deleting a row is how a feature becomes supported", () => {
    const without = NOT_SUPPORTED.filter((r) => r.what !== "transform");
    const messages = findUnsupported("Sensor", sensor, without).map((u) => u.message);
    expect(messages).not.toContain("not supported: transform");
    expect(messages).toContain("not supported: filters.script (Lua)");
  });

  test("supported values and empty sections are not flagged", () => {
    const ok = {
      spec: {
        dependencies: [{ name: "d", filters: { script: "" }, transform: {} }],
        triggers: [{ template: { name: "t", conditions: "d", argoWorkflow: { operation: "submit", source: { resource: {} } }, k8s: { operation: "" , source: { inline: "x" } } } }],
      },
    };
    expect(findUnsupported("Sensor", ok)).toEqual([]);
  });

  test("macros expand to triggers, dlqTriggers and every parameter list", () => {
    expect(expandPattern("@params.src.dataTemplate")).toContain("spec.triggers[].dlqTrigger.template.argoWorkflow.parameters[].src.dataTemplate");
    expect(expandPattern("@params.src.dataTemplate")).toHaveLength(12);
  });
});

import { describe, expect, it } from "vitest";
import { cloneJson } from "./clone.js";

describe("cloneJson", () => {
  const wf = {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Workflow",
    metadata: { generateName: "ci-", labels: { a: "1" } },
    spec: { arguments: { parameters: [{ name: "x", value: "1" }, { name: "y" }] }, n: 3, ok: true, none: null, gone: undefined },
  };

  it("gives a value equal to structuredClone's and shares nothing with the original", () => {
    const c = cloneJson(wf);
    expect(c).toStrictEqual(structuredClone(wf));
    c.spec.arguments.parameters[0]!.value = "changed";
    c.metadata.labels.a = "2";
    expect(wf.spec.arguments.parameters[0]!.value).toBe("1");
    expect(wf.metadata.labels.a).toBe("1");
    expect(c.spec.arguments.parameters).not.toBe(wf.spec.arguments.parameters);
  });

  it("keeps an own __proto__ key as data and never changes a prototype", () => {
    const parsed = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}') as Record<string, unknown>;
    const c = cloneJson(parsed);
    expect(Object.getPrototypeOf(c)).toBe(Object.prototype);
    expect((c as { polluted?: boolean }).polluted).toBeUndefined();
    expect(Object.keys(c)).toEqual(["__proto__", "a"]);
    expect(JSON.stringify(c)).toBe(JSON.stringify(parsed));
  });

  it("copies non-JSON objects inside as structuredClone does", () => {
    const at = new Date("2026-12-04T00:00:00Z");
    const c = cloneJson({ at, m: new Map([["k", 1]]) });
    expect(c.at).toBeInstanceOf(Date);
    expect(c.at).not.toBe(at);
    expect(c.at.getTime()).toBe(at.getTime());
    expect(c.m.get("k")).toBe(1);
  });
});

import { describe, expect, it } from "vitest";
import type { TriggerParameter } from "../api/types.js";
import { ExpressionError, NotSupportedError, SpecError } from "../errors.js";
import type { SensorEvent } from "./event.js";
import { applyParameters, compileParameters } from "./parameters.js";
import { Where } from "./where.js";

const push: SensorEvent = {
  context: {
    id: "aaaabbbbccccddddeeeeffff00001111",
    source: "github",
    subject: "push",
    specversion: "1.0",
    type: "github",
    datacontenttype: "application/json",
    time: "2024-05-01T12:00:00.123Z",
  },
  data: {
    headers: { "X-Github-Event": ["push"] },
    body: {
      ref: "refs/heads/main",
      after: "abc123",
      size: 3,
      forced: false,
      repository: { name: "app", full_name: "acme/app" },
      commits: [{ id: "c1" }, { id: "c2" }],
      nothing: null,
    },
  },
};

const where = new Where("ns", "sensor");

function workflow(): Record<string, unknown> {
  return {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Workflow",
    metadata: { generateName: "build-" },
    spec: {
      workflowTemplateRef: { name: "ci" },
      arguments: { parameters: [{ name: "ref" }, { name: "sha", value: "unset" }] },
    },
  };
}

function apply(params: TriggerParameter[], doc: unknown = workflow(), events: Record<string, SensorEvent> = { dep: push }) {
  return applyParameters(doc, compileParameters(params, where, "spec.triggers[0].template.argoWorkflow.parameters"), events);
}

const DEST = "spec.arguments.parameters.0.value";
const at = (doc: unknown, path: string): unknown =>
  path.split(".").reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], doc);

describe("parameters", () => {
  it.each<[string, TriggerParameter["src"], unknown]>([
    ["dataKey into workflowTemplateRef arguments", { dependencyName: "dep", dataKey: "body.ref" }, "refs/heads/main"],
    ["missing dataKey falls back to value", { dependencyName: "dep", dataKey: "body.nope", value: "fallback" }, "fallback"],
    ["value alone", { dependencyName: "dep", value: "fixed" }, "fixed"],
    ["contextKey", { dependencyName: "dep", contextKey: "subject" }, "push"],
    ["context time as RFC 3339 seconds", { dependencyName: "dep", contextKey: "time" }, "2024-05-01T12:00:00Z"],
    ["dataKey wins over contextKey", { dependencyName: "dep", dataKey: "body.after", contextKey: "subject" }, "abc123"],
    ["a number is set as a string", { dependencyName: "dep", dataKey: "body.size" }, "3"],
    ["a number with useRawData stays a number", { dependencyName: "dep", dataKey: "body.size", useRawData: true }, 3],
    ["a bool with useRawData stays a bool", { dependencyName: "dep", dataKey: "body.forced", useRawData: true }, false],
    // A GitHub body is re-marshalled from a Go map by Argo's receiver: sorted keys.
    ["an object is set as its JSON text", { dependencyName: "dep", dataKey: "body.repository" }, '{"full_name":"acme/app","name":"app"}'],
    [
      "an object with useRawData is set as an object",
      { dependencyName: "dep", dataKey: "body.repository", useRawData: true },
      { name: "app", full_name: "acme/app" },
    ],
    ["null is the text null", { dependencyName: "dep", dataKey: "body.nothing" }, "null"],
    ["a string with useRawData stays a string", { dependencyName: "dep", dataKey: "body.ref", useRawData: true }, "refs/heads/main"],
    ["gjson query", { dependencyName: "dep", dataKey: "body.commits.#.id" }, '["c1","c2"]'],
  ])("%s", (_name, src, want) => {
    expect(at(apply([{ src, dest: DEST }]), DEST)).toEqual(want);
  });

  it("without a key or value, the whole event is set as JSON text, data base64 as in the original", () => {
    const out = apply([{ src: { dependencyName: "dep" }, dest: DEST }]);
    const whole = JSON.parse(at(out, DEST) as string) as { context: Record<string, unknown>; data: string };
    expect(whole.context.id).toBe(push.context.id);
    expect(whole.context.subject).toBe("push");
    expect(JSON.parse(Buffer.from(whole.data, "base64").toString("utf8"))).toEqual(push.data);
  });

  it("a missing key without a default is an error", () => {
    expect(() => apply([{ src: { dependencyName: "dep", dataKey: "body.nope" }, dest: DEST }])).toThrow(ExpressionError);
  });

  it("a dependency without an event is skipped, or takes its default", () => {
    const out = apply(
      [
        { src: { dependencyName: "other", dataKey: "body.ref" }, dest: "spec.arguments.parameters.1.value" },
        { src: { dependencyName: "other", dataKey: "body.ref", value: "dflt" }, dest: DEST },
      ],
      workflow(),
    );
    expect(at(out, "spec.arguments.parameters.1.value")).toBe("unset");
    expect(at(out, DEST)).toBe("dflt");
  });

  it.each<[TriggerParameter["operation"], string]>([
    ["append", "build-app"],
    ["prepend", "appbuild-"],
    ["overwrite", "app"],
    [undefined, "app"],
  ])("operation %s", (operation, want) => {
    const out = apply([{ src: { dependencyName: "dep", dataKey: "body.repository.name" }, dest: "metadata.generateName", operation }]);
    expect(at(out, "metadata.generateName")).toBe(want);
  });

  it("append to a missing destination sets the value", () => {
    const out = apply([{ src: { dependencyName: "dep", dataKey: "body.after" }, dest: "metadata.labels.sha", operation: "append" }]);
    expect(at(out, "metadata.labels.sha")).toBe("abc123");
  });

  it("parameters apply in order, later ones see earlier results", () => {
    const out = apply([
      { src: { dependencyName: "dep", value: "x-" }, dest: "metadata.generateName" },
      { src: { dependencyName: "dep", dataKey: "body.after" }, dest: "metadata.generateName", operation: "append" },
    ]);
    expect(at(out, "metadata.generateName")).toBe("x-abc123");
  });

  it.each<[TriggerParameter, new (...a: never[]) => Error, RegExp]>([
    // A template Go cannot parse loads (ResolveParamValue parses per firing and falls
    // back): see "templates Go cannot parse" below. Refused functions stay load errors.
    [
      { src: { dependencyName: "dep", dataTemplate: '{{ env "HOME" }}' }, dest: "a" },
      NotSupportedError,
      /Sensor p\[0\]\.src\.dataTemplate: function "env" is refused: .*deliberately stricter here\)$/,
    ],
    [
      { src: { dependencyName: "dep", contextTemplate: '{{ .Input.subject | expandenv }}' }, dest: "a" },
      NotSupportedError,
      /Sensor p\[0\]\.src\.contextTemplate: function "expandenv" is refused/,
    ],
    [{ src: { dependencyName: "dep" }, dest: "a", operation: "replace" as "append" }, SpecError, /p\[0\]\.operation: unsupported operation "replace"$/],
    [{ src: { dependencyName: "" }, dest: "a" }, SpecError, /p\[0\]\.src\.dependencyName: is required$/],
    [{ dest: "a" } as TriggerParameter, SpecError, /p\[0\]\.src\.dependencyName: is required$/],
    [{ src: { dependencyName: "dep" }, dest: "" }, SpecError, /p\[0\]\.dest: is required$/],
    [{ src: { dependencyName: "dep" } } as TriggerParameter, SpecError, /p\[0\]\.dest: is required$/],
    [{ src: { dependencyName: "dep", dataKey: "$.a[?(@.b)]" }, dest: "a" }, ExpressionError, /Sensor p\[0\]\.src\.dataKey: JSONPath/],
    [{ src: { dependencyName: "dep", contextKey: "$[?(@)]" }, dest: "a" }, ExpressionError, /Sensor p\[0\]\.src\.contextKey: JSONPath/],
    [{ src: { dependencyName: "dep", value: "x" }, dest: "$[?(@)]", operation: "append" }, ExpressionError, /Sensor p\[0\]\.dest: JSONPath/],
  ])("compile error %#", (param, type, message) => {
    expect(() => compileParameters([param], where, "p")).toThrow(type);
    expect(() => compileParameters([param], where, "p")).toThrow(message);
  });

  it("a default value stays a string with useRawData, when the dependency has no event or the key is missing", () => {
    const out = apply([
      { src: { dependencyName: "other", value: "7", useRawData: true }, dest: "metadata.labels.a" },
      { src: { dependencyName: "dep", dataKey: "body.nope", value: "true", useRawData: true }, dest: "metadata.labels.b" },
    ]);
    expect(at(out, "metadata.labels.a")).toBe("7");
    expect(at(out, "metadata.labels.b")).toBe("true");
  });

  it("an event without data is not templated: a constant dataTemplate falls back to the default", () => {
    const noData: SensorEvent = { context: push.context, data: undefined };
    const out = apply([{ src: { dependencyName: "dep", dataTemplate: '{{ "constant" }}', value: "dflt" }, dest: DEST }], workflow(), { dep: noData });
    expect(at(out, DEST)).toBe("dflt");
    // The same template on an event with data renders.
    expect(at(apply([{ src: { dependencyName: "dep", dataTemplate: '{{ "constant" }}', value: "dflt" }, dest: DEST }]), DEST)).toBe("constant");
  });

  const noData: SensorEvent = { context: push.context, data: undefined };
  it.each<[string, TriggerParameter["src"], SensorEvent, string]>([
    ["a missing key", { dependencyName: "dep", dataKey: "body.nope" }, push, 'dataKey "body.nope" does not exist in the event'],
    ["a missing context key", { dependencyName: "dep", contextKey: "nope" }, push, 'contextKey "nope" does not exist in the event'],
    [
      "a template rendering nothing and a missing key",
      { dependencyName: "dep", dataTemplate: "{{ .Input.nope }}", dataKey: "body.nope" },
      push,
      'dataTemplate "{{ .Input.nope }}" rendered nothing, dataKey "body.nope" does not exist in the event',
    ],
    ["a template rendering nothing", { dependencyName: "dep", dataTemplate: "{{ .Input.nope }}" }, push, 'dataTemplate "{{ .Input.nope }}" rendered nothing'],
    // renderEventDataAsJSON fails before key or template are tried (isJSON(nil) is false).
    ["a key on an event without data", { dependencyName: "dep", dataKey: "body.ref" }, noData, "the event's data cannot be read (the event has no data)"],
    [
      "a template on an event without data",
      { dependencyName: "dep", dataTemplate: "{{ .Input.body.ref }}" },
      noData,
      "the event's data cannot be read (the event has no data)",
    ],
    [
      "a key on a text/plain event",
      { dependencyName: "dep", dataKey: "body.ref" },
      { ...push, context: { ...push.context, datacontenttype: "text/plain" } },
      "the event's data cannot be read (unsupported event content type: text/plain)",
    ],
  ])("an unresolvable parameter says what was tried: %s", (_name, src, event, tried) => {
    const run = () => apply([{ src, dest: DEST }], workflow(), { dep: event });
    expect(run).toThrow(ExpressionError);
    expect(run).toThrow(`unable to resolve parameter from dependency "dep": ${tried} and no default value is set`);
  });

  // ResolveParamValue (pkg/sensors/triggers/params.go) parses the template on every
  // firing (getValueWithTemplate): a parse error falls back to the key, then value.
  describe("templates Go cannot parse", () => {
    it.each<[string, string]>([
      ["an unclosed action", "{{ .Input.body.ref"],
      ["a function that is neither builtin nor sprig", "{{ nope .Input.body.ref }}"],
      ["an undefined variable", "{{ $x }}"],
    ])("%s loads, then falls back to dataKey, then value", (_name, dataTemplate) => {
      expect(at(apply([{ src: { dependencyName: "dep", dataTemplate, dataKey: "body.after", value: "dflt" }, dest: DEST }]), DEST)).toBe("abc123");
      expect(at(apply([{ src: { dependencyName: "dep", dataTemplate, dataKey: "body.nope", value: "dflt" }, dest: DEST }]), DEST)).toBe("dflt");
    });

    it("contextTemplate the same way", () => {
      const src = { dependencyName: "dep", contextTemplate: "{{ .Input.subject | nope }}", contextKey: "subject" };
      expect(at(apply([{ src, dest: DEST }]), DEST)).toBe("push");
    });

    it("without key or value the firing fails with the parse error", () => {
      const run = () => apply([{ src: { dependencyName: "dep", dataTemplate: "{{ .Input.body.ref" }, dest: DEST }]);
      expect(run).toThrow(ExpressionError);
      expect(run).toThrow(/^unable to resolve parameter from dependency "dep": dataTemplate "\{\{ \.Input\.body\.ref" failed \(template: param:1:\d+: .*\) and no default value is set$/);
    });
  });

  // renderEventDataAsJSON decides on the exact datacontenttype: application/json and
  // application/yaml are read, any other type makes ResolveParamValue use `value`.
  describe("datacontenttype", () => {
    const typed = (datacontenttype: string, data: unknown = push.data): Record<string, SensorEvent> => ({
      dep: { context: { ...push.context, datacontenttype }, data },
    });
    const resolve = (src: TriggerParameter["src"], events: Record<string, SensorEvent>) =>
      at(apply([{ src, dest: DEST }], workflow(), events), DEST);

    it.each(["text/plain", "application/x-www-form-urlencoded", "application/json; charset=utf-8", "text/json", ""])(
      "%j: dataKey and dataTemplate fall back to value",
      (ct) => {
        expect(resolve({ dependencyName: "dep", dataKey: "body.ref", value: "dflt" }, typed(ct))).toBe("dflt");
        expect(resolve({ dependencyName: "dep", dataTemplate: "{{ .Input.body.ref }}", value: "dflt" }, typed(ct))).toBe("dflt");
      },
    );

    it("without a value the firing fails, saying the content type is unsupported", () => {
      expect(() => resolve({ dependencyName: "dep", dataKey: "body.ref" }, typed("text/plain", "ref=main"))).toThrow(
        'unable to resolve parameter from dependency "dep": the event\'s data cannot be read (unsupported event content type: text/plain) and no default value is set',
      );
    });

    it("the context side does not depend on it", () => {
      expect(resolve({ dependencyName: "dep", contextKey: "subject", value: "dflt" }, typed("text/plain", "x"))).toBe("push");
    });

    it("application/yaml: the payload text is converted to JSON (ghodss/yaml, YAML 1.1)", () => {
      const yaml = "body:\n  ref: refs/heads/main\n  flag: yes\n  on: 1\n  when: 2024-05-01\n  num: 010\n";
      expect(resolve({ dependencyName: "dep", dataKey: "body.ref" }, typed("application/yaml", yaml))).toBe("refs/heads/main");
      expect(resolve({ dependencyName: "dep", dataKey: "body.flag" }, typed("application/yaml", yaml))).toBe("true");
      // YAML 1.1 reads the key `on` as true too; YAMLToJSON writes the key as "true".
      expect(resolve({ dependencyName: "dep", dataKey: "body.true" }, typed("application/yaml", yaml))).toBe("1");
      // yaml.v2 keeps a timestamp a string when it decodes into interface{}.
      expect(resolve({ dependencyName: "dep", dataKey: "body.when" }, typed("application/yaml", yaml))).toBe("2024-05-01");
      expect(resolve({ dependencyName: "dep", dataKey: "body.num" }, typed("application/yaml", yaml))).toBe("8");
      expect(resolve({ dependencyName: "dep", dataTemplate: "{{ .Input.body.ref }}" }, typed("application/yaml", yaml))).toBe("refs/heads/main");
    });

    it("application/yaml that does not convert falls back to value", () => {
      // json.Marshal refuses +Inf; an unterminated flow mapping is a YAML error.
      expect(resolve({ dependencyName: "dep", dataKey: "a", value: "dflt" }, typed("application/yaml", "a: .inf\n"))).toBe("dflt");
      expect(resolve({ dependencyName: "dep", dataKey: "a", value: "dflt" }, typed("application/yaml", "a: {b: 1\n"))).toBe("dflt");
    });

    it("the whole event carries the payload bytes: a text payload is not JSON-quoted", () => {
      const out = resolve({ dependencyName: "dep" }, typed("text/plain", "hello <world>"));
      const whole = JSON.parse(out as string) as { data: string };
      expect(Buffer.from(whole.data, "base64").toString("utf8")).toBe("hello <world>");
    });
  });

  it("a dest that cannot be set fails the firing, naming the dest", () => {
    const dest = "spec.arguments.parameters.ref";
    let err: unknown;
    try {
      apply([{ src: { dependencyName: "dep", value: "x" }, dest }]);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ExpressionError);
    expect((err as Error).message).toBe(
      `parameter dest "${dest}": sjson path "${dest}": cannot set array element for non-numeric key 'ref'`,
    );
    expect((err as Error).cause).toBeInstanceOf(ExpressionError);
  });

  it("useRawData on a number beyond float64 (gjson prints +Inf) fails the firing, naming the dest", () => {
    const huge: SensorEvent = { context: push.context, data: JSON.parse('{"body":{"n":1e400}}') as unknown };
    let err: unknown;
    try {
      apply([{ src: { dependencyName: "dep", dataKey: "body.n", useRawData: true }, dest: DEST }], workflow(), { dep: huge });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ExpressionError);
    expect((err as Error).message).toBe(`parameter dest "${DEST}": raw value is not JSON`);
    expect((err as Error).cause).toBeInstanceOf(SyntaxError);
    // Without useRawData it is the text gjson prints.
    expect(at(apply([{ src: { dependencyName: "dep", dataKey: "body.n" }, dest: DEST }], workflow(), { dep: huge }), DEST)).toBe("+Inf");
  });
});

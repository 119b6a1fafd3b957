import { describe, expect, it } from "vitest";
import { githubSource } from "../eventsource/github.js";
import { parseJson } from "../eventsource/payload.js";
import { MapSecretStore } from "../config/secrets.js";
import { newCloudEvent } from "./cloudevent.js";
import { rememberJsonText, toJsonText } from "./json-text.js";

const github = githubSource({ events: ["*"] } as never, { namespace: "ns", secrets: new MapSecretStore({}) });
function githubData(text: string, event = "push", delivery = "d-1") {
  const req = {
    method: "POST",
    path: "/push",
    headers: { "Content-Type": ["application/json"], "X-Github-Event": [event], "X-Github-Delivery": [delivery] },
    rawBody: Buffer.from(text),
  };
  return github.parse(req).data as { headers: unknown; body: Record<string, unknown> };
}

describe("toJsonText", () => {
  it("writes a remembered value as its text, the rest as JSON.stringify", () => {
    // `1.0` survives only if the text is used: JSON.stringify would write 1.
    const body = parseJson(' {"a": 1.0, "b": [true, null]} ', "body");
    const out = toJsonText({ id: "x", data: { headers: { H: ["v"] }, body, skipped: undefined } });
    expect(out).toBe('{"id":"x","data":{"headers":{"H":["v"]},"body": {"a": 1.0, "b": [true, null]} }}');
    expect(JSON.parse(out as string)).toEqual({ id: "x", data: { headers: { H: ["v"] }, body: { a: 1, b: [true, null] } } });
  });

  it("is JSON.stringify for values without a remembered text, deeper levels and objects with toJSON", () => {
    const value = { a: { b: { c: [1, "x"] } }, t: new Date(0), n: null, s: "é\u2028" };
    expect(toJsonText(value)).toBe(JSON.stringify(value));
    expect(toJsonText(undefined)).toBeUndefined();
    expect(rememberJsonText(3, "3.0")).toBe(3);
    expect(toJsonText(3)).toBe("3");
  });

  it("a CloudEvent from a GitHub delivery round-trips to the parsed object, header keys appended", () => {
    const text = '{\n  "zen": "Keep it logically awesome.",\n  "hook": {"id": 7, "events": ["*"]}\n}\n';
    const data = githubData(text, "ping", "abc");
    const event = newCloudEvent({ source: "github", subject: "push", type: "github", data });
    const wire = JSON.parse(toJsonText(event) as string) as typeof event;
    expect(wire).toEqual(JSON.parse(JSON.stringify(event)));
    expect(Object.keys((wire.data as typeof data).body)).toEqual(["zen", "hook", "X-GitHub-Event", "X-GitHub-Delivery"]);
    expect((wire.data as typeof data).body["X-GitHub-Delivery"]).toBe("abc");
  });

  it("an empty body and a body that already has the header keys parse back as the spread made them", () => {
    for (const text of ["{ }", '{"X-GitHub-Event": "forged", "a": 1}']) {
      const data = githubData(text, "push", "d\"quoted");
      const back = JSON.parse(toJsonText(data) as string) as typeof data;
      expect(back).toEqual(JSON.parse(JSON.stringify(data)));
      expect(Object.keys(back.body)).toEqual(Object.keys(data.body));
      expect(back.body["X-GitHub-Event"]).toBe("push");
    }
  });
});

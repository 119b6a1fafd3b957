import { describe, expect, it } from "vitest";
import { formValues } from "./payload.js";

describe("formValues", () => {
  it("keeps Object.prototype names as ordinary keys (a form once answered 500 for them)", () => {
    const v = formValues("payload=%7B%7D&__proto__=1&constructor=&toString=a&toString=b");
    expect(Object.keys(v)).toEqual(["payload", "__proto__", "constructor", "toString"]);
    expect(v.toString).toEqual(["a", "b"]);
    expect(Object.getOwnPropertyDescriptor(v, "__proto__")?.value).toEqual(["1"]);
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

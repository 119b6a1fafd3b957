import { describe, expect, it } from "vitest";
import { show } from "./result.js";

describe("values shown in skip reasons", () => {
  it("a string stays visibly a string", () => {
    expect(show("main")).toBe('"main"');
    expect(show(3)).toBe("3");
    expect(show(undefined)).toBe("undefined");
  });

  it("are cut to 120 characters, the cut marked with ...", () => {
    const long = show("x".repeat(200));
    expect(long).toBe(`"${"x".repeat(116)}...`);
    expect(long).toHaveLength(120);
  });

  it("a text of exactly 120 characters is shown whole", () => {
    const text = "y".repeat(118);
    expect(show(text)).toBe(`"${text}"`);
  });
});

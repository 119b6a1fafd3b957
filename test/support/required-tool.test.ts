import { describe, expect, it } from "vitest";
import { skipWithout } from "./required-tool.js";

describe("skipWithout", () => {
  it("runs a suite whose tool is there, in CI or not", () => {
    expect(skipWithout("openssl", true, {})).toBe(false);
    expect(skipWithout("openssl", true, { CI: "true" })).toBe(false);
  });

  it("skips without the tool on a developer's machine", () => {
    expect(skipWithout("openssl", false, {})).toBe(true);
  });

  it("fails without the tool in CI, naming it", () => {
    expect(() => skipWithout("Chromium", false, { CI: "1" })).toThrow(/Chromium is required in CI/);
  });
});

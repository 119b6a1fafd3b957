import { describe, expect, it } from "vitest";
import { fileSourcePolicy } from "./serve.js";

describe("fileSourcePolicy", () => {
  it("any path locally (as Argo Events' Sensor pod), none with --kube, only the directory given with --trigger-files-dir", () => {
    expect(fileSourcePolicy({})).toBeUndefined();
    expect(fileSourcePolicy({ kube: { namespace: "ci" } })?.refused).toMatch(/not read with --kube unless --trigger-files-dir/);
    expect(fileSourcePolicy({ kube: {}, triggerFilesDir: "/specs/files" })).toEqual({ root: "/specs/files" });
    expect(fileSourcePolicy({ triggerFilesDir: "files" })).toEqual({ root: "files" });
  });
});

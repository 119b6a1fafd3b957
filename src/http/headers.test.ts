import { describe, expect, it } from "vitest";
import { canonicalHeaderKey, goHeaders, headerValue } from "./headers.js";

describe("canonicalHeaderKey (Go textproto.CanonicalMIMEHeaderKey)", () => {
  it.each([
    ["x-github-event", "X-Github-Event"],
    ["X-GitHub-Event", "X-Github-Event"],
    ["x-hub-signature-256", "X-Hub-Signature-256"],
    ["content-type", "Content-Type"],
    ["CONTENT-LENGTH", "Content-Length"],
    ["x-gitlab-event-uuid", "X-Gitlab-Event-Uuid"],
    ["etag", "Etag"],
    ["www-authenticate", "Www-Authenticate"],
    ["x--double", "X--Double"],
    ["-leading", "-Leading"],
    ["trailing-", "Trailing-"],
    ["a_b", "A_b"],
    ["x-1abc", "X-1abc"],
    // Not a valid token: Go returns it unchanged.
    ["bad key", "bad key"],
    ["x-é", "x-é"],
  ])("%s -> %s", (input, expected) => {
    expect(canonicalHeaderKey(input)).toBe(expected);
  });
});

describe("goHeaders", () => {
  it("canonicalises keys, keeps every value and drops Host and Transfer-Encoding as Go does", () => {
    const headers = goHeaders({
      headersDistinct: {
        host: ["localhost:1"],
        "transfer-encoding": ["chunked"],
        "x-github-event": ["push"],
        "x-multi": ["a", "b, c"],
      },
    });
    expect(headers).toEqual({ "X-Github-Event": ["push"], "X-Multi": ["a", "b, c"] });
    expect(headerValue(headers, "X-GitHub-Event")).toBe("push");
    expect(headerValue(headers, "x-multi")).toBe("a");
    expect(headerValue(headers, "absent")).toBeUndefined();
  });
});

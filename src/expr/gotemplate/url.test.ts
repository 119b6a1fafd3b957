// urlParse and urlJoin against sprig's url_test.go (TestUrlParse, TestUrlJoin) and Go's
// net/url parsing rules.

import { describe, expect, it } from "vitest";
import { compileGoTemplate } from "./index.js";

const render = (src: string, data: unknown = {}): string => compileGoTemplate(src).render(data);
const parse = (url: string): unknown => JSON.parse(render("{{ urlParse .u | toJson }}", { u: url }));

// sprig's urlTests: each URL, the dict urlParse gives, and urlJoin of that dict gives the URL back.
const URL_TESTS: [string, Record<string, string>][] = [
  ["proto://auth@host:80/path?query#fragment", { fragment: "fragment", host: "host:80", hostname: "host", opaque: "", path: "/path", query: "query", scheme: "proto", userinfo: "auth" }],
  ["proto://host:80/path", { fragment: "", host: "host:80", hostname: "host", opaque: "", path: "/path", query: "", scheme: "proto", userinfo: "" }],
  ["something", { fragment: "", host: "", hostname: "", opaque: "", path: "something", query: "", scheme: "", userinfo: "" }],
  ["proto://user:passwor%20d@host:80/path", { fragment: "", host: "host:80", hostname: "host", opaque: "", path: "/path", query: "", scheme: "proto", userinfo: "user:passwor%20d" }],
  ["proto://host:80/pa%20th?key=val%20ue", { fragment: "", host: "host:80", hostname: "host", opaque: "", path: "/pa th", query: "key=val%20ue", scheme: "proto", userinfo: "" }],
];

describe("urlParse", () => {
  it.each(URL_TESTS)("TestUrlParse: %s", (url, dict) => {
    expect(parse(url)).toEqual(dict);
  });

  it("TestUrlParse: index into the result", () => {
    expect(render('{{ index ( urlParse "proto://auth@host:80/path?query#fragment" ) "host" }}')).toBe("host:80");
  });

  it.each([
    // net/url: scheme lower-cased, opaque rootless paths, IPv6 hosts, escapes, fragments
    ["HTTPS://Example.com:8443/a%2Fb?x=1#Sec%20tion", { scheme: "https", host: "Example.com:8443", hostname: "Example.com", path: "/a/b", query: "x=1", fragment: "Sec tion" }],
    ["mailto:someone@example.com", { scheme: "mailto", opaque: "someone@example.com", path: "", host: "" }],
    ["http://[fe80::1%25en0]:8080/", { host: "[fe80::1%en0]:8080", hostname: "fe80::1%en0", path: "/" }],
    ["//host/only", { scheme: "", host: "host", path: "/only" }],
    ["/just/a/path?q", { host: "", path: "/just/a/path", query: "q" }],
    ["http://user@host", { userinfo: "user", host: "host", path: "" }],
    ["http://h/ä?ö#ü", { path: "/ä", query: "ö", fragment: "ü" }],
  ])("%s", (url, fields) => {
    expect(parse(url)).toMatchObject(fields);
  });

  it.each([
    ["http://[::1", 'parse "http://[::1": missing \']\' in host'],
    ["http://host:port/", 'parse "http://host:port/": invalid port ":port" after host'],
    ["http://h/%zz", 'parse "http://h/%zz": invalid URL escape "%zz"'],
    [":nothing", 'parse ":nothing": missing protocol scheme'],
    ["1a:b/c", 'parse "1a:b/c": first path segment in URL cannot contain colon'],
    ["http://a b.com/", 'parse "http://a b.com/": invalid character " " in host name'],
    ["http://us er@h/", 'parse "http://us er@h/": net/url: invalid userinfo'],
    ["http://h/\u0001", 'parse "http://h/\\x01": net/url: invalid control character in URL'],
    ["http://h/#%zz", 'parse "http://h/#%zz": invalid URL escape "%zz"'],
  ])("%j fails as Go does", (url, message) => {
    expect(() => render("{{ urlParse .u }}", { u: url })).toThrow(`error calling urlParse: unable to parse url: ${message}`);
  });
});

describe("urlJoin", () => {
  it.each([
    // sprig's TestUrlJoin
    ['{{ urlJoin (dict "fragment" "fragment" "host" "host:80" "path" "/path" "query" "query" "scheme" "proto") }}', "proto://host:80/path?query#fragment"],
    ['{{ urlJoin (dict "fragment" "fragment" "host" "host:80" "path" "/path" "scheme" "proto" "userinfo" "ASDJKJSD") }}', "proto://ASDJKJSD@host:80/path#fragment"],
    // URL.String: escaping of path, fragment and user, "./" before a colon in a relative path
    ['{{ urlJoin (dict "scheme" "https" "host" "h" "path" "a b/c?d" "fragment" "x y") }}', "https://h/a%20b/c%3Fd#x%20y"],
    ['{{ urlJoin (dict "path" "a:b") }}', "./a:b"],
    ['{{ urlJoin (dict "scheme" "mailto" "opaque" "x@y" "query" "s=1") }}', "mailto:x@y?s=1"],
    ['{{ urlJoin (dict "host" "h" "userinfo" "u%40x:p%20w") }}', "//u%40x:p%20w@h"],
    ["{{ urlJoin nil }}", ""],
  ])("%s", (src, want) => {
    expect(render(src)).toBe(want);
  });

  it.each(URL_TESTS)("TestUrlJoin: urlJoin (urlParse %j) round-trips", (url) => {
    expect(render("{{ urlJoin (urlParse .u) }}", { u: url })).toBe(url);
  });

  it.each([
    ['{{ urlJoin (dict "host" 80) }}', "unable to parse host key, must be of type string, but int found"],
    ['{{ urlJoin (dict "path" (list)) }}', "unable to parse path key, must be of type string, but slice found"],
    ['{{ urlJoin (dict "userinfo" "a b") }}', 'unable to parse userinfo in dict: parse "proto://a b@host": net/url: invalid userinfo'],
  ])("%s fails: %s", (src, message) => {
    expect(() => render(src)).toThrow(`error calling urlJoin: ${message}`);
  });
});

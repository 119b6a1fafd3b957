// sprig's urlParse and urlJoin over a port of Go's net/url: Parse's split into scheme,
// opaque, userinfo, host, path, query and fragment with its validation and %-unescaping,
// and URL.String's escaping. Go works on UTF-8 bytes; so does this file, on "byte
// strings" (one char per byte), converting at the edges.

import { fn, FuncError, type FuncTable } from "./funcs.js";
import { goQuote } from "./quote.js";
import { kindOf } from "./sprig-collections.js";
import { hasKey, newMap, putKey, type GoMap } from "./values.js";

const toBytes = (s: string): string => Buffer.from(s, "utf8").toString("latin1");
const fromBytes = (b: string): string => Buffer.from(b, "latin1").toString("utf8");

type Mode = "path" | "host" | "zone" | "userPassword" | "fragment";

class UrlError extends Error {}

const isAlnum = (c: string): boolean => /^[A-Za-z0-9]$/.test(c);
const isHex = (c: string | undefined): boolean => c !== undefined && /^[0-9A-Fa-f]$/.test(c);

/** net/url's shouldEscape for the modes Parse and String use. */
function shouldEscape(c: string, mode: Mode): boolean {
  if (isAlnum(c)) return false;
  if ((mode === "host" || mode === "zone") && "!$&'()*+,;=:[]<>\"".includes(c)) return false;
  if ("-_.~".includes(c)) return false;
  if ("$&+,/:;=?@".includes(c)) {
    switch (mode) {
      case "path":
        return c === "?";
      case "userPassword":
        return c === "@" || c === "/" || c === "?" || c === ":";
      case "fragment":
        return false;
    }
  }
  if (mode === "fragment" && "!()*".includes(c)) return false;
  return true;
}

function unescape(s: string, mode: Mode): string {
  let out = "";
  for (let i = 0; i < s.length; ) {
    const c = s[i];
    if (c === "%") {
      if (i + 2 >= s.length || !isHex(s[i + 1]) || !isHex(s[i + 2])) {
        throw new UrlError(`invalid URL escape ${goQuote(fromBytes(s.slice(i, i + 3)))}`);
      }
      const code = parseInt(s.slice(i + 1, i + 3), 16);
      const three = s.slice(i, i + 3);
      // In a host only non-ASCII bytes may be %-encoded (and %25, for IPv6 zones).
      if (mode === "host" && parseInt(s[i + 1], 16) < 8 && three !== "%25") throw new UrlError(`invalid URL escape ${goQuote(three)}`);
      if (mode === "zone" && three !== "%25" && code !== 0x20 && shouldEscape(String.fromCharCode(code), "host")) {
        throw new UrlError(`invalid URL escape ${goQuote(three)}`);
      }
      out += String.fromCharCode(code);
      i += 3;
      continue;
    }
    if ((mode === "host" || mode === "zone") && c.charCodeAt(0) < 0x80 && shouldEscape(c, mode)) {
      throw new UrlError(`invalid character ${goQuote(c)} in host name`);
    }
    out += c;
    i++;
  }
  return out;
}

function escape(s: string, mode: Mode): string {
  let out = "";
  for (const c of s) out += shouldEscape(c, mode) ? "%" + c.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0") : c;
  return out;
}

interface Userinfo {
  username: string;
  password: string | null;
}

function userString(u: Userinfo): string {
  return escape(u.username, "userPassword") + (u.password !== null ? ":" + escape(u.password, "userPassword") : "");
}

interface Url {
  scheme: string;
  opaque: string;
  user: Userinfo | null;
  host: string;
  path: string;
  rawQuery: string;
  forceQuery: boolean;
  fragment: string;
}

const validOptionalPort = (p: string): boolean => p === "" || /^:[0-9]*$/.test(p);

function parseHost(host: string): string {
  if (host.startsWith("[")) {
    const close = host.lastIndexOf("]");
    if (close < 0) throw new UrlError("missing ']' in host");
    const colonPort = host.slice(close + 1);
    if (!validOptionalPort(colonPort)) throw new UrlError(`invalid port ${goQuote(fromBytes(colonPort))} after host`);
    const zone = host.slice(0, close).indexOf("%25");
    if (zone >= 0) {
      return unescape(host.slice(0, zone), "host") + unescape(host.slice(zone, close), "zone") + unescape(host.slice(close), "host");
    }
  } else {
    const colon = host.lastIndexOf(":");
    if (colon >= 0 && !validOptionalPort(host.slice(colon))) {
      throw new UrlError(`invalid port ${goQuote(fromBytes(host.slice(colon)))} after host`);
    }
  }
  return unescape(host, "host");
}

function parseAuthority(authority: string): { user: Userinfo | null; host: string } {
  const at = authority.lastIndexOf("@");
  const host = parseHost(authority.slice(at + 1));
  if (at < 0) return { user: null, host };
  const info = authority.slice(0, at);
  if (!/^[A-Za-z0-9\-._:~!$&'()*+,;=%@]*$/.test(info)) throw new UrlError("net/url: invalid userinfo");
  const colon = info.indexOf(":");
  if (colon < 0) return { user: { username: unescape(info, "userPassword"), password: null }, host };
  return {
    user: { username: unescape(info.slice(0, colon), "userPassword"), password: unescape(info.slice(colon + 1), "userPassword") },
    host,
  };
}

/** url.Parse on a byte string; throws UrlError with Go's "parse \"...\": ..." message. */
function parseUrl(raw: string): Url {
  const hash = raw.indexOf("#");
  const u = hash < 0 ? raw : raw.slice(0, hash);
  const url: Url = { scheme: "", opaque: "", user: null, host: "", path: "", rawQuery: "", forceQuery: false, fragment: "" };
  const wrap = (what: string, err: unknown): never => {
    throw new UrlError(`parse ${goQuote(fromBytes(what))}: ${(err as Error).message}`);
  };
  try {
    if (/[\x00-\x1f\x7f]/.test(u)) throw new UrlError("net/url: invalid control character in URL");
    if (u === "*") {
      url.path = "*";
    } else {
      let rest = u;
      const scheme = /^[A-Za-z][A-Za-z0-9+\-.]*:/.exec(u);
      if (u.startsWith(":")) throw new UrlError("missing protocol scheme");
      if (scheme) {
        url.scheme = scheme[0].slice(0, -1).toLowerCase();
        rest = u.slice(scheme[0].length);
      }
      if (rest.endsWith("?") && rest.indexOf("?") === rest.length - 1) {
        url.forceQuery = true;
        rest = rest.slice(0, -1);
      } else if (rest.includes("?")) {
        url.rawQuery = rest.slice(rest.indexOf("?") + 1);
        rest = rest.slice(0, rest.indexOf("?"));
      }
      if (!rest.startsWith("/")) {
        if (url.scheme !== "") {
          url.opaque = rest; // a rootless path is opaque
          rest = "";
        } else if (rest.split("/")[0].includes(":")) {
          throw new UrlError("first path segment in URL cannot contain colon");
        }
      }
      if (url.opaque === "") {
        if ((url.scheme !== "" || !rest.startsWith("///")) && rest.startsWith("//")) {
          const slash = rest.indexOf("/", 2);
          const authority = slash < 0 ? rest.slice(2) : rest.slice(2, slash);
          rest = slash < 0 ? "" : rest.slice(slash);
          Object.assign(url, parseAuthority(authority));
        }
        url.path = unescape(rest, "path");
      }
    }
  } catch (err) {
    if (err instanceof UrlError) wrap(u, err);
    throw err;
  }
  if (hash >= 0) {
    try {
      url.fragment = unescape(raw.slice(hash + 1), "fragment");
    } catch (err) {
      wrap(raw, err);
    }
  }
  return url;
}

/** URL.String for a URL built from fields (no RawPath or RawFragment hints). */
function urlString(u: Url): string {
  let out = u.scheme !== "" ? u.scheme + ":" : "";
  if (u.opaque !== "") {
    out += u.opaque;
  } else {
    if (u.scheme !== "" || u.host !== "" || u.user !== null) {
      if (u.host !== "" || u.path !== "" || u.user !== null) out += "//";
      if (u.user !== null) out += userString(u.user) + "@";
      if (u.host !== "") out += escape(u.host, "host");
    }
    const path = u.path === "*" ? "*" : escape(u.path, "path");
    if (path !== "" && path[0] !== "/" && u.host !== "") out += "/";
    // A first segment with a colon would read as a scheme.
    if (out === "" && path.split("/")[0].includes(":")) out += "./";
    out += path;
  }
  if (u.forceQuery || u.rawQuery !== "") out += "?" + u.rawQuery;
  if (u.fragment !== "") out += "#" + escape(u.fragment, "fragment");
  return out;
}

/** URL.Hostname: the host without a valid port, IPv6 brackets removed. */
function hostname(host: string): string {
  let h = host;
  const colon = h.lastIndexOf(":");
  if (colon >= 0 && validOptionalPort(h.slice(colon))) h = h.slice(0, colon);
  if (h.startsWith("[") && h.endsWith("]")) h = h.slice(1, -1);
  return h;
}

function urlParse(v: string): GoMap {
  let u: Url;
  try {
    u = parseUrl(toBytes(v));
  } catch (err) {
    if (err instanceof UrlError) throw new FuncError(`unable to parse url: ${err.message}`);
    throw err;
  }
  const out = newMap();
  const fields: [string, string][] = [
    ["scheme", u.scheme], ["host", u.host], ["hostname", hostname(u.host)], ["path", u.path], ["query", u.rawQuery],
    ["opaque", u.opaque], ["fragment", u.fragment], ["userinfo", u.user ? userString(u.user) : ""],
  ];
  for (const [k, val] of fields) putKey(out, k, fromBytes(val));
  return out;
}

function stringKey(d: GoMap | null, key: string): string {
  if (!d || !hasKey(d, key)) return "";
  const v = d[key];
  if (typeof v === "string") return toBytes(v);
  if (v === null || v === undefined) throw new FuncError("runtime error: invalid memory address or nil pointer dereference");
  throw new FuncError(`unable to parse ${key} key, must be of type string, but ${typeof v === "bigint" ? "int" : kindOf(v)} found`);
}

function urlJoin(d: GoMap | null): string {
  const u: Url = {
    scheme: stringKey(d, "scheme"), host: stringKey(d, "host"), path: stringKey(d, "path"), rawQuery: stringKey(d, "query"),
    opaque: stringKey(d, "opaque"), fragment: stringKey(d, "fragment"), user: null, forceQuery: false,
  };
  const info = stringKey(d, "userinfo");
  if (info !== "") {
    try {
      u.user = parseUrl(`proto://${info}@host`).user;
    } catch (err) {
      if (err instanceof UrlError) throw new FuncError(`unable to parse userinfo in dict: ${err.message}`);
      throw err;
    }
  }
  return fromBytes(urlString(u));
}

export const sprigUrl: FuncTable = {
  urlParse: fn(["string"], urlParse),
  urlJoin: fn(["map"], urlJoin),
};

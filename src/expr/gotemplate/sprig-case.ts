// sprig's case conversions, which come from huandu/xstrings v1.5.0 (what sprig v3.3.0 and
// Argo Events build with): snakecase, kebabcase, camelcase (xstrings.ToPascalCase) and shuffle.
// Strings are handled as runes; U+FFFD and lone surrogates count as utf8.RuneError, which
// xstrings skips over when it classifies words.

import { fn, type FuncTable } from "./funcs.js";
import { isLetter, isNumber, isPunct, isRuneError, isSpace, isUpper, lowerRune, upperRune } from "./unicode.js";

type WordType = "invalid" | "number" | "upper" | "alpha" | "connector" | "punct" | "other";

function isConnector(r: string): boolean {
  return r === "-" || r === "_" || isSpace(r);
}

/** A letter that is not a CJK ideograph (those form words of their own kind). */
function isAlphabet(r: string): boolean {
  if (!isLetter(r)) return false;
  const c = r.codePointAt(0) ?? 0;
  if (c < 0x3400) return true;
  return !((c >= 0x4e00 && c <= 0x9fcc) || (c >= 0x3400 && c <= 0x4d85) || (c >= 0x20000 && c <= 0x2b81d));
}

/** The next rune that is not RuneError from index i, and how many runes that took; `prev` if none. */
function nextValid(rs: string[], i: number, prev: string): { r: string; n: number } {
  for (let j = i; j < rs.length; j++) if (!isRuneError(rs[j])) return { r: rs[j], n: j - i + 1 };
  return { r: prev, n: rs.length - i };
}

/** Splits off the next word at `start`: its kind and where it ends. */
function nextWord(rs: string[], start: number): { wt: WordType; end: number } {
  let first = nextValid(rs, start, "\uFFFD");
  let end = start + first.n;
  if (isRuneError(first.r)) return { wt: "invalid", end };
  let r = first.r;
  // Extends the word while `more` holds for the next valid rune.
  const extend = (more: (x: string) => boolean, stopAtZero = false): void => {
    while (end < rs.length) {
      const nx = nextValid(rs, end, r);
      r = nx.r;
      if ((stopAtZero && nx.n === 0) || !more(r)) break;
      end += nx.n;
    }
  };
  if (isConnector(r)) {
    extend(isConnector);
    return { wt: "connector", end };
  }
  if (isPunct(r)) {
    extend(isPunct);
    return { wt: "punct", end };
  }
  if (isUpper(r)) {
    if (end >= rs.length) return { wt: "upper", end };
    first = nextValid(rs, end, r);
    r = first.r;
    if (isUpper(r)) {
      let lastSize = first.n;
      end += first.n;
      while (end < rs.length) {
        const nx = nextValid(rs, end, r);
        r = nx.r;
        if (!isUpper(r)) break;
        lastSize = nx.n;
        end += nx.n;
      }
      // "HTTPStatus" splits as "HTTP" + "Status": the last capital starts the next word.
      if (end < rs.length && isAlphabet(r)) end -= lastSize;
    } else if (isAlphabet(r)) {
      end += first.n;
      extend((x) => isAlphabet(x) && !isUpper(x));
    }
    return { wt: "upper", end };
  }
  if (isAlphabet(r)) {
    extend((x) => isAlphabet(x) && !isUpper(x));
    return { wt: "alpha", end };
  }
  if (isNumber(r)) {
    extend(isNumber);
    return { wt: "number", end };
  }
  extend((x) => !(isConnector(x) || isAlphabet(x) || isNumber(x) || isPunct(x)), true);
  return { wt: "other", end };
}

/** Writes a word: upper-case words and connectors are lowered, connectors become `conn`. */
function lowerWord(out: string[], wt: WordType, word: string[], conn: string): void {
  if (wt !== "upper" && wt !== "connector") {
    out.push(...word);
    return;
  }
  for (const r of word) out.push(isConnector(r) ? conn : isUpper(r) ? lowerRune(r) : r);
}

/** xstrings' camelCaseToLowerCase, behind ToSnakeCase and ToKebabCase. */
function toLowerWords(s: string, conn: string): string {
  if (s === "") return "";
  const rs = [...s];
  const out: string[] = [];
  let pos = 0;
  const take = (): { wt: WordType; word: string[] } => {
    const { wt, end } = nextWord(rs, pos);
    const word = rs.slice(pos, end);
    pos = end;
    return { wt, word };
  };
  let cur = take();
  while (pos < rs.length) {
    if (cur.wt !== "connector") lowerWord(out, cur.wt, cur.word, conn);
    const prev = cur;
    cur = take();
    if (prev.wt === "number") {
      while (cur.wt === "alpha" || cur.wt === "number") {
        lowerWord(out, cur.wt, cur.word, conn);
        cur = take();
      }
      if (cur.wt !== "invalid" && cur.wt !== "punct" && cur.wt !== "connector") out.push(conn);
    } else if (prev.wt === "connector") {
      lowerWord(out, prev.wt, prev.word, conn);
    } else if (prev.wt !== "punct") {
      if (cur.wt !== "number") {
        if (cur.wt !== "connector" && cur.wt !== "punct") out.push(conn);
        continue;
      }
      if (pos >= rs.length) continue;
      const num = cur.word;
      cur = take();
      if (cur.wt !== "alpha") {
        // A number ends the word it follows: "Bld4Floor" gives "bld4_floor".
        lowerWord(out, "number", num, conn);
        if (cur.wt !== "connector" && cur.wt !== "punct") out.push(conn);
        continue;
      }
      // Lower-case letters after a number start a new word with it: "HTTP2xx" gives "http_2xx".
      out.push(conn);
      lowerWord(out, "number", num, conn);
      while (cur.wt === "alpha" || cur.wt === "number") {
        lowerWord(out, cur.wt, cur.word, conn);
        cur = take();
      }
      if (cur.wt !== "invalid" && cur.wt !== "connector" && cur.wt !== "punct") out.push(conn);
    }
  }
  lowerWord(out, cur.wt, cur.word, conn);
  return out.join("");
}

/** xstrings.ToPascalCase: connectors dropped, each word capitalised, all-caps words lowered after their first letter. */
function toPascal(s: string): string {
  if (s === "") return "";
  const rs = [...s];
  const out: string[] = [];
  let i = 0;
  let r0 = "";
  let firstUpper = false;
  while (i < rs.length) {
    r0 = rs[i++];
    if (!isConnector(r0)) {
      firstUpper = isUpper(r0);
      r0 = upperRune(r0);
      break;
    }
    out.push(r0);
  }
  if (i >= rs.length) {
    // xstrings writes the last rune once more here, even when it was a connector already written.
    out.push(r0);
    return out.join("");
  }
  while (i < rs.length) {
    const r1 = r0;
    r0 = rs[i++];
    if (isConnector(r0) && isConnector(r1)) {
      out.push(r1);
      continue;
    }
    if (isConnector(r1)) {
      firstUpper = isUpper(r0);
      r0 = upperRune(r0);
    } else {
      if (firstUpper) {
        if (isUpper(r0)) r0 = lowerRune(r0);
        else firstUpper = false;
      }
      out.push(r1);
    }
  }
  out.push(r0);
  return out.join("");
}

function shuffle(s: string): string {
  const rs = [...s];
  for (let i = rs.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [rs[i], rs[j]] = [rs[j], rs[i]];
  }
  return rs.join("");
}

export const sprigCase: FuncTable = {
  snakecase: fn(["string"], (s) => toLowerWords(s, "_")),
  kebabcase: fn(["string"], (s) => toLowerWords(s, "-")),
  camelcase: fn(["string"], toPascal),
  shuffle: fn(["string"], shuffle),
};

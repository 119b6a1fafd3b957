// Tokens of Knetic/govaluate, read the way its lexer reads them: a backslash escapes
// any character in names and strings, a string ends at the first unescaped quote of
// either kind, and operator symbols are maximal runs of non-alphanumeric characters
// (so `a==-1` is the invalid token `==-`, as in govaluate). A quoted literal that
// reads as a date in one of govaluate's formats is a time token, not a string.
import { ExpressionError } from "../errors.js";
import { govaluateTimeLiteral } from "./govaluate-time.js";

export type GovToken =
  | { k: "num"; v: number }
  | { k: "str"; v: string }
  /** A quoted date: its Unix seconds, and the literal as written. */
  | { k: "time"; v: number; text: string }
  | { k: "bool"; v: boolean }
  | { k: "var"; v: string }
  /** `a.B.C`: a parameter and the fields read from it. */
  | { k: "acc"; v: string[] }
  | { k: "sym"; v: string }
  | { k: "("; v: "(" }
  | { k: ")"; v: ")" }
  | { k: ","; v: "," };

const isSpace = (c: string): boolean => /\s/u.test(c);
const isLetter = (c: string): boolean => /\p{L}/u.test(c);
const isDigit = (c: string): boolean => /\p{Nd}/u.test(c);
const isQuote = (c: string): boolean => c === "'" || c === '"';
const isVarChar = (c: string): boolean => isLetter(c) || isDigit(c) || c === "_" || c === ".";
const isSymChar = (c: string): boolean =>
  !(isDigit(c) || isLetter(c) || c === "(" || c === ")" || c === "[" || c === "]" || isQuote(c));

export function lexGovaluate(src: string): GovToken[] {
  const chars = Array.from(src);
  const out: GovToken[] = [];
  let i = 0;
  const fail = (msg: string): never => {
    throw new ExpressionError(msg);
  };
  // Reads while `cond` holds; backslash escapes; stops at whitespace when asked.
  const readRun = (cond: (c: string) => boolean, stopAtSpace: boolean): { text: string; closed: boolean } => {
    let text = "";
    while (i < chars.length) {
      const c = chars[i];
      if (c === "\\") {
        text += chars[i + 1] ?? "";
        i += 2;
        continue;
      }
      if (stopAtSpace && isSpace(c) && text.length > 0) return { text, closed: true };
      if (!cond(c)) return { text, closed: true };
      text += c;
      i++;
    }
    return { text, closed: false };
  };

  while (i < chars.length) {
    const c = chars[i];
    if (isSpace(c)) {
      i++;
      continue;
    }
    if (isDigit(c) || c === ".") {
      if (c === "0" && chars[i + 1] === "x") {
        i += 2;
        const hex = readRun((x) => /[0-9a-fA-F]/.test(x), true).text;
        if (!/^[0-9a-fA-F]+$/.test(hex)) fail(`Unable to parse hex value '${hex}' to uint64`);
        out.push({ k: "num", v: parseInt(hex, 16) });
        continue;
      }
      const text = readRun((x) => isDigit(x) || x === ".", true).text;
      if (!/^(\d+\.?\d*|\.\d+)$/.test(text)) fail(`Unable to parse numeric value '${text}' to float64`);
      out.push({ k: "num", v: Number(text) });
      continue;
    }
    if (c === ",") {
      out.push({ k: ",", v: "," });
      i++;
      continue;
    }
    if (c === "(" || c === ")") {
      out.push(c === "(" ? { k: "(", v: "(" } : { k: ")", v: ")" });
      i++;
      continue;
    }
    if (c === "[") {
      i++;
      const { text, closed } = readRun((x) => x !== "]", false);
      if (!closed) fail("Unclosed parameter bracket");
      i++; // the closing bracket
      out.push({ k: "var", v: text });
      continue;
    }
    if (isLetter(c)) {
      const text = readRun(isVarChar, true).text;
      if (text === "true" || text === "false") out.push({ k: "bool", v: text === "true" });
      else if (text === "in" || text === "IN") out.push({ k: "sym", v: "in" });
      else if (text.indexOf(".") > 0) {
        if (text.endsWith(".")) fail(`Hanging accessor on token '${text}'`);
        const parts = text.split(".");
        for (const p of parts.slice(1)) {
          const first = Array.from(p)[0] ?? "";
          if (first.toUpperCase() !== first) fail(`Unable to access unexported field '${p}' in token '${text}'`);
        }
        out.push({ k: "acc", v: parts });
      } else out.push({ k: "var", v: text });
      continue;
    }
    if (isQuote(c)) {
      i++;
      const { text, closed } = readRun((x) => !isQuote(x), false);
      if (!closed) fail("Unclosed string literal");
      i++; // the closing quote
      const seconds = govaluateTimeLiteral(text);
      out.push(seconds === undefined ? { k: "str", v: text } : { k: "time", v: seconds, text });
      continue;
    }
    const sym = readRun(isSymChar, true).text;
    if (sym === "") fail(`Invalid token: '${c}'`);
    out.push({ k: "sym", v: sym });
  }
  return out;
}

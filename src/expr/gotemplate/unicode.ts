// Go's unicode package on single runes (code points as JS strings): the category tests
// and the one-rune case mappings, which never expand a rune ("ß" stays "ß", unlike
// String.prototype.toUpperCase).

const SPACE = /^\p{White_Space}$/u;
const UPPER = /^\p{Lu}$/u;
const LOWER = /^\p{Ll}$/u;
const LETTER = /^\p{L}$/u;
const DIGIT = /^\p{Nd}$/u;
const NUMBER = /^\p{N}$/u;
const PUNCT = /^\p{P}$/u;

export const isSpace = (r: string): boolean => SPACE.test(r);
export const isUpper = (r: string): boolean => UPPER.test(r);
export const isLower = (r: string): boolean => LOWER.test(r);
export const isLetter = (r: string): boolean => LETTER.test(r);
export const isDigit = (r: string): boolean => DIGIT.test(r);
export const isNumber = (r: string): boolean => NUMBER.test(r);
export const isPunct = (r: string): boolean => PUNCT.test(r);

/** utf8.RuneError as DecodeRune reports it: U+FFFD itself, or a lone surrogate (invalid UTF-8 in Go). */
export function isRuneError(r: string): boolean {
  if (r === "\uFFFD") return true;
  const c = r.charCodeAt(0);
  return r.length === 1 && c >= 0xd800 && c <= 0xdfff;
}

/** unicode.ToUpper: the simple mapping, one rune to one rune. */
export function upperRune(r: string): string {
  const u = r.toUpperCase();
  return u.length === r.length || [...u].length === 1 ? u : r;
}

/** unicode.ToLower: the simple mapping ("İ" gives "i", not "i̇"). */
export function lowerRune(r: string): string {
  if (r === "\u0130") return "i";
  const l = r.toLowerCase();
  return l.length === r.length || [...l].length === 1 ? l : r;
}

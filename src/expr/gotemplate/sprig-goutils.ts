// sprig functions backed by Masterminds/goutils v1.1.1: wrap, wrapWith, untitle and the
// crypto/rand strings randAlphaNum, randAlpha, randAscii, randNumeric. Sizes are checked
// against the template budget before anything is allocated.

import { randomBytes } from "node:crypto";
import { TEMPLATE_MAX_OUTPUT } from "./exec.js";
import { fn, FuncError, type FuncTable } from "./funcs.js";
import { isDigit, isLetter, isSpace, lowerRune } from "./unicode.js";

function overBudget(what: string): FuncError {
  return new FuncError(`template exceeded its budget: ${what} of more than ${TEMPLATE_MAX_OUTPUT} bytes`);
}

/**
 * goutils.WrapCustom: breaks at the last space that keeps a line within `width` bytes; a
 * longer word is split every `width` bytes when `wrapLong`, else left whole up to the
 * next space. Works on UTF-8 bytes as Go does (a split inside a character shows as U+FFFD).
 */
function wrapCustom(s: string, width: number, newline: string, wrapLong: boolean): string {
  if (s === "") return "";
  const nl = Buffer.from(newline === "" ? "\n" : newline, "utf8");
  const w = Math.max(width, 1);
  const b = Buffer.from(s, "utf8");
  const parts: Buffer[] = [];
  let size = 0;
  const emit = (chunk: Buffer): void => {
    size += chunk.length;
    if (size > TEMPLATE_MAX_OUTPUT) throw overBudget("wrapped text");
    parts.push(chunk);
  };
  const SPACE = 0x20;
  let offset = 0;
  while (b.length - offset > w) {
    if (b[offset] === SPACE) {
      offset++;
      continue;
    }
    const at = b.subarray(offset, offset + w + 1).lastIndexOf(SPACE);
    if (at >= 0) {
      emit(b.subarray(offset, offset + at));
      emit(nl);
      offset += at + 1;
    } else if (wrapLong) {
      emit(b.subarray(offset, offset + w));
      emit(nl);
      offset += w;
    } else {
      const next = b.indexOf(SPACE, offset + w);
      if (next < 0) {
        emit(b.subarray(offset));
        offset = b.length;
      } else {
        emit(b.subarray(offset, next));
        emit(nl);
        offset = next + 1;
      }
    }
  }
  emit(b.subarray(offset));
  return Buffer.concat(parts).toString("utf8");
}

/** goutils.Uncapitalize: lower-cases the first letter of every space-separated word. */
function uncapitalize(s: string): string {
  let out = "";
  let atWordStart = true;
  for (const r of s) {
    if (isSpace(r)) {
      atWordStart = true;
      out += r;
    } else {
      out += atWordStart ? lowerRune(r) : r;
      atWordStart = false;
    }
  }
  return out;
}

/**
 * goutils.CryptoRandom over the code points [start, end): draws until `count` characters
 * pass the filter. sprig drops its error, so a negative count gives "".
 */
function cryptoRandom(count: number, start: number, end: number, keep: (ch: string) => boolean, what: string): string {
  if (count <= 0) return "";
  if (count > TEMPLATE_MAX_OUTPUT) throw overBudget(what);
  const gap = end - start;
  const limit = 256 - (256 % gap); // bytes at or above this would bias the draw
  const out: string[] = [];
  while (out.length < count) {
    for (const byte of randomBytes(Math.min(count - out.length, 65536) * 2)) {
      if (byte >= limit) continue;
      const ch = String.fromCharCode(start + (byte % gap));
      if (keep(ch) && out.push(ch) === count) break;
    }
  }
  return out.join("");
}

const ALL = (): boolean => true;
const LETTER_OR_DIGIT = (c: string): boolean => isLetter(c) || isDigit(c);

export const sprigGoutils: FuncTable = {
  wrap: fn(["int", "string"], (width, s) => wrapCustom(s, width, "", false)),
  wrapWith: fn(["int", "string", "string"], (width, sep, s) => wrapCustom(s, width, sep, true)),
  untitle: fn(["string"], uncapitalize),
  // Letters and digits draw from ' '..'z' as goutils does; ASCII from ' '..'~'.
  randAlphaNum: fn(["int"], (n) => cryptoRandom(n, 0x20, 0x7b, LETTER_OR_DIGIT, "randAlphaNum")),
  randAlpha: fn(["int"], (n) => cryptoRandom(n, 0x20, 0x7b, isLetter, "randAlpha")),
  randNumeric: fn(["int"], (n) => cryptoRandom(n, 0x20, 0x7b, isDigit, "randNumeric")),
  randAscii: fn(["int"], (n) => cryptoRandom(n, 0x20, 0x7f, ALL, "randAscii")),
};

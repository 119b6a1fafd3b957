// govaluate's lexer turns a quoted literal that reads as a date into a number:
// it tries a fixed list of Go layouts in order with time.ParseInLocation(layout,
// text, time.Local), and the planner keeps float64(t.Unix()) - whole seconds, the
// fraction dropped. This module reproduces Go's time parsing for exactly those
// layouts. time.Local is the process's zone here, as it is for the Go binary (the
// TZ variable, else /etc/localtime, else UTC: Argo's sensor image has no
// /etc/localtime, so UTC unless the pod sets TZ).

/** The elements of Go layouts that govaluate's date formats use, spelled as in a layout. */
const ELEMENTS = [
  "Mon", "Jan", "MST", "2006", "01", "02", "04", "05", "_2", "15", "3", "PM",
  "Z07:00", "Z0700", "-07:00", "-0700", ".999999999",
] as const;
type Std = (typeof ELEMENTS)[number];

/** A layout split into elements and the literal text between them. */
type Layout = readonly ({ std: Std } | { text: string })[];

/**
 * Split a layout the way Go's chunker does for these layouts (it is not Go's general
 * chunker: only the elements above are recognised, which is all the list below uses).
 */
function splitLayout(layout: string): Layout {
  const out: ({ std: Std } | { text: string })[] = [];
  let text = "";
  for (let i = 0; i < layout.length; ) {
    const std = ELEMENTS.find((e) => layout.startsWith(e, i));
    if (std === undefined) {
      text += layout[i++];
      continue;
    }
    if (text) out.push({ text });
    text = "";
    out.push({ std });
    i += std.length;
  }
  if (text) out.push({ text });
  return out;
}

/** govaluate's tryParseTime formats, in the order it tries them. */
export const GOVALUATE_TIME_LAYOUTS: readonly string[] = [
  "Mon Jan _2 15:04:05 2006", // time.ANSIC
  "Mon Jan _2 15:04:05 MST 2006", // time.UnixDate
  "Mon Jan 02 15:04:05 -0700 2006", // time.RubyDate
  "3:04PM", // time.Kitchen
  "2006-01-02T15:04:05Z07:00", // time.RFC3339
  "2006-01-02T15:04:05.999999999Z07:00", // time.RFC3339Nano
  "2006-01-02",
  "2006-01-02 15:04",
  "2006-01-02 15:04:05",
  "2006-01-02 15:04:05-07:00",
  "2006-01-02T15Z0700",
  "2006-01-02T15:04Z0700",
  "2006-01-02T15:04:05Z0700",
  "2006-01-02T15:04:05.999999999Z0700",
];

const LAYOUTS: readonly Layout[] = GOVALUATE_TIME_LAYOUTS.map(splitLayout);

/** For tests: how a layout is split. */
export function layoutElements(layout: string): string[] {
  return splitLayout(layout).map((e) => ("std" in e ? `<${e.std}>` : e.text));
}

const SHORT_DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const SHORT_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

const isDigitAt = (s: string, i: number): boolean => i < s.length && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57;
const isUpperAt = (s: string, i: number): boolean => i < s.length && s.charCodeAt(i) >= 65 && s.charCodeAt(i) <= 90;

/** Case-insensitive ASCII prefix match against a name table; the index and the rest. */
function lookup(table: string[], value: string): [number, string] | undefined {
  for (let i = 0; i < table.length; i++) {
    const name = table[i];
    if (value.length < name.length) continue;
    let ok = true;
    for (let j = 0; j < name.length && ok; j++) {
      const a = value.charCodeAt(j) | 0x20;
      const b = name.charCodeAt(j) | 0x20;
      ok = value.charCodeAt(j) === name.charCodeAt(j) || (a === b && a >= 97 && a <= 122);
    }
    if (ok) return [i, value.slice(name.length)];
  }
  return undefined;
}

/** One or two digits (exactly two when `fixed`); two are taken whenever there are two. */
function getnum(s: string, fixed: boolean): [number, string] | undefined {
  if (!isDigitAt(s, 0)) return undefined;
  if (!isDigitAt(s, 1)) return fixed ? undefined : [s.charCodeAt(0) - 48, s.slice(1)];
  return [(s.charCodeAt(0) - 48) * 10 + (s.charCodeAt(1) - 48), s.slice(2)];
}

/** Literal layout text: a space matches a run of spaces (or the end of the value). */
function skip(value: string, prefix: string): string | undefined {
  while (prefix.length > 0) {
    if (prefix[0] === " ") {
      if (value.length > 0 && value[0] !== " ") return undefined;
      prefix = prefix.replace(/^ +/, "");
      value = value.replace(/^ +/, "");
      continue;
    }
    if (value.length === 0 || value[0] !== prefix[0]) return undefined;
    prefix = prefix.slice(1);
    value = value.slice(1);
  }
  return value;
}

/** Length of a leading signed hour offset ("+03", "-4") in -23..+23, 0 when there is none. */
function signedOffsetLength(value: string): number {
  if (value[0] !== "+" && value[0] !== "-") return 0;
  let i = 1;
  while (isDigitAt(value, i)) i++;
  if (i === 1 || Number(value.slice(1, i)) > 23) return 0;
  return i;
}

/** Length of a time zone abbreviation at the start of `value`, as Go's parseTimeZone guesses it. */
function timeZoneLength(value: string): number | undefined {
  if (value.length < 3) return undefined;
  if (value.startsWith("ChST") || value.startsWith("MeST")) return 4;
  if (value.startsWith("GMT")) return 3 + (value.length > 3 ? signedOffsetLength(value.slice(3)) : 0);
  if (value[0] === "+" || value[0] === "-") {
    const n = signedOffsetLength(value);
    return n > 0 ? n : undefined;
  }
  let upper = 0;
  while (upper < 6 && isUpperAt(value, upper)) upper++;
  if (upper === 3) return 3;
  if (upper === 4 && (value[3] === "T" || value.startsWith("WITA"))) return 4;
  if (upper === 5 && value[4] === "T") return 5;
  return undefined;
}

const isLeap = (y: number): boolean => y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
const DAYS_IN = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const daysIn = (month: number, year: number): number => (month === 2 && isLeap(year) ? 29 : DAYS_IN[month - 1]);

/** Seconds since the epoch of a wall-clock time read as UTC (any year 0..9999). */
function wallSeconds(y: number, mo: number, d: number, h: number, mi: number, s: number): number {
  const t = new Date(0);
  t.setUTCFullYear(y, mo - 1, d);
  t.setUTCHours(h, mi, s, 0);
  return t.getTime() / 1000;
}

/** The local zone's offset east of UTC, in seconds, at the instant `unix`. */
function localOffset(unix: number): number {
  const d = new Date(unix * 1000);
  return wallSeconds(d.getFullYear(), d.getMonth() + 1, d.getDate(), d.getHours(), d.getMinutes(), d.getSeconds()) - Math.floor(unix);
}

/**
 * time.Date(..., time.Local): look up the offset at the wall clock read as UTC, then
 * at the instant that offset gives, and use the second. In a gap of a daylight-saving
 * change this lands an hour earlier than JS's Date would.
 */
function localWallToUnix(wall: number): number {
  const guess = localOffset(wall);
  if (guess === 0) return wall;
  return wall - localOffset(wall - guess);
}

/** The local zone's abbreviation at an instant, as ICU names it in English ("EST", "UTC", "GMT+1"). */
function localAbbreviation(unix: number): string | undefined {
  // Not cached: the formatter fixes the zone when it is made, and TZ may change.
  const format = new Intl.DateTimeFormat("en-US", { timeZoneName: "short" });
  return format.formatToParts(new Date(unix * 1000)).find((p) => p.type === "timeZoneName")?.value;
}

/**
 * Location.lookupName on time.Local: the offset of a zone of that name in effect at
 * the wall clock. Go reads the abbreviations from tzdata; ICU's English names are the
 * closest JS has (the same for UTC and the US zones, not for e.g. CET).
 */
function localOffsetNamed(name: string, wall: number): number | undefined {
  const halfYear = 182 * 86400;
  const offsets = new Set([localOffset(wall), localOffset(wall - halfYear), localOffset(wall + halfYear)]);
  for (const offset of offsets) {
    const at = wall - offset;
    if (localAbbreviation(at) === name) return localOffset(at);
  }
  return undefined;
}

/** time.ParseInLocation(layout, value, time.Local) as Unix seconds, or undefined where Go errors. */
function parseLayout(layout: Layout, input: string): number | undefined {
  let value = input;
  let year = 0;
  let month = -1;
  let day = -1;
  let hour = 0;
  let min = 0;
  let sec = 0;
  let pm = false;
  let am = false;
  let utc = false;
  let zoneOffset: number | undefined;
  let zoneName = "";
  for (let i = 0; i < layout.length; i++) {
    const part = layout[i];
    if ("text" in part) {
      const rest = skip(value, part.text);
      if (rest === undefined) return undefined;
      value = rest;
      continue;
    }
    const el = part.std;
    switch (el) {
      case "2006": {
        if (value.length < 4 || !/^\d{4}/.test(value)) return undefined;
        year = Number(value.slice(0, 4));
        value = value.slice(4);
        break;
      }
      case "Jan": {
        const r = lookup(SHORT_MONTHS, value);
        if (!r) return undefined;
        [month, value] = [r[0] + 1, r[1]];
        break;
      }
      case "01": {
        const r = getnum(value, true);
        if (!r || r[0] < 1 || r[0] > 12) return undefined;
        [month, value] = r;
        break;
      }
      case "Mon": {
        // Checked for its spelling only, never against the date.
        const r = lookup(SHORT_DAYS, value);
        if (!r) return undefined;
        value = r[1];
        break;
      }
      case "_2":
      case "02": {
        if (el === "_2" && value[0] === " ") value = value.slice(1);
        const r = getnum(value, el === "02");
        if (!r) return undefined;
        [day, value] = r; // the range is checked against the month at the end
        break;
      }
      case "15": {
        const r = getnum(value, false);
        if (!r || r[0] > 23) return undefined;
        [hour, value] = r;
        break;
      }
      case "3": {
        const r = getnum(value, false);
        if (!r || r[0] > 12) return undefined;
        [hour, value] = r;
        break;
      }
      case "04": {
        const r = getnum(value, true);
        if (!r || r[0] > 59) return undefined;
        [min, value] = r;
        break;
      }
      case "05": {
        const r = getnum(value, true);
        if (!r || r[0] > 59) return undefined;
        [sec, value] = r;
        // A fraction the layout does not ask for is still read (and, here, dropped).
        if (value.length >= 2 && (value[0] === "." || value[0] === ",") && isDigitAt(value, 1)) {
          const next = layout.slice(i + 1).find((x) => "std" in x);
          if (next === undefined || !("std" in next) || next.std !== ".999999999") {
            let n = 2;
            while (isDigitAt(value, n)) n++;
            value = value.slice(n);
          }
        }
        break;
      }
      case ".999999999": {
        if (value.length < 2 || (value[0] !== "." && value[0] !== ",") || !isDigitAt(value, 1)) break; // omitted
        let n = 2;
        while (isDigitAt(value, n)) n++;
        value = value.slice(n);
        break;
      }
      case "PM": {
        const p = value.slice(0, 2);
        if (p === "PM") pm = true;
        else if (p === "AM") am = true;
        else return undefined;
        value = value.slice(2);
        break;
      }
      case "MST": {
        if (value.startsWith("UTC")) {
          utc = true;
          value = value.slice(3);
          break;
        }
        const n = timeZoneLength(value);
        if (n === undefined) return undefined;
        [zoneName, value] = [value.slice(0, n), value.slice(n)];
        break;
      }
      case "Z0700":
      case "Z07:00":
      case "-0700":
      case "-07:00": {
        if ((el === "Z0700" || el === "Z07:00") && value[0] === "Z") {
          utc = true;
          value = value.slice(1);
          break;
        }
        const colon = el === "Z07:00" || el === "-07:00";
        if (value.length < (colon ? 6 : 5) || (colon && value[3] !== ":")) return undefined;
        const hh = getnum(value.slice(1, 3), true);
        const mm = getnum(colon ? value.slice(4, 6) : value.slice(3, 5), true);
        if (!hh || !mm || hh[0] > 24 || mm[0] > 60 || (value[0] !== "+" && value[0] !== "-")) return undefined;
        zoneOffset = (hh[0] * 60 + mm[0]) * 60 * (value[0] === "-" ? -1 : 1);
        value = value.slice(colon ? 6 : 5);
        break;
      }
    }
  }
  if (value.length > 0) return undefined; // extra text
  if (pm && hour < 12) hour += 12;
  else if (am && hour === 12) hour = 0;
  if (month < 0) month = 1;
  if (day < 0) day = 1;
  if (day < 1 || day > daysIn(month, year)) return undefined;

  const wall = wallSeconds(year, month, day, hour, min, sec);
  if (utc) return wall;
  if (zoneOffset !== undefined) return wall - zoneOffset;
  if (zoneName !== "") {
    // An abbreviation the local zone does not use leaves the wall clock read as UTC.
    const offset = localOffsetNamed(zoneName, wall);
    return offset === undefined ? wall : wall - offset;
  }
  return localWallToUnix(wall);
}

/**
 * govaluate's tryParseTime followed by the planner's float64(t.Unix()): the Unix
 * seconds of the first layout that parses the whole literal, or undefined when none
 * does (the literal stays a string).
 */
export function govaluateTimeLiteral(text: string): number | undefined {
  for (const layout of LAYOUTS) {
    const t = parseLayout(layout, text);
    if (t !== undefined) return t;
  }
  return undefined;
}

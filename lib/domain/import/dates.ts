// Dates in import files. ISO 8601 is always read; slash dates only in the order the mapping
// names (TimeMap writes MM/DD/YYYY). Anything else, or a slash date without a declared order,
// is an error for that row: a wrong guess would put an incident on the wrong day unnoticed.
// Times without an offset are read as UTC.
import type { DateFormat } from "./mapping";

/** "iso" or "slash": used to spot files that mix the two. */
export type DateStyle = "iso" | "slash" | "text";

export type ParsedImportDate =
  | { ok: true; date: Date; hasTime: boolean; style: DateStyle }
  | { ok: false; error: string };

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?\s*(Z|[+-]\d{2}:?\d{2})?)?$/i;
const SLASH = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$/;
const TIME = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/;
/** "15 January 2023" (older ACLED exports): unambiguous, always read. */
const TEXT = /^(\d{1,2})[ -]([A-Za-z]+)[ -](\d{4})$/;
const MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"];

function utc(year: number, month: number, day: number, hour = 0, minute = 0, second = 0, ms = 0): Date | null {
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return null;
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second, ms));
  // Date.UTC rolls 02/30 over to March; a real calendar date survives the round trip.
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return null;
  return date;
}

function offsetMinutes(text: string): number | null {
  if (text.toUpperCase() === "Z") return 0;
  const match = /^([+-])(\d{2}):?(\d{2})$/.exec(text);
  if (!match) return null;
  const minutes = Number(match[2]) * 60 + Number(match[3]);
  if (Number(match[2]) > 14 || Number(match[3]) > 59) return null;
  return match[1] === "-" ? -minutes : minutes;
}

/** "14:30" or "14:30:05" as minutes-and-seconds past midnight, or null. */
export function parseImportTime(text: string): { hour: number; minute: number; second: number } | null {
  const match = TIME.exec(text.trim());
  if (!match) return null;
  const [hour, minute, second] = [Number(match[1]), Number(match[2]), Number(match[3] ?? 0)];
  if (hour > 23 || minute > 59 || second > 59) return null;
  return { hour, minute, second };
}

export function parseImportDate(raw: string, format: DateFormat, time?: string): ParsedImportDate {
  const text = raw.trim();
  const timeText = time?.trim() ?? "";
  const separateTime = timeText === "" ? null : parseImportTime(timeText);
  if (timeText !== "" && !separateTime) return { ok: false, error: `"${timeText}" is not a time (use HH:MM or HH:MM:SS, 24-hour).` };

  const iso = ISO.exec(text);
  if (iso) {
    const [, y, mo, d, h, mi, s, ms, offset] = iso;
    const hasTime = h !== undefined;
    if (hasTime && separateTime) return { ok: false, error: "The date already has a time; leave the time column empty or remove the time from the date." };
    const base = hasTime
      ? utc(Number(y), Number(mo), Number(d), Number(h), Number(mi), Number(s ?? 0), Number((ms ?? "0").padEnd(3, "0")))
      : utc(Number(y), Number(mo), Number(d), separateTime?.hour, separateTime?.minute, separateTime?.second);
    if (!base) return { ok: false, error: `"${text}" is not a real calendar date and time.` };
    if (offset !== undefined) {
      const minutes = offsetMinutes(offset);
      if (minutes === null) return { ok: false, error: `"${offset}" is not a valid UTC offset.` };
      base.setTime(base.getTime() - minutes * 60_000);
    }
    return { ok: true, date: base, hasTime: hasTime || separateTime !== null, style: "iso" };
  }

  const slash = SLASH.exec(text);
  if (slash) {
    if (format === "ISO") {
      return { ok: false, error: `"${text}" could be month/day or day/month; use YYYY-MM-DD or set "dateFormat" in the mapping.` };
    }
    const [, a, b, y, h, mi, s] = slash;
    const [month, day] = format === "MM/DD/YYYY" ? [Number(a), Number(b)] : [Number(b), Number(a)];
    const hasTime = h !== undefined;
    if (hasTime && separateTime) return { ok: false, error: "The date already has a time; leave the time column empty or remove the time from the date." };
    const date = hasTime
      ? utc(Number(y), month, day, Number(h), Number(mi), Number(s ?? 0))
      : utc(Number(y), month, day, separateTime?.hour, separateTime?.minute, separateTime?.second);
    if (!date) return { ok: false, error: `"${text}" is not a valid ${format} date.` };
    return { ok: true, date, hasTime: hasTime || separateTime !== null, style: "slash" };
  }

  const named = TEXT.exec(text);
  if (named) {
    const name = named[2]!.toLowerCase();
    const month = name.length >= 3 ? MONTHS.findIndex((m) => m.startsWith(name)) + 1 : 0;
    const date = month > 0 ? utc(Number(named[3]), month, Number(named[1]), separateTime?.hour, separateTime?.minute, separateTime?.second) : null;
    if (!date) return { ok: false, error: `"${text}" is not a real calendar date.` };
    return { ok: true, date, hasTime: separateTime !== null, style: "text" };
  }

  return { ok: false, error: `"${text}" is not a date this import reads (YYYY-MM-DD${format === "ISO" ? "" : ` or ${format}`}).` };
}

/** The last millisecond of the UTC day a date falls on: a date without a time covers the whole day. */
export function endOfUtcDay(date: Date): Date {
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate(), 23, 59, 59, 999));
}

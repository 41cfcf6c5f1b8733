// Reading view state from a URL's query string. Links get shared, bookmarked and hand-edited,
// so these helpers never throw: a value that makes no sense is left out and named in
// `problems`, so the page can say what it ignored.
import { isCalendarDay } from "./calendar-day";

export const MAX_LIST = 20;

export type ParamSource = URLSearchParams | Record<string, string | string[] | undefined>;

export function getParam(source: ParamSource, key: string): string | undefined {
  if (source instanceof URLSearchParams) return source.get(key) ?? undefined;
  const value = source[key];
  return Array.isArray(value) ? value[0] : value;
}

/** List filters accept both `status=A,B` and repeated `status=A&status=B` (plain HTML forms). */
export function getListParam(source: ParamSource, key: string): string | undefined {
  const values = source instanceof URLSearchParams ? source.getAll(key) : ([] as string[]).concat(source[key] ?? []);
  return values.length === 0 ? undefined : values.join(",");
}

export function splitList(raw: string): string[] {
  return raw
    .split(",")
    .map((part) => part.trim())
    .filter((part) => part.length > 0);
}

export function pickFrom<T extends string>(raw: string | undefined, allowed: readonly T[], key: string, problems: string[], normalise = (s: string) => s): T[] {
  if (raw === undefined) return [];
  const out: T[] = [];
  for (const part of splitList(raw)) {
    const value = normalise(part) as T;
    if (allowed.includes(value)) {
      if (!out.includes(value)) out.push(value);
    } else problems.push(`${key}=${part.slice(0, 40)}`);
  }
  return out.slice(0, MAX_LIST);
}

/** Free text values (tags, provinces): trimmed, bounded, no control characters. */
export function freeList(raw: string | undefined, key: string, problems: string[], lower: boolean): string[] {
  if (raw === undefined) return [];
  const out: string[] = [];
  for (const part of splitList(raw)) {
    if (part.length > 80 || /[\u0000-\u001f\u007f]/.test(part)) {
      problems.push(`${key}=${part.slice(0, 40)}`);
      continue;
    }
    const value = lower ? part.toLowerCase() : part;
    if (!out.includes(value)) out.push(value);
  }
  return out.slice(0, MAX_LIST);
}

/** A real calendar day as YYYY-MM-DD within the range date filters accept (see isCalendarDay), or null. */
export function parseDay(raw: string | undefined): string | null {
  return raw && isCalendarDay(raw) ? raw : null;
}

export function day(source: ParamSource, key: string, problems: string[]): string | null {
  const raw = getParam(source, key);
  if (raw === undefined || raw === "") return null;
  const parsed = parseDay(raw);
  if (!parsed) problems.push(`${key}=${raw.slice(0, 40)}`);
  return parsed;
}

export function orderedRange(from: string | null, to: string | null): [string | null, string | null] {
  return from && to && from > to ? [to, from] : [from, to];
}


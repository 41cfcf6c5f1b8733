// Reading the public filters out of a URL. The API refuses bad values with a 400 naming each
// one; pages drop them and say so. Both read the same rules, so the two never disagree.
import { FIRST_FILTER_DAY, isCalendarDay, LAST_FILTER_DAY } from "./calendar-day";
import { publicFilterSchema, type PublicFilter } from "./publication";

export const PUBLIC_FILTER_KEYS = ["from", "to", "province", "type", "target", "page", "limit"] as const;
export type PublicFilterKey = (typeof PUBLIC_FILTER_KEYS)[number];

export type RawQuery = Record<string, string | string[] | undefined> | URLSearchParams;

export interface ParsedPublicQuery {
  filter: PublicFilter;
  /** Each refused parameter with why; empty when everything was usable. */
  invalid: Partial<Record<PublicFilterKey, string[]>>;
}

function firstValue(raw: RawQuery, key: string): string | undefined {
  if (raw instanceof URLSearchParams) return raw.get(key) ?? undefined;
  const value = raw[key];
  return Array.isArray(value) ? value[0] : value;
}

export { FIRST_FILTER_DAY, isCalendarDay, LAST_FILTER_DAY };

export function parsePublicQuery(raw: RawQuery, defaults: { limit?: number } = {}): ParsedPublicQuery {
  const invalid: ParsedPublicQuery["invalid"] = {};
  const accepted: Record<string, unknown> = {};
  const shape = publicFilterSchema.shape;
  for (const key of PUBLIC_FILTER_KEYS) {
    const value = firstValue(raw, key);
    // Forms submit empty fields for "any": that is no filter, not a bad one.
    if (value === undefined || value.trim() === "") continue;
    const result = shape[key].safeParse(value);
    if (!result.success) {
      invalid[key] = result.error.issues.map((issue) => issue.message);
      continue;
    }
    if ((key === "from" || key === "to") && !isCalendarDay(value)) {
      invalid[key] = [`Not a calendar day from ${FIRST_FILTER_DAY} to ${LAST_FILTER_DAY}`];
      continue;
    }
    accepted[key] = result.data;
  }
  if (typeof accepted.from === "string" && typeof accepted.to === "string" && accepted.from > accepted.to) {
    invalid.to = ["Must not be before from"];
    delete accepted.to;
  }
  if (accepted.limit === undefined && defaults.limit !== undefined) accepted.limit = defaults.limit;
  return { filter: publicFilterSchema.parse(accepted), invalid };
}

/** The filter as URL parameters, in a fixed order (used for links and cache keys). */
export function publicQueryString(filter: Partial<PublicFilter>, overrides: Partial<Record<PublicFilterKey, string | number | undefined>> = {}): string {
  const params = new URLSearchParams();
  for (const key of PUBLIC_FILTER_KEYS) {
    const value = key in overrides ? overrides[key] : filter[key];
    if (value === undefined || value === "") continue;
    params.set(key, String(value));
  }
  return params.toString();
}

// Calendar days in URL filters (the review queue, the public API), shared by both parsers.

/**
 * Date filters accept days in this range. Outside it, PostgreSQL cannot represent the day or the
 * day after (year 0, year 10000), so a filter like 0000-01-01 or 9999-12-31 is refused (400
 * naming the parameter) instead of failing in the database.
 */
export const FIRST_FILTER_DAY = "1900-01-01";
export const LAST_FILTER_DAY = "2999-12-31";

/** A YYYY-MM-DD string that names a real calendar day between FIRST_FILTER_DAY and LAST_FILTER_DAY. */
export function isCalendarDay(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const date = new Date(`${value}T00:00:00.000Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value && value >= FIRST_FILTER_DAY && value <= LAST_FILTER_DAY;
}

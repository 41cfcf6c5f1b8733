import { describe, expect, it } from "vitest";
import { endOfUtcDay, parseImportDate } from "./dates";
import type { DateFormat } from "./mapping";

describe("parseImportDate", () => {
  const accepted: Array<[string, DateFormat, string | undefined, string, boolean]> = [
    ["2022-02-24", "ISO", undefined, "2022-02-24T00:00:00.000Z", false],
    ["2022-02-24", "MM/DD/YYYY", undefined, "2022-02-24T00:00:00.000Z", false],
    ["2022-02-24T14:30:00Z", "ISO", undefined, "2022-02-24T14:30:00.000Z", true],
    ["2022-02-24 14:30", "ISO", undefined, "2022-02-24T14:30:00.000Z", true],
    ["2022-02-24T14:30:00+04:30", "ISO", undefined, "2022-02-24T10:00:00.000Z", true],
    ["2022-02-24T14:30:00.5-0100", "ISO", undefined, "2022-02-24T15:30:00.500Z", true],
    ["2022-02-24", "ISO", "07:30", "2022-02-24T07:30:00.000Z", true],
    ["02/24/2022", "MM/DD/YYYY", undefined, "2022-02-24T00:00:00.000Z", false],
    ["2/4/2022", "MM/DD/YYYY", undefined, "2022-02-04T00:00:00.000Z", false],
    ["02/24/2022", "MM/DD/YYYY", "7:05:09", "2022-02-24T07:05:09.000Z", true],
    ["24/02/2022", "DD/MM/YYYY", undefined, "2022-02-24T00:00:00.000Z", false],
    ["03/04/2022 18:00", "DD/MM/YYYY", undefined, "2022-04-03T18:00:00.000Z", true],
    ["2024-02-29", "ISO", undefined, "2024-02-29T00:00:00.000Z", false],
  ];
  it.each(accepted)("reads %s (%s, time %s) as %s", (text, format, time, iso, hasTime) => {
    const parsed = parseImportDate(text, format, time);
    expect(parsed).toMatchObject({ ok: true, hasTime });
    if (parsed.ok) expect(parsed.date.toISOString()).toBe(iso);
  });

  const refused: Array<[string, DateFormat, string | undefined, RegExp]> = [
    ["02/24/2022", "ISO", undefined, /month\/day or day\/month/],
    ["24/02/2022", "MM/DD/YYYY", undefined, /not a valid MM\/DD\/YYYY/],
    ["02/24/2022", "DD/MM/YYYY", undefined, /not a valid DD\/MM\/YYYY/],
    ["2023-02-29", "ISO", undefined, /not a real calendar date/],
    ["2022-13-01", "ISO", undefined, /not a real calendar date/],
    ["2022-02-24T25:00", "ISO", undefined, /not a real calendar date/],
    ["2022/02/24", "ISO", undefined, /not a date this import reads/],
    ["24.02.2022", "DD/MM/YYYY", undefined, /not a date this import reads/],
    ["yesterday", "MM/DD/YYYY", undefined, /not a date/],
    ["2022-02-24", "ISO", "half past two", /not a time/],
    ["2022-02-24T10:00Z", "ISO", "11:00", /already has a time/],
    ["2022-02-24T10:00+15:00", "ISO", undefined, /not a valid UTC offset/],
  ];
  it.each(refused)("refuses %s (%s, time %s)", (text, format, time, message) => {
    const parsed = parseImportDate(text, format, time);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error).toMatch(message);
  });

  it("tells ISO and slash dates apart for the mixed-format check", () => {
    expect(parseImportDate("2022-02-24", "MM/DD/YYYY")).toMatchObject({ style: "iso" });
    expect(parseImportDate("02/24/2022", "MM/DD/YYYY")).toMatchObject({ style: "slash" });
  });

  it("a bare date covers the whole UTC day", () => {
    expect(endOfUtcDay(new Date("2022-02-24T00:00:00Z")).toISOString()).toBe("2022-02-24T23:59:59.999Z");
  });
});

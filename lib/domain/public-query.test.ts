import { describe, expect, it } from "vitest";
import { isCalendarDay, parsePublicQuery, publicQueryString } from "./public-query";

describe("parsePublicQuery", () => {
  const cases: Array<{ name: string; raw: Record<string, string | string[]>; filter: Record<string, unknown>; invalid: string[] }> = [
    { name: "nothing gives defaults", raw: {}, filter: { page: 1, limit: 100 }, invalid: [] },
    { name: "all valid", raw: { from: "2022-01-01", to: "2022-12-31", province: "Kabul", type: "IED", target: "EDUCATION", page: "2", limit: "50" }, filter: { from: "2022-01-01", to: "2022-12-31", province: "Kabul", type: "IED", target: "EDUCATION", page: 2, limit: 50 }, invalid: [] },
    { name: "empty form fields are no filter", raw: { from: "", province: " ", target: "" }, filter: { page: 1, limit: 100 }, invalid: [] },
    { name: "huge limit", raw: { limit: "100000" }, filter: { page: 1, limit: 100 }, invalid: ["limit"] },
    { name: "page zero", raw: { page: "0" }, filter: { page: 1, limit: 100 }, invalid: ["page"] },
    { name: "words for dates", raw: { from: "yesterday" }, filter: { page: 1, limit: 100 }, invalid: ["from"] },
    { name: "impossible day", raw: { to: "2023-02-30" }, filter: { page: 1, limit: 100 }, invalid: ["to"] },
    { name: "unknown target", raw: { target: "everyone" }, filter: { page: 1, limit: 100 }, invalid: ["target"] },
    { name: "from after to", raw: { from: "2023-05-01", to: "2023-04-01" }, filter: { from: "2023-05-01", page: 1, limit: 100 }, invalid: ["to"] },
    { name: "repeated params take the first", raw: { province: ["Kabul", "Balkh"] }, filter: { province: "Kabul", page: 1, limit: 100 }, invalid: [] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const parsed = parsePublicQuery(c.raw);
      expect(parsed.filter).toEqual(c.filter);
      expect(Object.keys(parsed.invalid).sort()).toEqual(c.invalid.sort());
    });
  }

  it("reads URLSearchParams and applies a default limit", () => {
    const parsed = parsePublicQuery(new URLSearchParams("province=Balkh&limit="), { limit: 500 });
    expect(parsed.filter).toEqual({ province: "Balkh", page: 1, limit: 500 });
  });
});

describe("isCalendarDay and publicQueryString", () => {
  it.each([
    ["2024-02-29", true],
    ["2023-02-29", false],
    ["2023-13-01", false],
    ["20230101", false],
    ["0000-01-01", false],
    ["9999-12-31", false],
    ["1900-01-01", true],
    ["2999-12-31", true],
  ])("%s → %s", (value, expected) => expect(isCalendarDay(value)).toBe(expected));

  it("writes keys in a fixed order and applies overrides", () => {
    expect(publicQueryString({ type: "IED", from: "2022-01-01", page: 3, limit: 100 }, { page: 1, limit: undefined })).toBe("from=2022-01-01&type=IED&page=1");
  });
});

import { describe, expect, it } from "vitest";
import { classifyRow, hashValues, valuesOfIncident, type ImportedValues } from "./reimport";

const base: ImportedValues = {
  title: "Market shelled",
  incidentType: "Other",
  description: "",
  startAt: "2022-03-02T00:00:00.000Z",
  endAt: "2022-03-02T23:59:59.999Z",
  latitude: 49.99,
  longitude: 36.23,
  precisionM: null,
  locationName: "Kharkiv",
  killedMin: null,
  killedMax: null,
  injuredMin: null,
  injuredMax: null,
  targets: [],
  tags: ["a"],
  sources: ["https://example.org/1"],
};
const { sources: _sources, ...appBase } = base;
void _sources;

describe("classifying a row of a newer export", () => {
  const cases: Array<[string, Partial<ImportedValues>, Partial<typeof appBase>, boolean, string, string[]]> = [
    // name, file changes, app changes, record kept, status, fields listed
    ["same as last time", {}, {}, true, "unchanged", []],
    ["only the app changed", {}, { title: "Edited" }, true, "unchanged", []],
    ["only the file changed", { locationName: "Kharkiv, market" }, {}, true, "changed", ["locationName"]],
    ["a new source only", { sources: ["https://example.org/1", "https://example.org/2"] }, {}, true, "changed", ["sources"]],
    ["both changed, different fields", { locationName: "Kharkiv, market" }, { title: "Edited" }, true, "conflict", ["title", "locationName"]],
    ["both changed, same field", { title: "File title" }, { title: "App title" }, true, "conflict", ["title"]],
    ["no record, app has the file's values", {}, {}, false, "unchanged", []],
    ["no record, values differ", { title: "File title" }, {}, false, "conflict", ["title"]],
  ];
  it.each(cases)("%s", (_name, fileChange, appChange, hasRecord, status, fields) => {
    const file = { ...base, ...fileChange };
    const app = valuesOfIncident({ ...appBase, ...appChange, startAt: new Date(base.startAt as string), endAt: new Date(base.endAt as string) } as never);
    const result = classifyRow(file, { app, lastImported: hasRecord ? base : null });
    expect(result.status).toBe(status);
    expect(result.changes.map((c) => c.field)).toEqual(fields);
  });

  it("a row with no incident is new, with all its sources", () => {
    expect(classifyRow(base, null)).toEqual({ status: "new", changes: [], newSources: ["https://example.org/1"] });
  });

  it("hashes values independently of key order", () => {
    const reordered = Object.fromEntries(Object.entries(base).reverse()) as ImportedValues;
    expect(hashValues(reordered)).toBe(hashValues(base));
    expect(hashValues({ ...base, title: "x" })).not.toBe(hashValues(base));
  });
});

import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { DEFAULT_INCIDENT_TYPES } from "../incident-fields";
import { DEFAULT_MAPPINGS, detectImportFormat, resolveMapping, type ImportFormat, type ImportMapping } from "./mapping";
import { MAX_IMPORT_ROWS, decodeImportBytes, parseImportFile, rejectedRowsCsv, type ParsedImport } from "./parse";

const FIXTURES = path.resolve(import.meta.dirname, "../../../tests/fixtures/import");
const fixture = (name: string) => new Uint8Array(readFileSync(path.join(FIXTURES, name)));
const utf8 = (text: string) => new TextEncoder().encode(text);

function parse(bytes: Uint8Array, format: ImportFormat, mapping: ImportMapping = DEFAULT_MAPPINGS[format], incidentTypes: readonly string[] = DEFAULT_INCIDENT_TYPES): ParsedImport {
  return parseImportFile(bytes, { format, mapping, incidentTypes });
}

function withOverride(format: ImportFormat, override: unknown): ImportMapping {
  const resolved = resolveMapping(format, override);
  if (!resolved.ok) throw new Error(JSON.stringify(resolved.errors));
  return resolved.mapping;
}

describe("a realistic TimeMap export", () => {
  const result = parse(fixture("timemap-afghanistan.json"), "timemap-json");

  it("has no problems and one draft per event", () => {
    expect(result.problems).toEqual([]);
    expect(result.rowCount).toBe(5);
    expect(result.drafts.map((d) => d.externalId)).toEqual(["AFG0001", "AFG0002", "AFG0003", "AFG0004", "AFG0005"]);
  });

  it("reads string coordinates, MM/DD/YYYY dates and the separate time field as UTC", () => {
    const first = result.drafts[0]!;
    expect(first).toMatchObject({ rowNumber: 1, latitude: 34.5003, longitude: 69.132, locationName: "Dasht-e-Barchi, Kabul", endAt: null });
    expect(first.startAt!.toISOString()).toBe("2022-09-30T07:30:00.000Z");
    const second = result.drafts[1]!;
    expect(second.startAt!.toISOString()).toBe("2022-04-21T00:00:00.000Z");
    expect(second.endAt?.toISOString()).toBe("2022-04-21T23:59:59.999Z");
  });

  it("titles an event by the first line of its description", () => {
    expect(result.drafts[0]!.title).toBe("Explosion at an education centre during a practice exam.");
    expect(result.drafts[0]!.description).toContain("Fictional test record.");
  });

  it("takes every path of every source, with its description", () => {
    expect(result.drafts[0]!.sources).toEqual([
      { url: "https://example.org/posts/1001", description: "Video of the aftermath posted the same morning" },
      { url: "https://example.org/posts/1002", description: "Video of the aftermath posted the same morning" },
    ]);
    expect(result.drafts[1]!.sources).toEqual([{ url: "https://example.org/posts/2001", description: "Photo of the damaged prayer hall" }]);
    expect(result.drafts[2]!.sources).toEqual([]);
  });

  it("maps a type filter that names a project type, otherwise Other, and keeps every filter as a tag", () => {
    expect(result.drafts.map((d) => d.incidentType)).toEqual(["Suicide bombing", "IED", "Other", "Other", "Suicide bombing"]);
    expect(result.drafts[0]!.tags).toEqual(["Type of incident: Suicide bombing", "Type of area affected: Education"]);
    expect(result.drafts[2]!.tags).toEqual(["Type of incident: Mass shooting"]);
    expect(result.drafts[0]!.filters).toEqual([
      { key: "Type of incident", value: "Suicide bombing" },
      { key: "Type of area affected", value: "Education" },
    ]);
  });

  it("warns about keys it does not use, without refusing the file", () => {
    expect(result.warnings).toEqual(["Columns not mapped to any field: time_precision. They were ignored."]);
  });

  it("uses the project's own types when the project changed them", () => {
    const custom = parse(fixture("timemap-afghanistan.json"), "timemap-json", DEFAULT_MAPPINGS["timemap-json"], ["IED", "Other"]);
    expect(custom.drafts.map((d) => d.incidentType)).toEqual(["Other", "IED", "Other", "Other", "Other"]);
  });

  it("resolves sources a full export keeps in a separate list by id", () => {
    const doc = {
      events: [{ id: "E1", date: "02/24/2022", latitude: "50.45", longitude: "30.52", location: "Kyiv", description: "x", sources: ["S1"], filters: [] }],
      sources: { S1: { id: "S1", paths: ["https://example.org/s1"], description: "Referenced source" } },
    };
    const parsed = parse(utf8(JSON.stringify(doc)), "timemap-json");
    expect(parsed.problems).toEqual([]);
    expect(parsed.drafts[0]!.sources).toEqual([{ url: "https://example.org/s1", description: "Referenced source" }]);
  });
});

describe("a spreadsheet of events", () => {
  const result = parse(fixture("events.csv"), "csv");

  it("reads every mapped column", () => {
    expect(result.problems).toEqual([]);
    expect(result.warnings).toEqual([]);
    const [first, second, third] = result.drafts;
    expect(first).toMatchObject({
      rowNumber: 2,
      externalId: "EV-1",
      title: "Explosion near Kabul airport gate",
      incidentType: "Suicide bombing",
      latitude: 34.5659,
      longitude: 69.2122,
      province: "Kabul",
      killedMin: 150,
      killedMax: 180,
      injuredMin: 200,
      injuredMax: null,
      targets: ["CIVILIANS", "FOREIGN_DIPLOMATIC"],
      tags: ["airport", "evacuation"],
      sources: [
        { url: "https://example.org/a/1", description: "" },
        { url: "https://example.org/a/2", description: "" },
      ],
    });
    expect(second).toMatchObject({ description: "Fictional record, with a comma.", targets: ["CIVILIANS"], killedMin: 0, killedMax: 2 });
    expect(second!.startAt!.toISOString()).toBe("2021-11-03T14:20:00.000Z");
    expect(second!.endAt?.toISOString()).toBe("2021-11-03T15:00:00.000Z");
    expect(third).toMatchObject({ latitude: null, longitude: null, sources: [], targets: ["EDUCATION"] });
    expect(third!.endAt?.toISOString()).toBe("2022-01-13T23:59:59.999Z");
  });

  it("matches headers whatever their case and spacing, and strips a UTF-8 byte order mark", () => {
    const text = "\uFEFFID, Title ,Date,LAT,Lng,Source URLs\nX-1,Title,2022-01-01,34.5,69.2,https://example.org/1 | https://example.org/2\n";
    const parsed = parse(utf8(text), "csv");
    expect(parsed.problems).toEqual([]);
    expect(parsed.drafts[0]).toMatchObject({ externalId: "X-1", latitude: 34.5, longitude: 69.2 });
    expect(parsed.drafts[0]!.sources.map((s) => s.url)).toEqual(["https://example.org/1", "https://example.org/2"]);
  });

  it("follows a mapping override: renamed columns, DD/MM/YYYY, unknown columns as a warning", () => {
    const text = "ref,headline,when,y,x,notes\nR-1,Headline,24/02/2022,34.5,69.2,ignored\n";
    const mapping = withOverride("csv", { dateFormat: "DD/MM/YYYY", unknownColumns: "warn", columns: { id: "ref", title: ["headline"], date: "when", latitude: "y", longitude: "x" } });
    const parsed = parse(utf8(text), "csv", mapping);
    expect(parsed.problems).toEqual([]);
    expect(parsed.warnings).toEqual(["Columns not mapped to any field: notes. They were ignored."]);
    expect(parsed.drafts[0]!.startAt!.toISOString()).toBe("2022-02-24T00:00:00.000Z");
  });
});

type Expected = { row: number | null; field: string | null; message: RegExp };

describe("bad input: per-row problems, no drafts for those rows", () => {
  const cases: Array<[string, string, ImportFormat, Expected[]]> = [
    [
      "wrong types",
      "bad-wrong-types.json",
      "timemap-json",
      [
        { row: 1, field: "latitude", message: /latitude must be a number, not boolean true/ },
        { row: 2, field: "longitude", message: /longitude must be a number, not "sixty-nine"/ },
        { row: 3, field: "id", message: /id must be text, not an object/ },
        { row: 4, field: "date", message: /"20220224" is not a date this import reads/ },
        { row: 5, field: "filters", message: /filters must be a list/ },
      ],
    ],
    ["duplicate ids", "bad-duplicate-ids.csv", "csv", [{ row: 4, field: "id", message: /"D-1" is also used on row 2/ }]],
    [
      "out-of-range coordinates",
      "bad-coordinates.csv",
      "csv",
      [
        { row: 2, field: "latitude", message: /Latitude 95.1 is outside -90 to 90/ },
        { row: 3, field: "longitude", message: /Longitude 200 is outside -180 to 180/ },
        { row: 4, field: "latitude", message: /Latitude -91 is outside/ },
        { row: 5, field: "longitude", message: /both latitude and longitude/ },
      ],
    ],
    [
      "mixed date formats",
      "bad-mixed-dates.json",
      "timemap-json",
      [
        { row: 3, field: "date", message: /Dates are mixed: this row uses MM\/DD\/YYYY, most rows use YYYY-MM-DD/ },
        { row: 4, field: "date", message: /"31\/12\/2022" is not a valid MM\/DD\/YYYY date/ },
        { row: 5, field: "date", message: /"yesterday" is not a date/ },
      ],
    ],
    [
      "unknown columns (CSV refuses them by default)",
      "bad-unknown-columns.csv",
      "csv",
      [{ row: null, field: null, message: /Columns not mapped to any field: lattitude, weapon/ }],
    ],
    ["a Latin-1 file", "bad-latin1.csv", "csv", [{ row: null, field: null, message: /not UTF-8.*Re-save it as UTF-8/ }]],
  ];

  it.each(cases)("%s", (_name, file, format, expected) => {
    const parsed = parse(fixture(file), format);
    expect(parsed.problems).toHaveLength(expected.length);
    parsed.problems.forEach((problem, index) => {
      const want = expected[index]!;
      expect(problem).toMatchObject({ row: want.row, field: want.field });
      expect(problem.message).toMatch(want.message);
    });
    const badRows = new Set(parsed.problems.map((p) => p.row));
    for (const draft of parsed.drafts) expect(badRows.has(draft.rowNumber)).toBe(false);
    if (expected.some((e) => e.row === null)) expect(parsed.drafts).toEqual([]);
  });

  const rows: Array<[string, string, ImportFormat, Expected]> = [
    ["a missing id", "id,title,date\n,T,2022-01-01\n", "csv", { row: 2, field: "id", message: /id is missing/ }],
    ["a slash date without a declared order", "id,title,date\nA,T,03/04/2022\n", "csv", { row: 2, field: "date", message: /month\/day or day\/month/ }],
    ["an unknown incident type", "id,title,date,type\nA,T,2022-01-01,Earthquake\n", "csv", { row: 2, field: "type", message: /"Earthquake" is not an incident type/ }],
    ["an unknown target", "id,title,date,targets\nA,T,2022-01-01,Civilians|Aliens\n", "csv", { row: 2, field: "targets", message: /"Aliens" is not a target category/ }],
    ["a negative casualty count", "id,title,date,killed_min\nA,T,2022-01-01,-3\n", "csv", { row: 2, field: "killed_min", message: /whole number from 0/ }],
    ["a fractional casualty count", "id,title,date,injured_max\nA,T,2022-01-01,2.5\n", "csv", { row: 2, field: "injured_max", message: /whole number/ }],
    ["min above max", "id,title,date,killed_min,killed_max\nA,T,2022-01-01,5,3\n", "csv", { row: 2, field: "killed_max", message: /less than killed_min/ }],
    ["an end before the start", "id,title,date,end_date\nA,T,2022-01-02,2022-01-01\n", "csv", { row: 2, field: "end_date", message: /before the date/ }],
    ["a comma decimal", "id,title,date,lat,lon\nA,T,2022-01-01,\"34,5\",69.2\n", "csv", { row: 2, field: "latitude", message: /must be a number/ }],
    ["Null Island", "id,title,date,lat,lon\nA,T,2022-01-01,0,0\n", "csv", { row: 2, field: "latitude", message: /0, 0/ }],
    ["an extra cell", "id,title,date\nA,T,2022-01-01,surplus\n", "csv", { row: 2, field: null, message: /3 columns/ }],
    ["an event that is not an object", '[{"id":"A","date":"2022-01-01","description":"ok"}, 42]', "timemap-json", { row: 2, field: null, message: /not an object/ }],
  ];
  it.each(rows)("%s", (_name, text, format, want) => {
    const parsed = parse(utf8(text), format);
    expect(parsed.problems).toHaveLength(1);
    expect(parsed.problems[0]).toMatchObject({ row: want.row, field: want.field });
    expect(parsed.problems[0]!.message).toMatch(want.message);
  });

  // Cell warnings: the value is dropped or repaired and the row still imports.
  const warned: Array<[string, string, ImportFormat, Expected]> = [
    ["a missing date", "id,title,date\nA,T,\n", "csv", { row: 2, field: "date", message: /date is missing; the incident is imported with its date unknown/ }],
    ["a javascript: source", "id,title,date,source_urls\nA,T,2022-01-01,javascript:alert(1)\n", "csv", { row: 2, field: "sources", message: /"javascript:alert\(1\)" in source_urls is not a link; it was kept as a text note/ }],
    ["nothing to name it by", "id,date\nA,2022-01-01\n", "csv", { row: 2, field: "title", message: /named "Imported record A"/ }],
    ["a source id that is not in the file", '[{"id":"A","date":"2022-01-01","description":"d","sources":["SRC9"]}]', "timemap-json", { row: 1, field: "sources", message: /"SRC9" in sources is not a link/ }],
    ["free text in a link column, one warning per cell", "id,title,date,link\nA,T,2022-01-01,Access can be requested, hidden for privacy reasons\n".replace("Access can be requested, hidden for privacy reasons", '"Access can be requested, hidden for privacy reasons"'), "csv", { row: 2, field: "sources", message: /not a link/ }],
  ];
  it.each(warned)("%s is a cell warning; the row still imports", (_name, text, format, want) => {
    const parsed = parse(utf8(text), format);
    expect(parsed.problems).toEqual([]);
    expect(parsed.drafts).toHaveLength(1);
    expect(parsed.cellWarnings).toHaveLength(1);
    expect(parsed.cellWarnings[0]).toMatchObject({ row: want.row, field: want.field });
    expect(parsed.cellWarnings[0]!.message).toMatch(want.message);
    expect(parsed.drafts[0]!.sources).toEqual([]);
  });

  const files: Array<[string, Uint8Array, ImportFormat, RegExp]> = [
    ["broken JSON", utf8('[{"id": "A",'), "timemap-json", /not valid JSON/],
    ["JSON that is not a list", utf8('{"id": "A"}'), "timemap-json", /list of events/],
    ["an empty file", utf8("  \n"), "csv", /empty/],
    ["a header without rows", utf8("id,date\n"), "csv", /no rows/],
    ["a missing required column", utf8("title,date\nT,2022-01-01\n"), "csv", /No column for id/],
    ["UTF-16", new Uint8Array([0xff, 0xfe, 0x69, 0x00]), "csv", /UTF-16/],
    ["a duplicated header", utf8("id,date,Date\nA,2022-01-01,2022-01-01\n"), "csv", /appears twice/],
  ];
  it.each(files)("%s is refused as a whole", (_name, bytes, format, message) => {
    const parsed = parse(bytes, format);
    expect(parsed.drafts).toEqual([]);
    expect(parsed.problems.length).toBeGreaterThan(0);
    expect(parsed.problems.map((p) => p.message).join(" ")).toMatch(message);
  });

  it("refuses more rows than the limit", () => {
    const text = `id,title,date\n${Array.from({ length: MAX_IMPORT_ROWS + 1 }, (_, i) => `R${i},T,2022-01-01`).join("\n")}\n`;
    const parsed = parse(utf8(text), "csv");
    expect(parsed.drafts).toEqual([]);
    expect(parsed.problems).toEqual([{ row: null, field: null, message: expect.stringMatching(/at most 50000/) }]);
  });
});

describe("decoding", () => {
  it("accepts UTF-8 with and without a byte order mark, and refuses invalid bytes", () => {
    expect(decodeImportBytes(utf8("Hérât"))).toEqual({ ok: true, text: "Hérât" });
    expect(decodeImportBytes(new Uint8Array([0xef, 0xbb, 0xbf, ...utf8("Herat")]))).toEqual({ ok: true, text: "Herat" });
    expect(decodeImportBytes(new Uint8Array([0x48, 0xe9, 0x72]))).toMatchObject({ ok: false });
  });
});

describe("mapping overrides", () => {
  const refused: Array<[string, unknown, string]> = [
    ["invalid JSON", "{columns:", "mapping"],
    ["an unknown field", { columns: { colour: "c" } }, "mapping.columns"],
    ["an unknown option", { delimiter: ";" }, "mapping"],
    ["an unknown date format", { dateFormat: "YYYY.MM.DD" }, "mapping.dateFormat"],
    ["one column for two fields", { columns: { title: "id" } }, "mapping.columns.title"],
  ];
  it.each(refused)("refuses %s", (_name, override, key) => {
    const result = resolveMapping("csv", override);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(Object.keys(result.errors)).toContain(key);
  });

  it("keeps defaults for fields it does not name, and null switches a field off", () => {
    const mapping = withOverride("csv", JSON.stringify({ columns: { title: "headline", tags: null } }));
    expect(mapping.columns.title).toEqual(["headline"]);
    expect(mapping.columns.tags).toBeUndefined();
    expect(mapping.columns.latitude).toEqual(DEFAULT_MAPPINGS.csv.columns.latitude);
    expect(withOverride("csv", "")).toBe(DEFAULT_MAPPINGS.csv);
  });

  it("detects the format by extension, then by content", () => {
    expect(detectImportFormat("events.JSON", "")).toBe("timemap-json");
    expect(detectImportFormat("events.csv", "[")).toBe("csv");
    expect(detectImportFormat("export", "\uFEFF  [{")).toBe("timemap-json");
    expect(detectImportFormat("export", "id,date")).toBe("csv");
  });
});

describe("several columns per field, shipped mappings, repaired values", () => {
  const cases: Array<[string, string, unknown, (parsed: ParsedImport) => void]> = [
    [
      "sources from link, geolocation and source_*",
      "id,date,link,geolocation,source_1,source_2\nA,2022-01-01,https://e.org/1,https://e.org/g,https://e.org/s1 | https://e.org/s2,\n",
      { unknownColumns: "warn", columns: { sources: ["link", "geolocation", "source_*"] } },
      (p) => expect(p.drafts[0]!.sources.map((s) => s.url)).toEqual(["https://e.org/1", "https://e.org/g", "https://e.org/s1", "https://e.org/s2"]),
    ],
    [
      "ACLED time_precision 3 spans the month; geo_precision 2 is 25 km",
      "event_id_cnty,event_date,time_precision,latitude,longitude,geo_precision\nX1,2023-02-15,3,48.5,38.0,2\n",
      { preset: "acled" },
      (p) => {
        expect(p.drafts[0]).toMatchObject({ externalId: "X1", precisionM: 25000 });
        expect([p.drafts[0]!.startAt?.toISOString(), p.drafts[0]!.endAt?.toISOString()]).toEqual(["2023-02-01T00:00:00.000Z", "2023-02-28T23:59:59.999Z"]);
      },
    ],
    [
      "a date in words mixes with ISO dates",
      "id,title,date\nA,T,2023-01-15\nB,T,15 January 2023\n",
      null,
      (p) => {
        expect(p.problems).toEqual([]);
        expect(p.drafts.map((d) => d.startAt?.toISOString())).toEqual(["2023-01-15T00:00:00.000Z", "2023-01-15T00:00:00.000Z"]);
      },
    ],
    [
      "a URL inside text is extracted, the text kept as one note",
      'id,title,date,link\nA,T,2022-01-01,"https://t.me/c/123/456 part 2"\n',
      null,
      (p) => {
        expect(p.drafts[0]!.sources.map((s) => s.url)).toEqual(["https://t.me/c/123/456"]);
        expect(p.drafts[0]!.description).toBe('Source note (column "link", not a link): https://t.me/c/123/456 part 2');
        expect(p.cellWarnings).toHaveLength(1);
      },
    ],
  ];
  it.each(cases)("%s", (_name, text, override, check) => {
    const parsed = parse(utf8(text), "csv", override === null ? DEFAULT_MAPPINGS.csv : withOverride("csv", override));
    expect(parsed.problems).toEqual([]);
    check(parsed);
  });

  it("refuses a shipped mapping of the other format", () => {
    expect(resolveMapping("timemap-json", { preset: "ucdp-ged" })).toMatchObject({ ok: false, errors: { "mapping.preset": [expect.stringMatching(/CSV/)] } });
  });
});

describe("the rows with errors, as a file", () => {
  it("keeps a CSV row's own cells and adds its row number and errors; an unreadable JSON event is listed too", () => {
    const csv = parse(utf8('id,title,date,lat,lon\nA,T,2022-01-01,34.5,\nB,"Fine, with a comma",2022-01-02,,\n'), "csv");
    expect(rejectedRowsCsv(csv.rejected)).toBe('id,title,date,lat,lon,import_row,import_errors\r\nA,T,2022-01-01,34.5,,2,"longitude: Give both latitude and longitude, or neither."\r\n');
    const json = parse(utf8('[{"id":"A","date":"2022-01-01","description":"ok"}, 42]'), "timemap-json");
    expect(json.drafts).toHaveLength(1);
    expect(json.rejected.rows).toEqual([{ rowNumber: 2, cells: null, event: null, errors: ["This event is not an object."] }]);
  });
});

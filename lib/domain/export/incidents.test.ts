import Papa from "papaparse";
import { describe, expect, it } from "vitest";
import { INCIDENT_CSV_COLUMNS, incidentsToCsv, incidentsToGeoJson, type ExportIncidentRow } from "./incidents";

const base: ExportIncidentRow = {
  reference: "INC-0001", externalId: "CIV0101", title: "Market blast", incidentType: "IED",
  startAt: "2022-09-30T06:00:00.000Z", endAt: "2022-09-30T06:30:00.000Z", latitude: 34.5, longitude: -69.2, precisionM: 100,
  locationName: "Kabul market", province: "Kabul", district: null, description: "", claimGroup: null, attributionGroup: null,
  attributionConfidence: null, killedMin: 3, killedMax: null, injuredMin: null, injuredMax: null, targets: ["CIVILIANS", "MINORITY"],
  tags: [], verifiedEvidence: 2, leads: 1, evidenceReferences: ["AW-0001", "AW-0002", "AW-0009"],
};

function parse(csv: string) {
  return Papa.parse<Record<string, string>>(csv, { header: true }).data;
}

describe("incidentsToCsv", () => {
  it("writes one row per incident under the documented columns, the external id as id", () => {
    const csv = incidentsToCsv([base]);
    expect(csv.split("\r\n")[0]).toBe(INCIDENT_CSV_COLUMNS.map((c) => `"${c}"`).join(","));
    expect(parse(csv)[0]).toMatchObject({ id: "CIV0101", reference: "INC-0001", date: "2022-09-30T06:00:00.000Z", date_known: "yes", longitude: "-69.2", targets: "CIVILIANS | MINORITY", evidence_references: "AW-0001 | AW-0002 | AW-0009", killed_max: "" });
  });

  it.each([
    ["=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"],
    ["+1 555", "'+1 555"],
    ["@SUM(A1)", "'@SUM(A1)"],
    ["Plain title", "Plain title"],
  ])("guards the formula-looking title %s", (title, written) => {
    expect(parse(incidentsToCsv([{ ...base, title }]))[0]!.title).toBe(written);
  });

  it("an undated incident says so instead of inventing a date; without an external id the reference is the id", () => {
    const row = parse(incidentsToCsv([{ ...base, externalId: null, startAt: null, endAt: null }]))[0]!;
    expect(row).toMatchObject({ id: "INC-0001", date: "", end_date: "", date_known: "no" });
  });
});

describe("incidentsToGeoJson", () => {
  it("keeps incidents without coordinates with a null geometry", () => {
    const geo = incidentsToGeoJson([base, { ...base, reference: "INC-0002", latitude: null, longitude: null }]);
    expect(geo.features.map((f) => [f.id, f.geometry])).toEqual([
      ["INC-0001", { type: "Point", coordinates: [-69.2, 34.5] }],
      ["INC-0002", null],
    ]);
  });
});

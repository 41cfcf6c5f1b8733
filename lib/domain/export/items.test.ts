import { kml } from "@tmcw/togeojson";
import { DOMParser } from "@xmldom/xmldom";
import Papa from "papaparse";
import { describe, expect, it } from "vitest";
import { CSV_COLUMNS, itemsToCsv, itemsToGeoJson, itemsToKml, neutraliseFormula, type ExportItemRow } from "./items";

const HASH_A = "a".repeat(64);
const HASH_B = "0123456789abcdef".repeat(4);

function row(overrides: Partial<ExportItemRow> = {}): ExportItemRow {
  return {
    id: "item1",
    reference: "AW-0001",
    title: "Blast near \"the\" market, Kabul",
    status: "VERIFIED",
    platform: "TELEGRAM",
    postUrl: "https://t.me/channel/123",
    claimedPlace: "Dasht-e-Barchi,\nKabul",
    claimedDate: "2022-09-30",
    platformUploadedAt: "2022-09-30T05:00:00.000Z",
    submittedAt: "2022-09-30T06:00:00.000Z",
    submittedBy: "Zahra Ahmadi",
    assignee: "Ali Rezaei",
    province: "Kabul",
    district: "Kabul",
    tags: ["kabul", "education"],
    sensitiveGraphic: true,
    sensitiveIdentifiable: false,
    sensitiveMinors: true,
    sensitivePersonalData: false,
    geolocation: { latitude: 34.5553, longitude: 69.2075, precisionM: 100, method: "Minaret matched", status: "CONFIRMED" },
    chronolocation: { earliestAt: "2022-09-30T02:30:00.000Z", latestAt: "2022-09-30T03:30:00.000Z", confidence: "MEDIUM" },
    incidentReferences: ["INC-0001"],
    media: [
      { sha256: HASH_A, sizeBytes: "12345", sniffedMime: "image/jpeg", originalFilename: "photo, «one».jpg", captureMethod: "UPLOAD", collectedAt: "2022-09-30T06:00:00.000Z", collectedBy: "Zahra Ahmadi", sourceUrl: null },
      { sha256: HASH_B, sizeBytes: "9", sniffedMime: "video/mp4", originalFilename: "کابل.mp4", captureMethod: "URL_CAPTURE", collectedAt: "2022-09-30T07:00:00.000Z", collectedBy: "Ali Rezaei", sourceUrl: "https://t.me/channel/123" },
    ],
    ...overrides,
  };
}

function parseCsv(text: string) {
  const parsed = Papa.parse<Record<string, string>>(text, { header: true, skipEmptyLines: true });
  expect(parsed.errors).toEqual([]);
  return parsed;
}

describe("itemsToCsv", () => {
  it("parses back to the same values, with commas, quotes, newlines and unicode intact", () => {
    const parsed = parseCsv(itemsToCsv([row(), row({ id: "item2", reference: "AW-0002", geolocation: null, chronolocation: null, media: [] })]));
    expect(parsed.meta.fields).toEqual([...CSV_COLUMNS]);
    expect(parsed.data).toHaveLength(2);
    const first = parsed.data[0]!;
    expect(first).toMatchObject({
      id: "item1",
      title: "Blast near \"the\" market, Kabul",
      claimed_place: "Dasht-e-Barchi,\nKabul",
      tags: "kabul | education",
      latitude: "34.5553",
      longitude: "69.2075",
      precision_m: "100",
      sensitive_graphic: "true",
      media_sha256: `${HASH_A} | ${HASH_B}`,
      media_original_filename: "photo, «one».jpg | کابل.mp4",
      media_source_url: " | https://t.me/channel/123",
      incidents: "INC-0001",
    });
    expect(parsed.data[1]).toMatchObject({ reference: "AW-0002", latitude: "", media_sha256: "", earliest_at: "" });
  });

  it.each([
    ["=HYPERLINK(\"http://evil\")", "'=HYPERLINK(\"http://evil\")"],
    ["+1+1", "'+1+1"],
    ["-2+3", "'-2+3"],
    ["@SUM(A1)", "'@SUM(A1)"],
    ["\tcmd", "'\tcmd"],
    ["\rcmd", "'\rcmd"],
    ["plain title", "plain title"],
  ])("neutralises a cell starting %j", (input, expected) => {
    expect(neutraliseFormula(input)).toBe(expected);
    const parsed = parseCsv(itemsToCsv([row({ title: input })]));
    expect(parsed.data[0]!.title).toBe(expected);
  });

  it("keeps negative coordinates as numbers rather than quoting them as formulas", () => {
    const parsed = parseCsv(itemsToCsv([row({ geolocation: { latitude: -33.9, longitude: -70.6, precisionM: 10, method: "", status: "PROPOSED" } })]));
    expect(parsed.data[0]).toMatchObject({ latitude: "-33.9", longitude: "-70.6" });
  });
});

describe("itemsToGeoJson", () => {
  it("is a structurally valid FeatureCollection with custody fields and null geometry for unlocated items", () => {
    const collection = itemsToGeoJson([row(), row({ id: "item2", geolocation: null })]);
    const roundTripped = JSON.parse(JSON.stringify(collection)) as typeof collection;
    expect(roundTripped.type).toBe("FeatureCollection");
    expect(roundTripped.features).toHaveLength(2);
    for (const feature of roundTripped.features) {
      expect(feature.type).toBe("Feature");
      expect(typeof feature.properties).toBe("object");
      if (feature.geometry !== null) {
        expect(feature.geometry.type).toBe("Point");
        expect(feature.geometry.coordinates).toHaveLength(2);
        for (const c of feature.geometry.coordinates) expect(Number.isFinite(c)).toBe(true);
      }
    }
    const [located, unlocated] = roundTripped.features;
    // GeoJSON order is [longitude, latitude].
    expect(located!.geometry).toEqual({ type: "Point", coordinates: [69.2075, 34.5553] });
    expect(unlocated!.geometry).toBeNull();
    expect(located!.properties.media.map((m) => m.sha256)).toEqual([HASH_A, HASH_B]);
    expect(located!.properties.media[1]).toMatchObject({ collectedBy: "Ali Rezaei", captureMethod: "URL_CAPTURE", sizeBytes: "9" });
    expect(located!.properties).toMatchObject({ precisionM: 100, earliestAt: "2022-09-30T02:30:00.000Z", timeConfidence: "MEDIUM", submittedBy: "Zahra Ahmadi" });
  });
});

describe("itemsToKml", () => {
  it("parses back with togeojson to the same points, names and custody data", () => {
    const text = itemsToKml([row(), row({ id: "item2", reference: "AW-0002", title: "Second <b>one</b> & more", geolocation: { latitude: 36.7, longitude: 67.1, precisionM: 1000, method: "", status: "PROPOSED" } })]);
    const document = new DOMParser().parseFromString(text, "text/xml");
    const back = kml(document as unknown as Document);
    expect(back.features).toHaveLength(2);
    expect(back.features.map((f) => f.geometry)).toEqual([
      { type: "Point", coordinates: [69.2075, 34.5553] },
      { type: "Point", coordinates: [67.1, 36.7] },
    ]);
    expect(back.features[0]!.properties).toMatchObject({ name: "AW-0001 Blast near \"the\" market, Kabul", media_sha256: `${HASH_A} | ${HASH_B}` });
    expect(String(back.features[0]!.properties!.description)).toContain(HASH_A);
    expect(back.features[1]!.properties).toMatchObject({ name: "AW-0002 Second <b>one</b> & more" });
  });

  it("keeps an item without a geolocation as a placemark without geometry", () => {
    const back = kml(new DOMParser().parseFromString(itemsToKml([row({ geolocation: null })]), "text/xml") as unknown as Document);
    expect(back.features).toHaveLength(1);
    expect(back.features[0]!.geometry).toBeNull();
    expect(back.features[0]!.properties).toMatchObject({ reference: "AW-0001" });
  });
});

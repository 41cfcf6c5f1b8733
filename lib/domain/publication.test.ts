import { describe, expect, it } from "vitest";
import { distanceMetres } from "./coordinates";
import {
  MIN_PUBLIC_PRECISION_M,
  PUBLIC_SCHEMA_VERSION,
  buildPublicIncident,
  buildPublicItem,
  defaultPublicMedia,
  publicEventRow,
  publicMediaProblem,
  publicFilterSchema,
  publicLocation,
  publishIncidentSchema,
  publishItemOptionsSchema,
  redactionRegionSchema,
  timePrecisionOf,
  unpublishSchema,
  type IncidentForPublication,
} from "./publication";

const t = (iso: string) => new Date(iso);

const incident: IncidentForPublication = {
  reference: "INC-0001",
  title: "Explosion at a market",
  incidentType: "IED",
  description: "Public description",
  startAt: t("2022-09-30T05:10:00Z"),
  endAt: t("2022-09-30T05:40:00Z"),
  latitude: 34.5281234,
  longitude: 69.1723456,
  precisionM: 250,
  locationName: "Kabul, Dasht-e-Barchi",
  province: "Kabul",
  claimGroup: "Group A",
  claimChannel: "Weekly newsletter",
  claimDate: t("2022-10-02T00:00:00Z"),
  claimUrl: "https://example.org/claim",
  attributionGroup: "Group A",
  attributionConfidence: "HIGH",
  killedMin: 3,
  killedMax: 5,
  killedSource: "Hospital",
  injuredMin: 10,
  injuredMax: null,
  injuredSource: null,
  targets: ["CIVILIANS", "EDUCATION", "not-a-category"],
};
const when = { publishedAt: t("2024-01-01T00:00:00Z"), updatedAt: t("2024-01-02T00:00:00Z") };

describe("publicLocation never publishes anything finer than the stated precision", () => {
  it.each([
    [34.5281234, 69.1723456, 10],
    [34.5281234, 69.1723456, 100],
    [34.5281234, 69.1723456, 250],
    [34.5281234, 69.1723456, 1000],
    [36.709, 67.1109, 5000],
    [-33.8688, 151.2093, 100],
    [64.1466, -21.9426, 20000],
  ])("(%f, %f) at %i m", (latitude, longitude, precisionM) => {
    const out = publicLocation({ latitude, longitude, precisionM }, false)!;
    const effective = Math.max(precisionM, MIN_PUBLIC_PRECISION_M);
    expect(out.precisionM).toBe(effective);
    // Within the cell, and two nearby points in the same cell publish identically.
    expect(distanceMetres({ latitude, longitude }, out)).toBeLessThanOrEqual(effective * Math.SQRT2 + 1);
    const decimals = (n: number) => (String(n).split(".")[1] ?? "").length;
    expect(decimals(out.latitude)).toBeLessThanOrEqual(4);
    expect(decimals(out.longitude)).toBeLessThanOrEqual(4);
  });

  it("withheld or missing locations publish as null", () => {
    expect(publicLocation({ latitude: 1, longitude: 2, precisionM: 10 }, true)).toBeNull();
    expect(publicLocation(null, false)).toBeNull();
    expect(publicLocation({ latitude: null, longitude: 2, precisionM: 10 }, false)).toBeNull();
  });
});

describe("timePrecisionOf", () => {
  it.each([
    [null, null, "unknown"],
    ["2022-01-01T10:00:00Z", null, "minute"],
    ["2022-01-01T10:00:00Z", "2022-01-01T10:04:00Z", "minute"],
    ["2022-01-01T10:00:00Z", "2022-01-01T11:30:00Z", "hour"],
    ["2022-01-01T00:00:00Z", "2022-01-01T23:59:00Z", "day"],
    ["2022-01-01T00:00:00Z", "2022-01-06T00:00:00Z", "week"],
    ["2022-01-01T00:00:00Z", "2022-01-25T00:00:00Z", "month"],
    ["2022-01-01T00:00:00Z", "2022-06-01T00:00:00Z", "year"],
  ] as const)("%s .. %s = %s", (start, end, expected) => {
    expect(timePrecisionOf(start ? t(start) : null, end ? t(end) : null)).toBe(expected);
  });
});

describe("buildPublicIncident copies only public fields", () => {
  const pub = buildPublicIncident(incident, { withholdLocation: false, ...when });

  it("has exactly the documented keys", () => {
    expect(Object.keys(pub).sort()).toEqual(
      ["schemaVersion", "id", "title", "type", "description", "date", "time", "timePrecision", "startAt", "endAt", "location", "locationWithheld", "locationName", "province", "claim", "attribution", "casualties", "targets", "publishedAt", "updatedAt"].sort(),
    );
    expect(pub.schemaVersion).toBe(PUBLIC_SCHEMA_VERSION);
  });

  it("keeps claim and attribution apart, casualties as ranges with sources, known targets only", () => {
    expect(pub.claim).toEqual({ group: "Group A", channel: "Weekly newsletter", date: "2022-10-02", url: "https://example.org/claim" });
    expect(pub.attribution).toEqual({ group: "Group A", confidence: "HIGH" });
    expect(pub.casualties.killed).toEqual({ min: 3, max: 5, source: "Hospital" });
    expect(pub.targets.map((x) => x.code)).toEqual(["CIVILIANS", "EDUCATION"]);
  });

  it("reduces the location and reports the precision", () => {
    expect(pub.location).not.toBeNull();
    expect(pub.location!.latitude).not.toBe(incident.latitude);
    expect(pub.location!.precisionM).toBe(250);
    expect(pub).toMatchObject({ date: "2022-09-30", time: "05:10", timePrecision: "hour" });
  });

  it("withholding removes the point and the place name", () => {
    const hidden = buildPublicIncident(incident, { withholdLocation: true, ...when });
    expect(hidden.location).toBeNull();
    expect(hidden.locationName).toBeNull();
    expect(JSON.stringify(hidden)).not.toContain("34.5");
  });

  it("a coarse window publishes days, not instants", () => {
    const coarse = buildPublicIncident({ ...incident, startAt: t("2022-09-01T05:10:00Z"), endAt: t("2022-09-20T05:10:00Z") }, { withholdLocation: false, ...when });
    expect(coarse).toMatchObject({ startAt: "2022-09-01", endAt: "2022-09-20", time: null, timePrecision: "month", date: "2022-09" });
  });

  it("the TimeMap row carries id, date, precision, coordinates, location, description and sources", () => {
    const row = publicEventRow(pub, [{ id: "DW-0001", title: "Video", url: "https://x/p/DW-0001", sha256: ["a".repeat(64)] }]);
    expect(row).toMatchObject({ id: "INC-0001", date: "2022-09-30", time_precision: "hour", location: "Kabul, Dasht-e-Barchi", description: "Public description", targets: "CIVILIANS;EDUCATION" });
    expect(row.latitude).toBe(pub.location!.latitude);
    expect(row.sources).toHaveLength(1);
  });
});

describe("buildPublicItem", () => {
  const item = {
    reference: "DW-0001",
    platform: "TELEGRAM",
    sensitiveGraphic: true,
    geolocation: { latitude: 34.52812, longitude: 69.17234, precisionM: 10 },
    chronolocation: { earliestAt: t("2022-09-30T05:00:00Z"), latestAt: t("2022-09-30T05:30:00Z") },
    originalSha256: ["b".repeat(64), "a".repeat(64), "b".repeat(64)],
  };
  const options = publishItemOptionsSchema.parse({ itemId: "cm0item0000001", title: "Smoke over the market" });

  it("uses the public title, never the internal one, and floors precision at the minimum", () => {
    const pub = buildPublicItem(item, { ...options, incidentIds: ["INC-2", "INC-1"], ...when });
    expect(pub.title).toBe("Smoke over the market");
    expect(pub.location!.precisionM).toBe(MIN_PUBLIC_PRECISION_M);
    expect(pub.incidentIds).toEqual(["INC-1", "INC-2"]);
    expect(pub.originalSha256).toEqual(["a".repeat(64), "b".repeat(64)]);
    expect(pub.graphic).toBe(true);
    expect(Object.keys(pub)).not.toContain("posterHandle");
  });
});

describe("input schemas", () => {
  it.each([
    [{ mediaFileId: "cm0media000001", x: 0.1, y: 0.1, w: 0.2, h: 0.2 }, true],
    [{ mediaFileId: "cm0media000001", x: 0.9, y: 0.1, w: 0.2, h: 0.2 }, false],
    [{ mediaFileId: "cm0media000001", x: -0.1, y: 0.1, w: 0.2, h: 0.2 }, false],
    [{ mediaFileId: "cm0media000001", x: 0.1, y: 0.1, w: 0, h: 0.2 }, false],
    [{ mediaFileId: "../etc", x: 0.1, y: 0.1, w: 0.2, h: 0.2 }, false],
  ])("redaction region %j valid=%s", (input, valid) => {
    expect(redactionRegionSchema.safeParse(input).success).toBe(valid);
  });

  it("publishing needs a public title; unpublishing needs a reason", () => {
    expect(publishItemOptionsSchema.safeParse({ itemId: "cm0item0000001", title: "  " }).success).toBe(false);
    expect(publishIncidentSchema.safeParse({ incidentId: "cm0inc00000001", expectedVersion: 0 }).success).toBe(true);
    expect(unpublishSchema.safeParse({ reason: "" }).success).toBe(false);
    expect(unpublishSchema.safeParse({ reason: "Wrong location" }).success).toBe(true);
  });

  it.each([
    [{}, true],
    [{ from: "2022-01-01", to: "2022-12-31", province: "Kabul", type: "IED", target: "CIVILIANS", page: "2", limit: "50" }, true],
    [{ limit: "100000" }, false],
    [{ page: "0" }, false],
    [{ from: "yesterday" }, false],
    [{ target: "everyone" }, false],
  ])("public filter %j valid=%s", (input, valid) => {
    expect(publicFilterSchema.safeParse(input).success).toBe(valid);
  });
});

describe("which files of an item may be public", () => {
  const files = [
    { id: "photo", sniffedMime: "image/jpeg", isPageCapture: false },
    { id: "video", sniffedMime: "video/mp4", isPageCapture: false },
    { id: "shot", sniffedMime: "image/png", isPageCapture: true },
    { id: "html", sniffedMime: "text/html", isPageCapture: true },
    { id: "pdf", sniffedMime: "application/pdf", isPageCapture: false },
  ];

  it("offers photos and videos by default, never page captures or other files", () => {
    expect(defaultPublicMedia(files)).toEqual(["photo", "video"]);
    expect(defaultPublicMedia([])).toEqual([]);
  });

  it.each([
    [[], null],
    [["photo", "video"], null],
    [["shot"], null],
    [["html"], /Only photos and videos/],
    [["pdf"], /Only photos and videos/],
    [["someone-elses"], /not part of this item/],
  ] as const)("choosing %j gives %s", (chosen, problem) => {
    const found = publicMediaProblem(files, chosen);
    if (problem === null) expect(found).toBeNull();
    else expect(found).toMatch(problem);
  });

  it("an incident publish names items only: no title, blur or file choice can ride along", () => {
    const parsed = publishIncidentSchema.parse({ incidentId: "cm0inc00000001", expectedVersion: 0, items: [{ itemId: "cm0item0000001", title: "Overwrite", redactions: [] }] });
    expect(parsed.items).toEqual([{ itemId: "cm0item0000001" }]);
  });
});

import { describe, expect, it } from "vitest";
import { DEFAULT_INCIDENT_TYPES } from "./incident-fields";
import {
  MAX_TAGS,
  MAX_TAG_LENGTH,
  changedIncidentFields,
  countEvidence,
  countsAsEvidence,
  formatRange,
  incidentInputSchema,
  incidentUpdateSchema,
  linkEvidenceSchema,
  linkKindFor,
  tagsSchema,
  unlinkEvidenceSchema,
  type IncidentValues,
} from "./incidents";
import { fieldErrorsOf } from "./schemas";

const schema = incidentInputSchema(DEFAULT_INCIDENT_TYPES);
const base = { projectId: "project1", title: "Explosion at a market", incidentType: "IED" };

function errorsOf(input: Record<string, unknown>): Record<string, string[]> {
  const result = schema.safeParse({ ...base, ...input });
  return result.success ? {} : fieldErrorsOf(result.error);
}

function valuesOf(input: Record<string, unknown>): IncidentValues {
  return schema.parse({ ...base, ...input }).values;
}

describe("linkKindFor", () => {
  it.each([
    ["VERIFIED", false, { ok: true, isLead: false }],
    ["PUBLISHED", false, { ok: true, isLead: false }],
    ["VERIFIED", true, { ok: true, isLead: true }],
    ["PUBLISHED", true, { ok: true, isLead: true }],
    ["SUBMITTED", true, { ok: true, isLead: true }],
    ["TRIAGED", true, { ok: true, isLead: true }],
    ["IN_PROGRESS", true, { ok: true, isLead: true }],
    ["IN_REVIEW", true, { ok: true, isLead: true }],
    ["UNVERIFIABLE", true, { ok: true, isLead: true }],
  ] as const)("%s as lead=%s is allowed: %o", (status, asLead, expected) => {
    expect(linkKindFor(status, asLead)).toEqual(expected);
  });

  it.each([
    ["SUBMITTED", false, /Only verified items/],
    ["TRIAGED", false, /Only verified items/],
    ["IN_PROGRESS", false, /Only verified items/],
    ["IN_REVIEW", false, /Only verified items/],
    ["UNVERIFIABLE", false, /Only verified items/],
    ["REJECTED", false, /Rejected/],
    ["REJECTED", true, /Rejected/],
    ["DUPLICATE", false, /duplicate/],
    ["DUPLICATE", true, /duplicate/],
  ] as const)("%s as lead=%s is refused", (status, asLead, message) => {
    const kind = linkKindFor(status, asLead);
    expect(kind.ok).toBe(false);
    if (!kind.ok) expect(kind.message).toMatch(message);
  });
});

describe("counting evidence", () => {
  it.each([
    [{ isLead: false, itemStatus: "VERIFIED" }, true],
    [{ isLead: false, itemStatus: "PUBLISHED" }, true],
    [{ isLead: true, itemStatus: "VERIFIED" }, false],
    [{ isLead: true, itemStatus: "SUBMITTED" }, false],
    // Linked as evidence, then reopened: no longer counts.
    [{ isLead: false, itemStatus: "IN_PROGRESS" }, false],
  ])("%o counts: %s", (link, expected) => {
    expect(countsAsEvidence(link)).toBe(expected);
  });

  it("separates verified evidence, leads and evidence that is no longer verified", () => {
    expect(
      countEvidence([
        { isLead: false, itemStatus: "VERIFIED" },
        { isLead: false, itemStatus: "PUBLISHED" },
        { isLead: true, itemStatus: "SUBMITTED" },
        { isLead: true, itemStatus: "VERIFIED" },
        { isLead: false, itemStatus: "IN_PROGRESS" },
      ]),
    ).toEqual({ verified: 2, leads: 2, noLongerVerified: 1 });
    expect(countEvidence([])).toEqual({ verified: 0, leads: 0, noLongerVerified: 0 });
  });
});

describe("incidentInputSchema", () => {
  it("accepts the minimum and stores absent fields as null", () => {
    const values = valuesOf({});
    expect(values).toMatchObject({ title: "Explosion at a market", incidentType: "IED", description: "", startAt: null, latitude: null, precisionM: null, claimGroup: null, attributionGroup: null, killedMin: null, targets: [], tags: [] });
  });

  it.each([
    [{ title: "" }, "title"],
    [{ title: "  a " }, "title"],
    [{ title: "x".repeat(301) }, "title"],
    [{ title: undefined }, "title"],
    [{ incidentType: "Earthquake" }, "incidentType"],
    [{ incidentType: "" }, "incidentType"],
    [{ startAt: "yesterday" }, "startAt"],
    [{ startAt: "2022-13-45T10:00" }, "startAt"],
    [{ startAt: "2022-09-30T10:00", endAt: "2022-09-30T09:59" }, "endAt"],
    [{ endAt: "2022-09-30T09:59" }, "startAt"],
    [{ location: "not a place", precisionM: "100" }, "location"],
    [{ location: "0, 0", precisionM: "100" }, "location"],
    [{ location: "34.5553, 69.2075" }, "precisionM"],
    [{ location: "34.5553, 69.2075", precisionM: "250" }, "precisionM"],
    [{ claimUrl: "javascript:alert(1)" }, "claimUrl"],
    [{ claimUrl: "ftp://example.org/file" }, "claimUrl"],
    [{ claimUrl: "example.org/claim" }, "claimUrl"],
    [{ claimDate: "soon" }, "claimDate"],
    [{ attributionConfidence: "HIGH" }, "attributionGroup"],
    [{ attributionGroup: "Group A", attributionConfidence: "CERTAIN" }, "attributionConfidence"],
    [{ killedMin: "-1" }, "killedMin"],
    [{ killedMin: "2.5" }, "killedMin"],
    [{ killedMin: "many" }, "killedMin"],
    [{ killedMin: "7", killedMax: "3" }, "killedMax"],
    [{ injuredMin: "10", injuredMax: "9" }, "injuredMax"],
    [{ injuredMax: "-3" }, "injuredMax"],
    [{ targets: ["CIVILIANS", "ALIENS"] }, "targets.1"],
    [{ tags: ["x".repeat(MAX_TAG_LENGTH + 1)] }, "tags.0"],
    [{ tags: Array.from({ length: MAX_TAGS + 1 }, (_, i) => `tag${i}`) }, "tags"],
  ])("refuses %o on field %s", (input, field) => {
    const errors = errorsOf(input);
    expect(Object.keys(errors)).toContain(field);
  });

  it("only accepts the project's own incident types", () => {
    const custom = incidentInputSchema(["Protest crackdown"]);
    expect(custom.safeParse({ ...base, incidentType: "Protest crackdown" }).success).toBe(true);
    expect(custom.safeParse({ ...base, incidentType: "IED" }).success).toBe(false);
  });

  it.each([
    ["2022-09-30T06:15", "2022-09-30T06:15:00.000Z"],
    ["2022-09-30T06:15:30Z", "2022-09-30T06:15:30.000Z"],
    ["2022-09-30T10:45+04:30", "2022-09-30T06:15:00.000Z"],
    ["2022-09-30", "2022-09-30T00:00:00.000Z"],
  ])("reads time %s as %s UTC", (input, expected) => {
    expect(valuesOf({ startAt: input }).startAt?.toISOString()).toBe(expected);
  });

  it("accepts a window whose start equals its end", () => {
    const values = valuesOf({ startAt: "2022-09-30T06:15", endAt: "2022-09-30T06:15" });
    expect(values.endAt?.getTime()).toBe(values.startAt?.getTime());
  });

  it.each([
    ["34.5553, 69.2075", 34.5553, 69.2075],
    ["34°33'19.1\"N 69°12'27.0\"E", 34.5553056, 69.2075],
    ["https://www.openstreetmap.org/#map=17/34.5553/69.2075", 34.5553, 69.2075],
    ["geo:34.5553,69.2075", 34.5553, 69.2075],
  ])("reads location %s", (location, latitude, longitude) => {
    const values = valuesOf({ location, precisionM: "1000" });
    expect(values.latitude).toBeCloseTo(latitude, 6);
    expect(values.longitude).toBeCloseTo(longitude, 6);
    expect(values.precisionM).toBe(1000);
  });

  it.each([["10", 10], ["100", 100], ["1000", 1000], [100, 100]])("accepts precision preset %s", (precisionM, expected) => {
    expect(valuesOf({ location: "34.5, 69.2", precisionM }).precisionM).toBe(expected);
  });

  it("drops a precision given without a location", () => {
    expect(valuesOf({ precisionM: "100" }).precisionM).toBeNull();
  });

  it("keeps the claim and the analysts' attribution in separate fields", () => {
    const values = valuesOf({
      claimGroup: "Group A",
      claimChannel: "Weekly newsletter no. 12",
      claimDate: "2022-10-06",
      claimUrl: "https://example.org/claim",
      attributionGroup: "Group B",
      attributionConfidence: "LOW",
    });
    expect(values).toMatchObject({ claimGroup: "Group A", claimChannel: "Weekly newsletter no. 12", claimUrl: "https://example.org/claim", attributionGroup: "Group B", attributionConfidence: "LOW" });
    expect(values.claimDate?.toISOString()).toBe("2022-10-06T00:00:00.000Z");
  });

  it.each([
    [{ killedMin: "3", killedMax: "7", killedSource: "Hospital" }, { killedMin: 3, killedMax: 7, killedSource: "Hospital" }],
    [{ killedMin: "5", killedMax: "" }, { killedMin: 5, killedMax: null }],
    [{ killedMin: "", killedMax: "9" }, { killedMin: null, killedMax: 9 }],
    [{ killedMin: "0", killedMax: "0" }, { killedMin: 0, killedMax: 0 }],
    [{ injuredMin: 4, injuredMax: 4, injuredSource: " Local officials " }, { injuredMin: 4, injuredMax: 4, injuredSource: "Local officials" }],
  ])("reads casualty range %o", (input, expected) => {
    expect(valuesOf(input)).toMatchObject(expected);
  });

  it("deduplicates target categories and accepts a single one", () => {
    expect(valuesOf({ targets: ["CIVILIANS", "MINORITY", "CIVILIANS"] }).targets).toEqual(["CIVILIANS", "MINORITY"]);
    expect(valuesOf({ targets: "HEALTH" }).targets).toEqual(["HEALTH"]);
  });

  it("treats blank optional text as absent", () => {
    expect(valuesOf({ claimGroup: "  ", locationName: "", claimUrl: "" })).toMatchObject({ claimGroup: null, locationName: null, claimUrl: null });
  });
});

describe("tagsSchema", () => {
  it.each([
    [" Kabul ,kabul, Market  Attack,,", ["kabul", "market attack"]],
    [["A", "a", " b "], ["a", "b"]],
    [undefined, []],
    ["", []],
  ])("normalises %o to %o", (input, expected) => {
    expect(tagsSchema.parse(input)).toEqual(expected);
  });

  it("allows exactly the maximum count and length", () => {
    const tags = Array.from({ length: MAX_TAGS }, (_, i) => `${i}`.padEnd(MAX_TAG_LENGTH, "x"));
    expect(tagsSchema.parse(tags)).toHaveLength(MAX_TAGS);
  });
});

describe("incidentUpdateSchema", () => {
  const update = incidentUpdateSchema(DEFAULT_INCIDENT_TYPES);

  it("needs the incident and the version the editor saw", () => {
    expect(update.safeParse({ ...base, incidentId: "inc1", expectedVersion: "3" })).toMatchObject({ success: true, data: { incidentId: "inc1", expectedVersion: 3 } });
    expect(update.safeParse({ ...base, incidentId: "inc1" }).success).toBe(false);
    expect(update.safeParse({ ...base, expectedVersion: 0 }).success).toBe(false);
    expect(update.safeParse({ ...base, incidentId: "inc1", expectedVersion: -1 }).success).toBe(false);
  });

  it("applies the same cross-field rules as create", () => {
    const result = update.safeParse({ ...base, incidentId: "inc1", expectedVersion: 0, killedMin: 9, killedMax: 1 });
    expect(result.success).toBe(false);
    if (!result.success) expect(Object.keys(fieldErrorsOf(result.error))).toContain("killedMax");
  });
});

describe("changedIncidentFields", () => {
  it("lists only the fields that changed, comparing dates and lists by value", () => {
    const before = valuesOf({ startAt: "2022-09-30T06:15", tags: "a,b", killedMin: 1 });
    const after = { ...before, startAt: new Date("2022-09-30T06:15:00Z"), tags: ["a", "b"], killedMin: 2, title: "Renamed incident" };
    expect(changedIncidentFields(before, after)).toEqual({ before: { title: "Explosion at a market", killedMin: 1 }, after: { title: "Renamed incident", killedMin: 2 } });
    expect(changedIncidentFields(before, { ...before })).toEqual({ before: {}, after: {} });
  });
});

describe("link schemas", () => {
  it.each([
    [{ incidentId: "i1", itemId: "t1" }, { relation: "", asLead: false }],
    [{ incidentId: "i1", itemId: "t1", relation: " Shows the aftermath ", asLead: "on" }, { relation: "Shows the aftermath", asLead: true }],
    [{ incidentId: "i1", itemId: "t1", asLead: "true" }, { asLead: true }],
    [{ incidentId: "i1", itemId: "t1", asLead: true }, { asLead: true }],
    [{ incidentId: "i1", itemId: "t1", asLead: "" }, { asLead: false }],
    [{ incidentId: "i1", itemReference: " aw-0042 " }, { itemReference: "AW-0042" }],
    [{ incidentId: "i1", itemId: "", itemReference: "DW-INC-7" }, { itemReference: "DW-INC-7" }],
  ])("reads %o", (input, expected) => {
    expect(linkEvidenceSchema.parse(input)).toMatchObject(expected);
  });

  it.each([
    [{ itemId: "t1" }],
    [{ incidentId: "i1" }],
    [{ incidentId: "i 1", itemId: "t1" }],
    [{ incidentId: "i1", itemId: "t1", relation: "x".repeat(501) }],
    [{ incidentId: "i1", itemId: "", itemReference: "" }],
    [{ incidentId: "i1", itemReference: "AW 42; DROP" }],
  ])("refuses %o", (input) => {
    expect(linkEvidenceSchema.safeParse(input).success).toBe(false);
  });

  it("unlinking names both sides", () => {
    expect(unlinkEvidenceSchema.safeParse({ incidentId: "i1", itemId: "t1" }).success).toBe(true);
    expect(unlinkEvidenceSchema.safeParse({ incidentId: "i1" }).success).toBe(false);
  });
});

describe("formatRange", () => {
  it.each([
    [3, 7, "3–7"],
    [5, 5, "5"],
    [5, null, "at least 5"],
    [null, 7, "up to 7"],
    [null, null, "unknown"],
    [0, 0, "0"],
  ] as const)("%s..%s reads %s", (min, max, expected) => {
    expect(formatRange(min, max)).toBe(expected);
  });
});

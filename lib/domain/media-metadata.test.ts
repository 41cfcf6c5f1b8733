import { describe, expect, it } from "vitest";
import {
  type ContradictionContext,
  type LocalTime,
  type MediaMetadata,
  describeRotation,
  detectEditingSoftware,
  findContradictions,
  formatAltitude,
  unreadableMetadata,
  formatOffset,
  formatSpan,
  gpsDateTime,
  normalizeOffset,
  parseIso6709,
  parseWrittenDateTime,
  withOffset,
} from "./media-metadata";

describe("parseWrittenDateTime", () => {
  it.each<[string, unknown, LocalTime | undefined]>([
    ["EXIF DateTimeOriginal", "2018:07:25 16:34:23", { local: "2018-07-25T16:34:23" }],
    ["XMP with offset", "2015-07-24T22:45:50+02:00", { local: "2015-07-24T22:45:50", offset: "+02:00", utc: "2015-07-24T20:45:50.000Z" }],
    ["QuickTime creationdate (offset without colon)", "2012-07-08T20:37:36-0300", { local: "2012-07-08T20:37:36", offset: "-03:00", utc: "2012-07-08T23:37:36.000Z" }],
    ["UTC designator", "2020-01-01T00:00:00Z", { local: "2020-01-01T00:00:00", offset: "+00:00", utc: "2020-01-01T00:00:00.000Z" }],
    ["fraction dropped, kept as written otherwise", "2015-06-11T10:29:26.69", { local: "2015-06-11T10:29:26" }],
    ["missing seconds", "2018:07:25 16:34", { local: "2018-07-25T16:34:00" }],
    ["surrounding whitespace", "  2018:07:25 16:34:23 ", { local: "2018-07-25T16:34:23" }],
    ["flat clock battery placeholder", "0000:00:00 00:00:00", undefined],
    ["blank EXIF date", "    :  :     :  :  ", undefined],
    ["30 February", "2019:02:30 10:00:00", undefined],
    ["hour 25", "2018:07:25 25:00:00", undefined],
    ["bare date is not a moment", "2015-06-11", undefined],
    ["impossible offset is dropped, not guessed", "2018-07-25T16:34:23+25:00", { local: "2018-07-25T16:34:23" }],
    ["number", 1532529263, undefined],
    ["undefined", undefined, undefined],
  ])("%s", (_label, input, expected) => {
    expect(parseWrittenDateTime(input)).toEqual(expected);
  });
});

describe("normalizeOffset and withOffset", () => {
  it.each<[unknown, string | undefined]>([
    ["+02:00", "+02:00"],
    ["-0300", "-03:00"],
    ["+2", "+02:00"],
    ["+05:45", "+05:45"],
    ["Z", "+00:00"],
    ["+14:00", "+14:00"],
    ["+14:30", undefined],
    ["+15:00", undefined],
    ["02:00", undefined],
    ["   :  ", undefined],
    ["", undefined],
    [null, undefined],
  ])("%j -> %s", (input, expected) => {
    expect(normalizeOffset(input)).toBe(expected);
  });

  it("computes UTC only when the offset is known", () => {
    expect(withOffset("2019-10-20T18:34:30", "+02:00")).toEqual({ local: "2019-10-20T18:34:30", offset: "+02:00", utc: "2019-10-20T16:34:30.000Z" });
    expect(withOffset("2019-10-20T18:34:30")).toEqual({ local: "2019-10-20T18:34:30" });
    expect(withOffset("2019-10-20T18:34:30", "garbage")).toEqual({ local: "2019-10-20T18:34:30" });
    expect(withOffset("not a time", "+02:00")).toBeUndefined();
  });
});

describe("gpsDateTime", () => {
  it.each<[string, unknown, unknown, ReturnType<typeof gpsDateTime>]>([
    ["date and time", "2018:07:25", [14, 34, 23], { gpsDate: "2018-07-25", gpsTimeUtc: "2018-07-25T14:34:23.000Z" }],
    ["fractional seconds", "2018:07:25", [14, 34, 23.5], { gpsDate: "2018-07-25", gpsTimeUtc: "2018-07-25T14:34:23.500Z" }],
    ["typed array time", "2018-07-25", new Float64Array([0, 0, 1]), { gpsDate: "2018-07-25", gpsTimeUtc: "2018-07-25T00:00:01.000Z" }],
    ["date only (iPhone)", "2019:10:20", undefined, { gpsDate: "2019-10-20" }],
    ["impossible time keeps the date", "2018:07:25", [25, 0, 0], { gpsDate: "2018-07-25" }],
    ["time without a date is no instant", undefined, [14, 34, 23], {}],
    ["garbage date", "yesterday", [14, 34, 23], {}],
  ])("%s", (_label, date, time, expected) => {
    expect(gpsDateTime(date, time)).toEqual(expected);
  });
});

describe("parseIso6709", () => {
  it.each<[string, unknown, { latitude: number; longitude: number; altitudeM?: number } | undefined]>([
    ["Android decimal degrees", "+51.4169-000.0806/", { latitude: 51.4169, longitude: -0.0806 }],
    ["with altitude", "+27.5916+086.5640+8850.000/", { latitude: 27.5916, longitude: 86.564, altitudeM: 8850 }],
    ["southern and eastern", "-33.8688+151.2093/", { latitude: -33.8688, longitude: 151.2093 }],
    ["with CRS", "+40.7128-074.0060+010.000CRSWGS_84/", { latitude: 40.7128, longitude: -74.006, altitudeM: 10 }],
    ["no trailing slash", "+51.4169-000.0806", { latitude: 51.4169, longitude: -0.0806 }],
    ["degrees and decimal minutes", "+4012.34-07530.12/", { latitude: 40 + 12.34 / 60, longitude: -(75 + 30.12 / 60) }],
    ["degrees minutes seconds", "+401213-0753012/", { latitude: 40 + 12 / 60 + 13 / 3600, longitude: -(75 + 30 / 60 + 12 / 3600) }],
    ["latitude out of range", "+91.0000+000.0000/", undefined],
    ["minutes out of range", "+4075.00-07530.00/", undefined],
    ["garbage", "London", undefined],
    ["empty", "", undefined],
    ["not a string", 51.4, undefined],
  ])("%s", (_label, input, expected) => {
    const parsed = parseIso6709(input);
    if (!expected) return expect(parsed).toBeUndefined();
    expect(parsed?.latitude).toBeCloseTo(expected.latitude, 9);
    expect(parsed?.longitude).toBeCloseTo(expected.longitude, 9);
    expect(parsed?.altitudeM).toBe(expected.altitudeM);
  });
});

describe("detectEditingSoftware", () => {
  it.each<[readonly (string | null | undefined)[], string | undefined]>([
    [["Adobe Photoshop Lightroom 6.1 (Windows)"], "Adobe Photoshop Lightroom 6.1 (Windows)"],
    [["13.1.2", "Adobe Photoshop CC 2019 (Macintosh)"], "Adobe Photoshop CC 2019 (Macintosh)"],
    [["GIMP 2.10.30"], "GIMP 2.10.30"],
    [["Snapseed 2.0"], "Snapseed 2.0"],
    [["Lavf58.29.100"], "Lavf58.29.100"],
    [["  Adobe Premiere Pro 2023  "], "Adobe Premiere Pro 2023"],
    // Camera and phone firmware.
    [["HDR+ 1.0.199571065z"], undefined],
    [["13.1.2"], undefined],
    [["01.15.00.67"], undefined],
    [["Android 6.0.1"], undefined],
    [[undefined, null, ""], undefined],
    [[], undefined],
  ])("%j -> %s", (candidates, expected) => {
    expect(detectEditingSoftware(candidates)).toBe(expected);
  });
});

describe("formatting", () => {
  it.each<[number, string]>([
    [120, "+02:00"],
    [-180, "-03:00"],
    [345, "+05:45"],
    [0, "+00:00"],
  ])("offset %i -> %s", (minutes, text) => expect(formatOffset(minutes)).toBe(text));

  it.each<[number, string]>([
    [0, "0s"],
    [59_000, "59s"],
    [-(3 * 3600 + 11 * 60 + 55) * 1000, "3h 11m 55s"],
    [2 * 86_400_000 + 3_600_000, "2 days 1h 0m"],
    [86_400_000, "1 day 0h 0m"],
  ])("span %i -> %s", (ms, text) => expect(formatSpan(ms)).toBe(text));
});

describe("findContradictions", () => {
  const image = (extra: Partial<MediaMetadata>): MediaMetadata => ({ kind: "image", mime: "image/jpeg", make: "Google", model: "Pixel", ...extra });
  const video = (extra: Partial<MediaMetadata>): MediaMetadata => ({ kind: "video", mime: "video/quicktime", make: "Apple", ...extra });
  const gpsAt = (gpsTimeUtc: string) => ({ latitude: 50.3, longitude: 14.8, gpsTimeUtc, gpsDate: gpsTimeUtc.slice(0, 10) });
  const local = (text: string, offset?: string) => withOffset(text, offset)!;

  it.each<[string, MediaMetadata, ContradictionContext, string[]]>([
    ["Pixel: camera clock is GPS time + 2 h, a time zone", image({ captureTime: local("2018-07-25T16:34:23"), gps: gpsAt("2018-07-25T14:34:23.000Z") }), {}, ["info:CAMERA_CLOCK_OFFSET_FROM_GPS"]],
    ["Nepal: +05:45 is a real zone", image({ captureTime: local("2018-07-25T20:19:23"), gps: gpsAt("2018-07-25T14:34:23.000Z") }), {}, ["info:CAMERA_CLOCK_OFFSET_FROM_GPS"]],
    ["GPS fix lagging by 3 minutes is within tolerance", image({ captureTime: local("2018-07-25T16:37:23"), gps: gpsAt("2018-07-25T14:34:23.000Z") }), {}, ["info:CAMERA_CLOCK_OFFSET_FROM_GPS"]],
    ["17 minutes beyond a whole-hour offset", image({ captureTime: local("2018-07-25T16:51:23"), gps: gpsAt("2018-07-25T14:34:23.000Z") }), {}, ["warning:CAMERA_GPS_CLOCK_MISMATCH"]],
    ["recorded offset that agrees with GPS: nothing to say", image({ captureTime: local("2018-07-25T16:34:23", "+02:00"), gps: gpsAt("2018-07-25T14:34:23.000Z") }), {}, []],
    ["recorded offset that disagrees with GPS", image({ captureTime: local("2018-07-25T16:34:23", "+01:00"), gps: gpsAt("2018-07-25T14:34:23.000Z") }), {}, ["warning:CAMERA_GPS_CLOCK_MISMATCH"]],
    ["PNG: Canon date 2003 with a GPS block dated 2018", image({ make: "Canon", captureTime: local("2003-12-14T12:01:44"), gps: gpsAt("2018-07-25T14:34:23.000Z") }), {}, ["warning:INCONSISTENT_GPS_DATE"]],
    ["GPS date only, same day", image({ captureTime: local("2019-10-20T18:34:30", "+02:00"), gps: { latitude: 1, longitude: 2, gpsDate: "2019-10-20" } }), {}, []],
    ["GPS date only, days apart", image({ captureTime: local("2019-10-20T18:34:30", "+02:00"), gps: { latitude: 1, longitude: 2, gpsDate: "2019-10-25" } }), {}, ["warning:INCONSISTENT_GPS_DATE"]],
    ["MOV: creationdate and mvhd 3 h apart", video({ durationMs: 2675, captureTime: local("2012-07-08T20:37:36", "-03:00"), containerCreationTimeUtc: "2012-07-09T02:49:31.000Z" }), {}, ["warning:CAMERA_CONTAINER_CLOCK_MISMATCH"]],
    ["container written when recording stopped (within the duration)", video({ durationMs: 90_000, captureTime: local("2020-05-01T12:00:00", "+02:00"), containerCreationTimeUtc: "2020-05-01T10:01:30.000Z" }), {}, []],
    ["container time consistent with a zone when the camera gives none", video({ captureTime: local("2020-05-01T12:00:00"), containerCreationTimeUtc: "2020-05-01T10:00:00.000Z" }), {}, ["info:CAMERA_CLOCK_OFFSET_FROM_CONTAINER"]],
    ["container years away", video({ captureTime: local("2020-05-01T12:00:00", "+00:00"), containerCreationTimeUtc: "2016-05-01T12:00:00.000Z" }), {}, ["warning:INCONSISTENT_CONTAINER_DATE"]],
    ["captured (UTC known) after the upload", image({ captureTime: local("2024-03-01T18:00:00", "+00:00") }), { platformUploadedAt: new Date("2024-03-01T16:00:00Z") }, ["warning:CAPTURED_AFTER_UPLOAD"]],
    ["local time that fits some zone before the upload", image({ captureTime: local("2024-03-02T05:00:00") }), { platformUploadedAt: new Date("2024-03-01T16:00:00Z") }, []],
    ["local time too late for any zone", image({ captureTime: local("2024-03-02T08:00:00") }), { platformUploadedAt: new Date("2024-03-01T16:00:00Z") }, ["warning:CAPTURED_AFTER_UPLOAD"]],
    ["container time after the upload", video({ containerCreationTimeUtc: "2024-03-02T00:00:00.000Z" }), { platformUploadedAt: new Date("2024-03-01T16:00:00Z") }, ["warning:CAPTURED_AFTER_UPLOAD"]],
    ["upload after capture is fine", image({ captureTime: local("2024-03-01T10:00:00", "+00:00") }), { platformUploadedAt: new Date("2024-03-01T16:00:00Z") }, []],
    ["null upload time is ignored", image({ captureTime: local("2024-03-01T10:00:00", "+00:00") }), { platformUploadedAt: null }, []],
    ["claimed date far from capture", image({ captureTime: local("2015-06-11T10:29:26") }), { claimedDate: "2015-07-24" }, ["warning:CLAIMED_DATE_MISMATCH"]],
    ["claimed date a day off (time zones)", image({ captureTime: local("2015-06-11T23:29:26") }), { claimedDate: "2015-06-12" }, []],
    ["claimed ISO date-time uses its date", image({ captureTime: local("2015-06-11T10:29:26") }), { claimedDate: "2015-06-11T08:00:00Z" }, []],
    ["claimed date compared with the GPS date when there is no camera time", image({ gps: gpsAt("2018-07-25T14:34:23.000Z") }), { claimedDate: "2018-09-01" }, ["warning:CLAIMED_DATE_MISMATCH"]],
    ["unparseable claimed date is ignored", image({ captureTime: local("2015-06-11T10:29:26") }), { claimedDate: "last summer" }, []],
    ["edited in Lightroom and modified later", image({ make: "Canon", captureTime: local("2015-06-11T10:29:26"), modifyTime: local("2015-07-24T22:45:50"), editedBy: "Adobe Photoshop Lightroom 6.1 (Windows)" }), {}, ["warning:EDITED_BY_SOFTWARE", "info:MODIFIED_AFTER_CAPTURE"]],
    ["modify time equal to capture time", image({ captureTime: local("2018-07-25T16:34:23"), modifyTime: local("2018-07-25T16:34:23") }), {}, []],
    ["modify time before capture time is not 'after'", image({ captureTime: local("2018-07-25T16:34:23"), modifyTime: local("2018-07-24T16:34:23") }), {}, []],
    ["DJI altitude flagged below sea level", image({ make: "DJI", gps: { latitude: 40.4, longitude: -74.5, altitudeM: -8.5, belowSeaLevel: true } }), {}, ["info:GPS_BELOW_SEA_LEVEL"]],
    ["resized since capture (the 'tiny' Pixel copy)", image({ width: 1012, height: 759, exifWidth: 4048, exifHeight: 3036 }), {}, ["info:DIMENSIONS_DIFFER_FROM_EXIF"]],
    ["same size as recorded", image({ width: 4032, height: 3024, exifWidth: 4032, exifHeight: 3024 }), {}, []],
    ["same size, turned by the orientation tag", image({ width: 3024, height: 4032, exifWidth: 4032, exifHeight: 3024 }), {}, []],
    ["nothing at all: a platform re-encode", { kind: "video", mime: "video/mp4", durationMs: 1000 }, {}, ["info:NO_CAPTURE_METADATA"]],
    ["only a camera model is still metadata", { kind: "image", mime: "image/jpeg", model: "iPhone 7" }, {}, []],
    ["metadata that could not be read is a warning, not 'stripped'", unreadableMetadata("image", "image/jpeg", "The EXIF block is malformed."), {}, ["warning:METADATA_UNREADABLE"]],
  ])("%s", (_label, meta, context, expected) => {
    const findings = findContradictions(meta, context);
    expect(findings.map((f) => `${f.severity}:${f.code}`)).toEqual(expected);
    for (const finding of findings) expect(finding.message.length).toBeGreaterThan(20);
  });

  it("reports the apparent time zone of the camera", () => {
    const [finding] = findContradictions(image({ captureTime: local("2018-07-25T16:34:23"), gps: gpsAt("2018-07-25T14:34:23.000Z") }));
    expect(finding?.message).toContain("UTC+02:00");
  });

  it("reports the apparent offset when it is no time zone", () => {
    const [finding] = findContradictions(image({ captureTime: local("2018-07-25T16:51:23"), gps: gpsAt("2018-07-25T14:34:23.000Z") }));
    expect(finding?.message).toContain("2h 17m 0s");
    expect(finding?.message).toContain("UTC+02:00");
    expect(finding?.message).toContain("17m 0s");
  });

  it("gives the MOV's gap between creationdate and mvhd", () => {
    const [finding] = findContradictions(video({ durationMs: 2675, captureTime: local("2012-07-08T20:37:36", "-03:00"), containerCreationTimeUtc: "2012-07-09T02:49:31.000Z" }));
    expect(finding?.message).toContain("3h 11m 55s");
  });

  it("tolerance can be widened", () => {
    const meta = image({ captureTime: local("2018-07-25T16:51:23"), gps: gpsAt("2018-07-25T14:34:23.000Z") });
    expect(findContradictions(meta, {}, { clockToleranceMinutes: 20 }).map((f) => f.code)).toEqual(["CAMERA_CLOCK_OFFSET_FROM_GPS"]);
  });

  it("says how many days the claimed date is off", () => {
    const [finding] = findContradictions(image({ captureTime: local("2015-06-11T10:29:26") }), { claimedDate: "2015-07-24" });
    expect(finding?.message).toContain("43 days");
  });
});

describe("altitude and rotation for people", () => {
  it.each([
    [252, "252 m"],
    [1.3999999999999999, "1.4 m"],
    [90.00000000000001, "90 m"],
    [-8.499999999999998, "-8.5 m"],
    [-0.04, "0 m"],
  ])("altitude %s reads %s", (metres, text) => {
    expect(formatAltitude(metres)).toBe(text);
  });

  it.each([
    [{}, null],
    [{ rotation: 0 }, "none"],
    [{ rotation: 90, displayMatrixRotation: -90 }, "shown turned 90° clockwise (display matrix -90°)"],
    [{ rotation: 270, displayMatrixRotation: 90 }, "shown turned 270° clockwise (display matrix 90°)"],
    [{ rotation: 180 }, "shown turned 180° clockwise"],
  ])("rotation %j reads %s", (meta, text) => {
    expect(describeRotation(meta)).toBe(text);
  });
});

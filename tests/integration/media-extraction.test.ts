// Type sniffing and metadata extraction against real files from real cameras, phones and
// editors (../shared/fixtures, see its README for where each came from and what it holds).
// The expected values below are the README's, not whatever the code happened to produce.
import { execFileSync } from "node:child_process";
import { copyFile, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DomainError } from "../../lib/domain/errors";
import { type MediaMetadata, findContradictions } from "../../lib/domain/media-metadata";
import { extractMetadata } from "../../lib/server/media/extract-metadata";
import { assertAcceptedMedia, sniffFile } from "../../lib/server/media/sniff";

const projectRoot = path.resolve(import.meta.dirname, "../..");
const fixtures = path.resolve(projectRoot, "../shared/fixtures");
const fixture = (name: string) => path.join(fixtures, name);

const PIXEL = "images/exifr_IMG_20180725_163423-tiny.jpg";
const IPHONE_HEIC = "images/exifr_heic-iphone7.heic";
const CANON_LIGHTROOM = "images/exifr_IMG_5910.jpg";
const DJI = "images/exifr_issue-exifr-3_DJI.jpg";
const PNG = "images/exifr_png_with_exif_and_gps.png";
const IPAD_MOV = "video/fluent-ffmpeg_IMG_0034.MOV";
const ANDROID_MP4 = "video/metadata-extractor_with-gps.mp4";

async function extract(name: string): Promise<MediaMetadata> {
  const sniffed = await assertAcceptedMedia(fixture(name));
  return extractMetadata(fixture(name), sniffed.mime);
}

/** The DomainError a promise rejects with (fails the test if it resolves or throws another error). */
async function domainError(promise: Promise<unknown>): Promise<DomainError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DomainError);
  return error as DomainError;
}

describe("sniffFile identifies each fixture by its bytes", () => {
  it.each([
    [PIXEL, "image/jpeg", "jpg", "image"],
    [IPHONE_HEIC, "image/heic", "heic", "image"],
    [CANON_LIGHTROOM, "image/jpeg", "jpg", "image"],
    [DJI, "image/jpeg", "jpg", "image"],
    [PNG, "image/png", "png", "image"],
    [IPAD_MOV, "video/quicktime", "mov", "video"],
    [ANDROID_MP4, "video/mp4", "mp4", "video"],
  ])("%s -> %s", async (name, mime, ext, kind) => {
    expect(await sniffFile(fixture(name))).toEqual({ mime, ext });
    expect(await assertAcceptedMedia(fixture(name))).toEqual({ mime, ext, kind });
  });

  it("refuses a real file of another kind (a web archive)", async () => {
    expect(await sniffFile(fixture("web/warcio_example.warc.gz"))).toEqual({ mime: "application/gzip", ext: "gz" });
    const error = await domainError(assertAcceptedMedia(fixture("web/warcio_example.warc.gz")));
    expect(error.code).toBe("VALIDATION");
    expect(error.message).toContain("application/gzip");
  });
});

describe("image metadata from the fixtures", () => {
  it.each<[string, { make: string; model: string; local: string; offset?: string; latitude: number; longitude: number; altitudeM: number; belowSeaLevel?: boolean }]>([
    [PIXEL, { make: "Google", model: "Pixel", local: "2018-07-25T16:34:23", latitude: 50.29960277777778, longitude: 14.820294444444444, altitudeM: 252 }],
    [IPHONE_HEIC, { make: "Apple", model: "iPhone 7", local: "2019-10-20T18:34:30", offset: "+02:00", latitude: 38.046641666666666, longitude: 12.994411111111111, altitudeM: 1.4 }],
    [CANON_LIGHTROOM, { make: "Canon", model: "Canon EOS 600D", local: "2015-06-11T10:29:26", latitude: 37.871093333333334, longitude: -122.25678, altitudeM: 90 }],
    // The README: "altitude 8.5 flagged below sea level"; we keep the file's assertion, signed.
    [DJI, { make: "DJI", model: "FLIR", local: "2019-04-30T15:56:18", latitude: 40.37750144444445, longitude: -74.4899133611111, altitudeM: -8.5, belowSeaLevel: true }],
    [PNG, { make: "Canon", model: "Canon PowerShot S40", local: "2003-12-14T12:01:44", latitude: 50.29960277777778, longitude: 14.820294444444444, altitudeM: 252 }],
  ])("%s: camera, capture time and GPS", async (name, expected) => {
    const meta = await extract(name);
    expect(meta.kind).toBe("image");
    expect(meta.make).toBe(expected.make);
    expect(meta.model).toBe(expected.model);
    expect(meta.captureTime?.local).toBe(expected.local);
    expect(meta.captureTime?.offset).toBe(expected.offset);
    // UTC only where the file states its offset: never inferred from the server's zone.
    expect(meta.captureTime?.utc === undefined).toBe(expected.offset === undefined);
    expect(meta.gps?.latitude).toBeCloseTo(expected.latitude, 6);
    expect(meta.gps?.longitude).toBeCloseTo(expected.longitude, 6);
    expect(meta.gps?.altitudeM).toBeCloseTo(expected.altitudeM, 1);
    expect(meta.gps?.belowSeaLevel).toBe(expected.belowSeaLevel);
    expect(meta.width).toBeGreaterThan(0);
    expect(meta.height).toBeGreaterThan(0);
    expect(meta.extractionWarnings).toBeUndefined();
    // Stored as JSON: nothing may be lost on the way.
    expect(JSON.parse(JSON.stringify(meta))).toEqual(meta);
  });

  it("iPhone HEIC: capture time in UTC from its recorded offset", async () => {
    const meta = await extract(IPHONE_HEIC);
    expect(meta.captureTime).toEqual({ local: "2019-10-20T18:34:30", offset: "+02:00", utc: "2019-10-20T16:34:30.000Z" });
    expect(meta.gps?.gpsDate).toBe("2019-10-20");
    expect(meta.editedBy).toBeUndefined();
    expect(findContradictions(meta)).toEqual([]);
  });

  it("Pixel: GPS clock 14:34:23 UTC puts the camera at UTC+02:00", async () => {
    const meta = await extract(PIXEL);
    expect(meta.gps?.gpsTimeUtc).toBe("2018-07-25T14:34:23.000Z");
    expect(meta.editedBy).toBeUndefined();
    const findings = findContradictions(meta);
    const offset = findings.find((f) => f.code === "CAMERA_CLOCK_OFFSET_FROM_GPS");
    expect(offset?.severity).toBe("info");
    expect(offset?.message).toContain("UTC+02:00");
    expect(findings.some((f) => f.severity === "warning")).toBe(false);
  });

  it("Canon: the Lightroom edit is detected and reported", async () => {
    const meta = await extract(CANON_LIGHTROOM);
    expect(meta.editedBy).toMatch(/Lightroom 6\.1/);
    expect(meta.modifyTime?.local).toBe("2015-07-24T22:45:50");
    const findings = findContradictions(meta);
    expect(findings).toContainEqual(expect.objectContaining({ code: "EDITED_BY_SOFTWARE", severity: "warning" }));
    expect(findings.find((f) => f.code === "EDITED_BY_SOFTWARE")?.message).toContain("Lightroom");
    expect(findings.map((f) => f.code)).toContain("MODIFIED_AFTER_CAPTURE");
  });

  it("DJI: below sea level is flagged for checking", async () => {
    const meta = await extract(DJI);
    expect(findContradictions(meta)).toContainEqual(expect.objectContaining({ code: "GPS_BELOW_SEA_LEVEL", severity: "info" }));
  });

  it("PNG: a Canon camera date of 2003 with a Pixel GPS block dated 2018 contradicts itself", async () => {
    const meta = await extract(PNG);
    expect(meta.gps?.gpsTimeUtc).toBe("2018-07-25T14:34:23.000Z");
    const findings = findContradictions(meta);
    const inconsistent = findings.find((f) => f.code === "INCONSISTENT_GPS_DATE");
    expect(inconsistent?.severity).toBe("warning");
    expect(inconsistent?.message).toContain("2003-12-14");
    expect(inconsistent?.message).toContain("2018-07-25");
  });

  it("a claimed date and the platform upload time are checked against the capture", async () => {
    const meta = await extract(IPHONE_HEIC);
    expect(findContradictions(meta, { claimedDate: "2019-10-20", platformUploadedAt: new Date("2019-10-21T08:00:00Z") })).toEqual([]);
    const findings = findContradictions(meta, { claimedDate: "2022-02-24", platformUploadedAt: new Date("2019-10-20T12:00:00Z") });
    expect(findings.map((f) => f.code).sort()).toEqual(["CAPTURED_AFTER_UPLOAD", "CLAIMED_DATE_MISMATCH"]);
  });
});

describe("video metadata from the fixtures", () => {
  it("iPad MOV: duration, codecs, size, both creation times and their 3 h mismatch", async () => {
    const meta = await extract(IPAD_MOV);
    expect(meta.kind).toBe("video");
    expect(meta.mime).toBe("video/quicktime");
    expect(meta.durationMs! / 1000).toBeCloseTo(2.675, 2);
    expect(Math.abs(meta.durationMs! - 2675)).toBeLessThanOrEqual(10);
    expect(meta.videoCodec).toBe("h264");
    expect(meta.audioCodec).toBe("aac");
    expect([meta.width, meta.height]).toEqual([568, 320]);
    // Filmed upside down: ffprobe's display matrix says -180, kept with its sign; shown turned 180°.
    expect(meta.displayMatrixRotation).toBe(-180);
    expect(meta.rotation).toBe(180);
    expect(meta.streams).toHaveLength(2);
    expect(meta.make).toBe("Apple");
    expect(meta.model).toBe("iPad 2");
    expect(meta.containerCreationTimeUtc).toBe("2012-07-09T02:49:31.000Z");
    expect(meta.captureTime).toEqual({ local: "2012-07-08T20:37:36", offset: "-03:00", utc: "2012-07-08T23:37:36.000Z" });
    expect(meta.raw?.["format.com.apple.quicktime.creationdate"]).toBe("2012-07-08T20:37:36-0300");
    expect(meta.gps).toBeUndefined();
    expect(meta.editedBy).toBeUndefined();
    const mismatch = findContradictions(meta).find((f) => f.code === "CAMERA_CONTAINER_CLOCK_MISMATCH");
    expect(mismatch?.severity).toBe("warning");
    expect(mismatch?.message).toContain("3h 11m 55s");
    expect(JSON.parse(JSON.stringify(meta))).toEqual(meta);
  });

  it("Android MP4: ISO 6709 location, duration, codecs, size and creation time", async () => {
    const meta = await extract(ANDROID_MP4);
    expect(meta.mime).toBe("video/mp4");
    expect(meta.locationIso6709).toBe("+51.4169-000.0806/");
    expect(meta.gps?.latitude).toBeCloseTo(51.4169, 6);
    expect(meta.gps?.longitude).toBeCloseTo(-0.0806, 6);
    expect(meta.durationMs! / 1000).toBeCloseTo(0.171, 2);
    expect(meta.videoCodec).toBe("h264");
    expect(meta.audioCodec).toBe("aac");
    expect([meta.width, meta.height]).toEqual([1920, 1080]);
    expect(meta.streams?.find((s) => s.type === "audio")?.channels).toBe(2);
    expect(meta.software).toBe("Android 6.0.1");
    expect(meta.containerCreationTimeUtc).toBe("2017-02-22T08:20:28.000Z");
    expect(meta.captureTime).toBeUndefined();
    expect(findContradictions(meta)).toEqual([]);
    expect(JSON.parse(JSON.stringify(meta))).toEqual(meta);
  });
});

describe("bad inputs are refused with clear errors", () => {
  let dir: string;
  const at = (name: string) => path.join(dir, name);

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "groundtruth-media-extraction-"));
    await writeFile(at("empty.mp4"), "");
    // An executable renamed to look like a video.
    await copyFile("/bin/ls", at("x.mp4"));
    await writeFile(at("notes.jpg"), "Not a picture, just text that claims to be one.\n".repeat(50));
    const mov = await readFile(fixture(IPAD_MOV));
    await writeFile(at("truncated.mov"), mov.subarray(0, 3000));
  });

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("zero-byte file", async () => {
    expect(await sniffFile(at("empty.mp4"))).toBeNull();
    const error = await domainError(assertAcceptedMedia(at("empty.mp4")));
    expect(error.code).toBe("VALIDATION");
    expect(error.message).toMatch(/empty/i);
    expect((await domainError(extractMetadata(at("empty.mp4"), "video/mp4"))).message).toMatch(/could not be read/);
  });

  it("an ELF executable named x.mp4", async () => {
    expect(await sniffFile(at("x.mp4"))).toEqual({ mime: "application/x-elf", ext: "elf" });
    const error = await domainError(assertAcceptedMedia(at("x.mp4")));
    expect(error.code).toBe("VALIDATION");
    expect(error.message).toContain("application/x-elf");
    // Even if a caller trusted the name, ffprobe refuses it.
    expect((await domainError(extractMetadata(at("x.mp4"), "video/mp4"))).message).toMatch(/could not be read/);
  });

  it("a text file", async () => {
    expect(await sniffFile(at("notes.jpg"))).toBeNull();
    const error = await domainError(assertAcceptedMedia(at("notes.jpg")));
    expect(error.code).toBe("VALIDATION");
    expect(error.message).toMatch(/not a recognised image or video/);
    expect((await domainError(extractMetadata(at("notes.jpg"), "image/jpeg"))).message).toMatch(/could not be read/);
  });

  it("a MOV cut after 3000 bytes still sniffs as QuickTime but cannot be read", async () => {
    expect(await sniffFile(at("truncated.mov"))).toEqual({ mime: "video/quicktime", ext: "mov" });
    const error = await domainError(extractMetadata(at("truncated.mov"), "video/quicktime"));
    expect(error.code).toBe("VALIDATION");
    expect(error.message).toMatch(/could not be read/);
    expect(error.message).toContain("moov atom not found");
    // Our temporary path is not leaked into a message the uploader sees.
    expect(error.message).not.toContain(dir);
  });

  it("ffprobe is killed when it hangs (a FIFO nobody writes to)", async () => {
    const fifo = at("hang.mp4");
    execFileSync("mkfifo", [fifo]);
    const started = Date.now();
    const error = await domainError(extractMetadata(fifo, "video/mp4", { ffprobeTimeoutMs: 500 }));
    expect(error.code).toBe("VALIDATION");
    expect(error.message).toMatch(/took longer than 0.5 s/);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it("an unaccepted type is refused before any parser runs", async () => {
    const error = await domainError(extractMetadata(at("notes.jpg"), "text/plain"));
    expect(error.code).toBe("VALIDATION");
  });

  describe("malformed EXIF degrades to partial metadata", () => {
    /** A valid 8x6 JPEG with `payload` inserted as an APP1 segment right after SOI. */
    async function jpegWithApp1(payload: Buffer): Promise<Buffer> {
      const jpeg = await sharp({ create: { width: 8, height: 6, channels: 3, background: "#808080" } }).jpeg().toBuffer();
      const length = Buffer.alloc(2);
      length.writeUInt16BE(payload.length + 2);
      return Buffer.concat([jpeg.subarray(0, 2), Buffer.from([0xff, 0xe1]), length, payload, jpeg.subarray(2)]);
    }

    it.each<[string, Buffer]>([
      ["IFD0 offset far past the end", Buffer.concat([Buffer.from("Exif\0\0II*\0", "latin1"), Buffer.from([0xff, 0xff, 0xff, 0x7f]), Buffer.alloc(200, 0xab)])],
      ["IFD entries with impossible types", Buffer.concat([Buffer.from("Exif\0\0MM\0*\0\0\0\x08", "latin1"), Buffer.from([0xff, 0xff]), Buffer.alloc(100, 0x11)])],
      ["no TIFF header at all", Buffer.concat([Buffer.from("Exif\0\0", "latin1"), Buffer.alloc(64, 0x5a)])],
      ["Exif marker and nothing else", Buffer.from("Exif\0\0", "latin1")],
    ])("%s", async (label, payload) => {
      const file = at(`bad-exif-${label.replace(/\W+/g, "-")}.jpg`);
      await writeFile(file, await jpegWithApp1(payload));
      expect(await sniffFile(file)).toEqual({ mime: "image/jpeg", ext: "jpg" });
      const meta = await extractMetadata(file, "image/jpeg");
      expect(meta.kind).toBe("image");
      expect([meta.width, meta.height]).toEqual([8, 6]);
      expect(meta.captureTime).toBeUndefined();
      expect(meta.gps).toBeUndefined();
      for (const warning of meta.extractionWarnings ?? []) expect(warning).toMatch(/metadata/);
      expect(JSON.parse(JSON.stringify(meta))).toEqual(meta);
    });
  });
});

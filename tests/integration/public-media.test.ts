// Public copies of published media, made from real third-party files (../shared/fixtures):
// what a camera or phone wrote into the original (GPS, device, serials, software, capture and
// creation times, ISO 6709 location) must be gone from the copy, redaction regions must really
// be destroyed in the pixels, and the "media.publish" job must write its rows idempotently and
// only while the item is still published.
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { promisify } from "node:util";
import ffmpegInstaller from "@ffmpeg-installer/ffmpeg";
import ffprobeInstaller from "@ffprobe-installer/ffprobe";
import exifr from "exifr";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DomainError } from "../../lib/domain/errors";
import type { Actor } from "../../lib/domain/permissions";
import { db } from "../../lib/server/db";
import { enqueuePublicMedia, publishMediaJob } from "../../lib/server/jobs/handlers/publish-media";
import type { ClaimedJob } from "../../lib/server/jobs/queue";
import { drainJobs } from "../../lib/server/jobs/worker";
import { MAX_PUBLIC_VIDEO_SECONDS, PUBLIC_IMAGE_MAX_SIDE, makePublicImage, makePublicVideo, type BlurRegion } from "../../lib/server/media/public-copies";
import { submitEvidence } from "../../lib/server/services/items/submit-evidence";
import { publishIncident, publishItem } from "../../lib/server/services/publishing/publish";
import { blobStore } from "../../lib/server/storage";
import { withLocalCopy } from "../../lib/server/storage/local-copy";
import { actorFor, makeProject, makeUser } from "../support/fixtures";

process.env.GROUNDTRUTH_MEDIA_DIR = mkdtempSync(path.join(os.tmpdir(), "groundtruth-public-media-"));

const run = promisify(execFile);
const fixtures = path.resolve(import.meta.dirname, "..", "..", "..", "shared", "fixtures");
const image = (name: string) => path.join(fixtures, "images", name);
const video = (name: string) => path.join(fixtures, "video", name);
const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

const PIXEL_JPEG = image("exifr_IMG_20180725_163423-tiny.jpg");
const CANON_JPEG = image("exifr_IMG_5910.jpg");
const DJI_JPEG = image("exifr_issue-exifr-3_DJI.jpg");
const EXIF_PNG = image("exifr_png_with_exif_and_gps.png");
const IPHONE_HEIC = image("exifr_heic-iphone7.heic");
const IPAD_MOV = video("fluent-ffmpeg_IMG_0034.MOV");
const ANDROID_MP4 = video("metadata-extractor_with-gps.mp4");

let tmp: string;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), "groundtruth-public-copies-"));
});

afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

async function expectValidationError(promise: Promise<unknown>): Promise<DomainError> {
  const error = await promise.then(
    () => {
      throw new Error("expected a DomainError, but the call succeeded");
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DomainError);
  expect((error as DomainError).code).toBe("VALIDATION");
  return error as DomainError;
}

/** The marker bytes of a JPEG's segments before its image data (0xE1 = APP1...). */
function jpegMarkers(buffer: Buffer): number[] {
  expect(buffer.readUInt16BE(0)).toBe(0xffd8);
  const markers: number[] = [];
  for (let pos = 2; pos + 4 <= buffer.length; ) {
    expect(buffer[pos]).toBe(0xff);
    const marker = buffer[pos + 1]!;
    markers.push(marker);
    if (marker === 0xda) break;
    pos += 2 + buffer.readUInt16BE(pos + 2);
  }
  return markers;
}

type Tags = Record<string, unknown>;

/** Everything exifr finds with all segments on, and with XMP, IPTC, ICC and maker notes asked for by name. */
async function exifrEverything(input: string | Buffer): Promise<Tags | undefined> {
  const all = (await exifr.parse(input, true)) as Tags | undefined;
  const named = (await exifr.parse(input, { tiff: true, exif: true, gps: true, interop: true, makerNote: true, userComment: true, xmp: true, iptc: true, icc: true })) as Tags | undefined;
  return all || named ? { ...named, ...all } : undefined;
}

const CAPTURE_TIME_TAGS = ["DateTimeOriginal", "CreateDate", "ModifyDate", "DateTime", "create-date"];

async function expectNoImageMetadata(buffer: Buffer, original: Tags) {
  const meta = await sharp(buffer).metadata();
  expect(meta.format).toBe("jpeg");
  expect(meta.exif).toBeUndefined();
  expect(meta.xmp).toBeUndefined();
  expect(meta.iptc).toBeUndefined();
  expect(meta.icc).toBeUndefined();
  // No APP1 (EXIF/XMP), APP2 (ICC), APP13 (IPTC) or COM segments; APP0 (JFIF) carries nothing.
  for (const marker of jpegMarkers(buffer)) expect([0xe1, 0xe2, 0xed, 0xfe]).not.toContain(marker);
  expect(await exifr.gps(buffer).catch(() => undefined)).toBeUndefined();
  const all = (await exifr.parse(buffer, true).catch(() => undefined)) as Tags | undefined;
  const segments = await exifrEverything(buffer).catch(() => undefined);
  for (const found of [all, segments]) {
    for (const tag of ["latitude", "longitude", "GPSLatitude", "Make", "Model", "SerialNumber", "BodySerialNumber", "LensSerialNumber", "Software", "CreatorTool", ...CAPTURE_TIME_TAGS]) {
      expect(found?.[tag], tag).toBeUndefined();
    }
  }
  expect(buffer.includes(Buffer.from("Exif\0\0", "latin1"))).toBe(false);
  expect(buffer.includes(Buffer.from("http://ns.adobe.com/", "latin1"))).toBe(false);
  expect(buffer.includes(Buffer.from("ICC_PROFILE", "latin1"))).toBe(false);
  // Device names and software strings of the original appear nowhere in the bytes.
  for (const tag of ["Make", "Model", "Software", "CreatorTool", "SerialNumber", "BodySerialNumber"]) {
    const value = original[tag];
    if (typeof value === "string" && value.trim().length >= 5) expect(buffer.includes(Buffer.from(value.trim(), "latin1")), `${tag} ${value}`).toBe(false);
  }
}

/** Greyscale pixels of an image (optionally of a fractional box of it). */
async function grey(buffer: Buffer, box?: BlurRegion): Promise<{ data: Buffer; width: number; height: number }> {
  let pipeline = sharp(buffer).greyscale();
  if (box) {
    const meta = await sharp(buffer).metadata();
    pipeline = pipeline.extract({
      left: Math.floor(box.x * meta.width),
      top: Math.floor(box.y * meta.height),
      width: Math.floor(box.w * meta.width),
      height: Math.floor(box.h * meta.height),
    });
  }
  const { data, info } = await pipeline.extractChannel(0).raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

/** Mean absolute difference between horizontal and vertical neighbours: high-frequency content. */
function neighbourDifference(image: { data: Buffer; width: number; height: number }): number {
  let sum = 0;
  let count = 0;
  for (let y = 0; y < image.height - 1; y++) {
    for (let x = 0; x < image.width - 1; x++) {
      const here = image.data[y * image.width + x]!;
      sum += Math.abs(here - image.data[y * image.width + x + 1]!) + Math.abs(here - image.data[(y + 1) * image.width + x]!);
      count += 2;
    }
  }
  return sum / count;
}

function meanAbsoluteDifference(a: Buffer, b: Buffer): number {
  expect(a.length).toBe(b.length);
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i]! - b[i]!);
  return sum / a.length;
}

interface Probe {
  streams: Array<{ codec_type: string; codec_name: string; width?: number; height?: number; tags?: Tags; side_data_list?: unknown[] }>;
  format: { tags?: Tags };
}

async function ffprobe(file: string): Promise<Probe> {
  const { stdout } = await run(ffprobeInstaller.path, ["-v", "error", "-print_format", "json", "-show_format", "-show_streams", file], { timeout: 30_000 });
  return JSON.parse(stdout) as Probe;
}

/** Creation time stored in the MP4/QuickTime movie header (seconds since 1904), 0 when blank. */
function mvhdCreationTime(bytes: Buffer): number {
  const at = bytes.indexOf(Buffer.from("mvhd", "latin1"));
  expect(at).toBeGreaterThan(0);
  const version = bytes[at + 4]!;
  return version === 1 ? Number(bytes.readBigUInt64BE(at + 8)) : bytes.readUInt32BE(at + 8);
}

// --- images ----------------------------------------------------------------------------------

describe("makePublicImage", () => {
  it.each([
    ["Pixel JPEG", PIXEL_JPEG],
    ["Canon JPEG (Lightroom-edited)", CANON_JPEG],
    ["DJI drone JPEG", DJI_JPEG],
    ["PNG with eXIf chunk", EXIF_PNG],
    ["iPhone HEIC", IPHONE_HEIC],
  ])("%s: the original has GPS, device and capture time; the public copy has none of them", async (_label, file) => {
    const original = (await exifrEverything(file))!;
    expect(original.Make ?? original.Model).toBeTruthy();
    expect(CAPTURE_TIME_TAGS.some((tag) => original[tag] !== undefined)).toBe(true);
    expect(typeof (await exifr.gps(file))?.latitude).toBe("number");

    const copy = await makePublicImage(file, { regions: [], blur: false });
    expect(copy.mime).toBe("image/jpeg");
    await expectNoImageMetadata(copy.buffer, original);
    const read = await sharp(copy.buffer).metadata();
    expect([read.width, read.height]).toEqual([copy.width, copy.height]);
    expect(Math.max(copy.width, copy.height)).toBeLessThanOrEqual(PUBLIC_IMAGE_MAX_SIDE);
    expect(Math.min(copy.width, copy.height)).toBeGreaterThanOrEqual(1);
    expect(read.channels).toBe(3);
    if (file === IPHONE_HEIC) {
      // Decoded from the HEVC tiles at 4032x3024's aspect, not the 320x240 embedded preview.
      expect([copy.width, copy.height]).toEqual([1024, 768]);
    } else {
      const upright = (await sharp(file).metadata()).autoOrient;
      expect(Math.max(copy.width, copy.height)).toBe(Math.min(PUBLIC_IMAGE_MAX_SIDE, Math.max(upright.width, upright.height)));
      expect(copy.width >= copy.height).toBe(upright.width >= upright.height);
    }
  });

  it("the blurred rendition carries no metadata either, and is greyscale", async () => {
    const original = (await exifrEverything(CANON_JPEG))!;
    const clear = await makePublicImage(CANON_JPEG, { regions: [], blur: false });
    const blurred = await makePublicImage(CANON_JPEG, { regions: [], blur: true });
    await expectNoImageMetadata(blurred.buffer, original);
    expect([blurred.width, blurred.height]).toEqual([clear.width, clear.height]);
    // Greyscale: red, green and blue agree everywhere (whether stored as one channel or three).
    const { data, info } = await sharp(blurred.buffer).toColourspace("srgb").raw().toBuffer({ resolveWithObject: true });
    expect(info.channels).toBe(3);
    let colour = 0;
    for (let i = 0; i < data.length; i += 3) colour = Math.max(colour, Math.abs(data[i]! - data[i + 1]!), Math.abs(data[i + 1]! - data[i + 2]!));
    expect(colour).toBeLessThanOrEqual(3);
    const clearPixels = await sharp(clear.buffer).raw().toBuffer();
    let clearColour = 0;
    for (let i = 0; i < clearPixels.length; i += 3) clearColour = Math.max(clearColour, Math.abs(clearPixels[i]! - clearPixels[i + 1]!));
    expect(clearColour).toBeGreaterThan(30);
  });

  it("a graphic item's blurred copy has far less fine detail than the clear one", async () => {
    for (const file of [CANON_JPEG, DJI_JPEG, PIXEL_JPEG]) {
      const clear = await makePublicImage(file, { regions: [], blur: false });
      const blurred = await makePublicImage(clear.buffer, { regions: [], blur: true });
      const sharpness = neighbourDifference(await grey(clear.buffer));
      const blurriness = neighbourDifference(await grey(blurred.buffer));
      expect(sharpness, path.basename(file)).toBeGreaterThan(1);
      expect(blurriness, path.basename(file)).toBeLessThan(sharpness / 6);
    }
  });

  it("a redaction region destroys the detail inside it and leaves a far-away region as it was", async () => {
    const region = { x: 0.1, y: 0.15, w: 0.3, h: 0.35 };
    const far = { x: 0.65, y: 0.6, w: 0.3, h: 0.35 };
    const plain = await makePublicImage(CANON_JPEG, { regions: [], blur: false });
    const redacted = await makePublicImage(CANON_JPEG, { regions: [region], blur: false });
    expect([redacted.width, redacted.height]).toEqual([plain.width, plain.height]);

    const before = neighbourDifference(await grey(plain.buffer, region));
    const after = neighbourDifference(await grey(redacted.buffer, region));
    expect(before).toBeGreaterThan(2);
    expect(after).toBeLessThan(before / 6);
    // The picture inside changed a lot, not just its noise.
    expect(meanAbsoluteDifference((await grey(plain.buffer, region)).data, (await grey(redacted.buffer, region)).data)).toBeGreaterThan(5);
    // Outside, only JPEG re-encoding noise.
    expect(meanAbsoluteDifference((await grey(plain.buffer, far)).data, (await grey(redacted.buffer, far)).data)).toBeLessThan(1.5);
  });

  it("regions are fractions of the upright picture: an EXIF-rotated original is redacted at the same place", async () => {
    const tagged = path.join(tmp, "orientation-6.jpg");
    const rotatedPixels = path.join(tmp, "rotated-pixels.jpg");
    // Stored landscape, tagged "rotate 90 CW to display"; and the same picture with its pixels turned.
    await sharp(DJI_JPEG).jpeg({ quality: 95 }).withMetadata({ orientation: 6 }).toFile(tagged);
    await sharp(DJI_JPEG).rotate(90).jpeg({ quality: 95 }).toFile(rotatedPixels);
    const region = { x: 0, y: 0, w: 0.5, h: 0.3 };
    const fromTagged = await makePublicImage(tagged, { regions: [region], blur: false });
    const fromRotated = await makePublicImage(rotatedPixels, { regions: [region], blur: false });
    expect(fromTagged.height).toBeGreaterThan(fromTagged.width);
    expect([fromTagged.width, fromTagged.height]).toEqual([fromRotated.width, fromRotated.height]);
    expect(meanAbsoluteDifference((await grey(fromTagged.buffer)).data, (await grey(fromRotated.buffer)).data)).toBeLessThan(3);
    const unredacted = await makePublicImage(tagged, { regions: [], blur: false });
    expect(neighbourDifference(await grey(fromTagged.buffer, region))).toBeLessThan(neighbourDifference(await grey(unredacted.buffer, region)) / 4);
  });

  it("refuses a truncated JPEG (half of the Canon file), garbage after a JPEG signature, and a text file", async () => {
    const bytes = await readFile(CANON_JPEG);
    await expectValidationError(makePublicImage(bytes.subarray(0, Math.floor(bytes.length / 2)), { regions: [], blur: false }));
    await expectValidationError(makePublicImage(Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(5000, 0x41)]), { regions: [], blur: false }));
    const text = path.join(tmp, "not-an-image.jpg");
    await writeFile(text, "not an image\n".repeat(100));
    await expectValidationError(makePublicImage(text, { regions: [], blur: false }));
  });
});

// --- videos ----------------------------------------------------------------------------------

const ALLOWED_FORMAT_TAGS = new Set(["major_brand", "minor_version", "compatible_brands"]);
const ALLOWED_STREAM_TAGS = new Set(["language", "handler_name", "vendor_id"]);

describe("makePublicVideo", () => {
  it.each([
    ["iPad MOV", IPAD_MOV, [568, 320], ["com.apple.quicktime.make", "com.apple.quicktime.model", "com.apple.quicktime.creationdate"]],
    ["Android MP4 with ISO 6709 location", ANDROID_MP4, [1280, 720], ["location"]],
  ] as const)("%s: re-encoded H.264/AAC without location, creation time or device tags", async (_label, file, size, revealing) => {
    const input = await ffprobe(file);
    for (const tag of revealing) expect(input.format.tags?.[tag], tag).toBeTruthy();
    expect(input.format.tags?.creation_time).toBeTruthy();
    expect(mvhdCreationTime(await readFile(file))).toBeGreaterThan(0);

    const workDir = await mkdtemp(path.join(tmp, "video-"));
    const result = await makePublicVideo(file, { regions: [], workDir, blurredPoster: true });
    expect(result.mime).toBe("video/mp4");
    expect([result.width, result.height]).toEqual(size);

    const output = await ffprobe(result.filePath);
    expect(output.streams.map((s) => `${s.codec_type}:${s.codec_name}`)).toEqual(["video:h264", "audio:aac"]);
    expect([output.streams[0]!.width, output.streams[0]!.height]).toEqual(size);
    // Only neutral container and stream tags: no location, creation_time, make, model, encoder, com.apple.*.
    for (const key of Object.keys(output.format.tags ?? {})) expect(ALLOWED_FORMAT_TAGS.has(key), `format tag ${key}`).toBe(true);
    for (const stream of output.streams) {
      for (const key of Object.keys(stream.tags ?? {})) {
        // ffmpeg 5 (Debian's, preferred since issue 14) always names the codec in the MP4 sample
        // entry; with bitexact it is the generic "Lavc libx264", no version and nothing of the source.
        if (key === "encoder") expect(stream.tags?.encoder, "stream tag encoder").toMatch(/^(Lavc )?libx264$/);
        else expect(ALLOWED_STREAM_TAGS.has(key), `stream tag ${key}`).toBe(true);
      }
      expect(["VideoHandler", "SoundHandler", undefined]).toContain(stream.tags?.handler_name);
    }
    const bytes = await readFile(result.filePath);
    // bitexact leaves the movie header's creation time at zero rather than "now".
    expect(mvhdCreationTime(bytes)).toBe(0);
    for (const needle of ["+51.4169", "com.apple", "Core Media", "iPad 2", "Apple", "Android", "2012-07-08", "Lavf5"]) {
      expect(bytes.includes(Buffer.from(needle, "latin1")), needle).toBe(false);
    }

    expect([result.poster.width, result.poster.height]).toEqual(size);
    await expectNoImageMetadata(result.poster.buffer, {});
    expect(result.blurredPoster).not.toBeNull();
    await expectNoImageMetadata(result.blurredPoster!.buffer, {});
    expect(neighbourDifference(await grey(result.blurredPoster!.buffer))).toBeLessThan(neighbourDifference(await grey(result.poster.buffer)) / 4);
  });

  it("blurs a redaction region in the frames and leaves the rest", async () => {
    const region = { x: 0.25, y: 0.2, w: 0.4, h: 0.5 };
    const far = { x: 0.75, y: 0.05, w: 0.2, h: 0.15 };
    const plain = await makePublicVideo(IPAD_MOV, { regions: [], workDir: await mkdtemp(path.join(tmp, "plain-")) });
    const redacted = await makePublicVideo(IPAD_MOV, { regions: [region], workDir: await mkdtemp(path.join(tmp, "redacted-")) });
    expect(plain.blurredPoster).toBeNull();
    const before = neighbourDifference(await grey(plain.poster.buffer, region));
    const after = neighbourDifference(await grey(redacted.poster.buffer, region));
    expect(before).toBeGreaterThan(1);
    expect(after).toBeLessThan(before / 3);
    expect(meanAbsoluteDifference((await grey(plain.poster.buffer, far)).data, (await grey(redacted.poster.buffer, far)).data)).toBeLessThan(2);
  });

  it(`refuses a video longer than ${MAX_PUBLIC_VIDEO_SECONDS / 60} minutes before encoding it`, async () => {
    const long = path.join(tmp, "long.mp4");
    await run(
      ffmpegInstaller.path,
      ["-v", "error", "-y", "-f", "lavfi", "-i", `color=size=16x16:rate=1:duration=${MAX_PUBLIC_VIDEO_SECONDS + 5}`, "-c:v", "libx264", "-preset", "ultrafast", long],
      { timeout: 60_000 },
    );
    const start = performance.now();
    const error = await expectValidationError(makePublicVideo(long, { regions: [], workDir: await mkdtemp(path.join(tmp, "long-")) }));
    expect(error.message).toMatch(/too long/);
    expect(performance.now() - start).toBeLessThan(10_000);
  });

  it("refuses a truncated video and a still image", async () => {
    const truncated = path.join(tmp, "truncated.mov");
    await writeFile(truncated, (await readFile(IPAD_MOV)).subarray(0, 3000));
    await expectValidationError(makePublicVideo(truncated, { regions: [], workDir: await mkdtemp(path.join(tmp, "trunc-")) }));
    await expectValidationError(makePublicVideo(PIXEL_JPEG, { regions: [], workDir: await mkdtemp(path.join(tmp, "still-")) }));
  });
});

// --- the media.publish job against the database --------------------------------------------

describe("media.publish job", () => {
  let editor: Actor;
  let projectId: string;

  beforeAll(async () => {
    projectId = (await makeProject()).id;
    editor = await actorFor((await makeUser({ projectId, role: "EDITOR" })).id);
  });

  async function itemWith(files: Array<{ bytes: Buffer; mime: string; name: string }>, graphic: boolean) {
    const item = await submitEvidence(editor, { projectId, title: "Market gate", sourceUrls: [`https://example.org/post/${Math.random().toString(36).slice(2)}`] });
    // Only the job under test may run: the source URL's capture job would try the network.
    await db().job.deleteMany({ where: { itemId: item.id } });
    const store = await blobStore();
    const media = [];
    for (const file of files) {
      const stored = await store.put(Readable.from([file.bytes]));
      media.push(
        await db().mediaFile.create({
          data: { itemId: item.id, sha256: stored.sha256, sizeBytes: BigInt(stored.sizeBytes), sniffedMime: file.mime, originalFilename: file.name, captureMethod: "UPLOAD", collectedById: editor.userId },
        }),
      );
    }
    await db().evidenceItem.update({ where: { id: item.id }, data: { sensitiveGraphic: graphic } });
    return { itemId: item.id, media };
  }

  /** As publishing does: a public snapshot, and every photo and video of the item chosen for copies. */
  async function markPublished(itemId: string) {
    const files = await db().mediaFile.findMany({ where: { itemId }, select: { id: true } });
    await db().evidenceItem.update({ where: { id: itemId }, data: { publicMediaFileIds: files.map((f) => f.id) } });
    const now = new Date();
    await db().publishedItem.create({ data: { projectId, itemId, publicId: `P-${itemId.slice(-6)}`, data: {}, incidentIds: [], publishedById: editor.userId, publishedAt: now, updatedAt: now } });
  }

  async function runJobFor(itemId: string) {
    await db().$transaction((tx) => enqueuePublicMedia(tx, { itemId, projectId }));
    expect(await drainJobs()).toBe(1);
    return db().job.findFirstOrThrow({ where: { itemId, queue: "media.publish" }, orderBy: { createdAt: "desc" } });
  }

  async function storedBytes(hash: string): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const chunk of await (await blobStore()).open(hash)) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }

  const fakeJob = (itemId: string): ClaimedJob => ({ id: "test-job", queue: "media.publish", payload: { itemId }, projectId, itemId, attempts: 1, maxAttempts: 3, workerId: "test-worker" });

  it("makes clear and blurred copies of a graphic item's photo and video, content-addressed, once", async () => {
    const photo = await readFile(CANON_JPEG);
    const movie = await readFile(IPAD_MOV);
    const html = Buffer.from("<!doctype html><title>captured page</title>");
    const { itemId, media } = await itemWith(
      [
        { bytes: photo, mime: "image/jpeg", name: "IMG_5910.JPG" },
        { bytes: movie, mime: "video/quicktime", name: "IMG_0034.MOV" },
        { bytes: html, mime: "text/html", name: "page.html" },
      ],
      true,
    );
    const [photoFile, movieFile] = media;
    await db().evidenceItem.update({ where: { id: itemId }, data: { redactions: [{ mediaFileId: photoFile!.id, x: 0.1, y: 0.1, w: 0.2, h: 0.3 }] } });
    await markPublished(itemId);

    const job = await runJobFor(itemId);
    expect(job.state).toBe("DONE");
    const rows = await db().publicMedia.findMany({ where: { itemId }, orderBy: [{ mediaFileId: "asc" }, { kind: "asc" }, { blurred: "asc" }] });
    const summary = rows.map((r) => `${r.mediaFileId === photoFile!.id ? "photo" : "movie"}:${r.kind}:${r.blurred ? "blurred" : "clear"}`).sort();
    expect(summary).toEqual(["movie:POSTER:blurred", "movie:POSTER:clear", "movie:VIDEO:clear", "photo:IMAGE:blurred", "photo:IMAGE:clear"]);
    for (const row of rows) {
      const bytes = await storedBytes(row.sha256);
      expect(sha256(bytes)).toBe(row.sha256);
      expect(Number(row.sizeBytes)).toBe(bytes.length);
      expect(row.projectId).toBe(projectId);
      expect(row.originalSha256).toBe(row.mediaFileId === photoFile!.id ? sha256(photo) : sha256(movie));
      expect(row.sha256).not.toBe(row.originalSha256);
      if (row.kind === "VIDEO") {
        expect(row.mime).toBe("video/mp4");
        const probed = await withLocalCopy(await blobStore(), row.sha256, (file) => ffprobe(file));
        expect(probed.format.tags?.creation_time).toBeUndefined();
        expect([row.width, row.height]).toEqual([568, 320]);
      } else {
        expect(row.mime).toBe("image/jpeg");
        const meta = await sharp(bytes).metadata();
        expect([meta.width, meta.height]).toEqual([row.width, row.height]);
        expect(meta.exif).toBeUndefined();
      }
    }
    // The photo's redaction reached the stored clear copy.
    const clearPhoto = rows.find((r) => r.mediaFileId === photoFile!.id && !r.blurred)!;
    const plain = await makePublicImage(CANON_JPEG, { regions: [], blur: false });
    const region = { x: 0.1, y: 0.1, w: 0.2, h: 0.3 };
    expect(neighbourDifference(await grey(await storedBytes(clearPhoto.sha256), region))).toBeLessThan(neighbourDifference(await grey(plain.buffer, region)) / 4);
    expect(movieFile).toBeDefined();

    // A rerun (a retried or repeated job) leaves exactly the same rows and adds no audit event.
    const auditBefore = await db().auditEvent.count({ where: { action: "media.public_copies", entityId: itemId } });
    expect(auditBefore).toBe(1);
    expect((await runJobFor(itemId)).state).toBe("DONE");
    const again = await db().publicMedia.findMany({ where: { itemId }, orderBy: [{ mediaFileId: "asc" }, { kind: "asc" }, { blurred: "asc" }] });
    expect(again).toEqual(rows);
    expect(await db().auditEvent.count({ where: { action: "media.public_copies", entityId: itemId } })).toBe(1);

    // New redactions replace the photo's copies; the video's stay the same; nothing is duplicated.
    await db().evidenceItem.update({ where: { id: itemId }, data: { redactions: [{ mediaFileId: photoFile!.id, x: 0.5, y: 0.5, w: 0.4, h: 0.4 }] } });
    await runJobFor(itemId);
    const replaced = await db().publicMedia.findMany({ where: { itemId } });
    expect(replaced).toHaveLength(5);
    const sha = (list: typeof rows, file: string, kind: string, blurred: boolean) => list.find((r) => r.mediaFileId === file && r.kind === kind && r.blurred === blurred)?.sha256;
    expect(sha(replaced, photoFile!.id, "IMAGE", false)).not.toBe(sha(rows, photoFile!.id, "IMAGE", false));
    expect(sha(replaced, movieFile!.id, "VIDEO", false)).toBe(sha(rows, movieFile!.id, "VIDEO", false));
    expect(await db().auditEvent.count({ where: { action: "media.public_copies", entityId: itemId } })).toBe(2);
  });

  it("writes nothing for an item that is not (or no longer) published", async () => {
    const { itemId } = await itemWith([{ bytes: await readFile(PIXEL_JPEG), mime: "image/jpeg", name: "pixel.jpg" }], false);
    expect(await publishMediaJob(fakeJob(itemId))).toMatchObject({ skipped: true });
    expect(await db().publicMedia.count({ where: { itemId } })).toBe(0);

    await markPublished(itemId);
    expect(await publishMediaJob(fakeJob(itemId))).toEqual({ publicMedia: 1 });
    expect(await db().publicMedia.count({ where: { itemId } })).toBe(1);

    // Unpublished meanwhile (as the unpublish service does: rows and snapshot go together).
    await db().$transaction([db().publicMedia.deleteMany({ where: { itemId } }), db().publishedItem.deleteMany({ where: { itemId } })]);
    const job = await runJobFor(itemId);
    expect(job.state).toBe("DONE");
    expect(job.result).toMatchObject({ skipped: true });
    expect(await db().publicMedia.count({ where: { itemId } })).toBe(0);
  });

  it("corrupt media fails with a VALIDATION error and leaves no public copies, not even earlier ones", async () => {
    const good = await readFile(PIXEL_JPEG);
    const { itemId } = await itemWith([{ bytes: good, mime: "image/jpeg", name: "pixel.jpg" }], true);
    await markPublished(itemId);
    expect(await publishMediaJob(fakeJob(itemId))).toEqual({ publicMedia: 2 });

    // A second, truncated photo joins the item: its copies cannot be made, so none are public.
    const truncated = (await readFile(CANON_JPEG)).subarray(0, 200_000);
    const stored = await (await blobStore()).put(Readable.from([truncated]));
    const cut = await db().mediaFile.create({
      data: { itemId, sha256: stored.sha256, sizeBytes: BigInt(stored.sizeBytes), sniffedMime: "image/jpeg", originalFilename: "cut.jpg", captureMethod: "UPLOAD", collectedById: editor.userId },
    });
    // The editor republishes with it chosen.
    await db().evidenceItem.update({ where: { id: itemId }, data: { publicMediaFileIds: { push: cut.id } } });
    const error = await expectValidationError(publishMediaJob(fakeJob(itemId)));
    expect(error.message).toMatch(/corrupt or truncated/);
    expect(await db().publicMedia.count({ where: { itemId } })).toBe(0);

    // Through the worker the job fails for good (a corrupt file will not improve) with the reason kept.
    const job = await runJobFor(itemId);
    expect(job.state).toBe("FAILED");
    expect(job.lastError).toMatch(/corrupt or truncated/);
    expect(await db().publicMedia.count({ where: { itemId } })).toBe(0);
  });

  it("refuses malformed stored redactions rather than publishing without them", async () => {
    const { itemId, media } = await itemWith([{ bytes: await readFile(PIXEL_JPEG), mime: "image/jpeg", name: "pixel.jpg" }], false);
    await db().evidenceItem.update({ where: { id: itemId }, data: { redactions: [{ mediaFileId: media[0]!.id, x: 0.9, y: 0, w: 0.5, h: 0.5 }] } });
    await markPublished(itemId);
    await expectValidationError(publishMediaJob(fakeJob(itemId)));
    expect(await db().publicMedia.count({ where: { itemId } })).toBe(0);
  });
});

// Issue 13: publishing an incident must never undo an item's redaction, change its public text
// or publish files the editor left out (page captures above all).
describe("an incident publish keeps each item's own publication decisions", () => {
  let editor: Actor;
  let projectId: string;

  beforeAll(async () => {
    projectId = (await makeProject()).id;
    editor = await actorFor((await makeUser({ projectId, role: "EDITOR" })).id);
  });

  async function verifiedItemWith(files: Array<{ path?: string; bytes?: Buffer; mime: string; name: string; pageCapture?: boolean }>) {
    const item = await submitEvidence(editor, { projectId, title: "Internal working title", sourceUrls: [`https://example.org/post/${Math.random().toString(36).slice(2)}`] });
    await db().job.deleteMany({ where: { itemId: item.id } });
    const store = await blobStore();
    const media = [];
    for (const file of files) {
      const bytes = file.bytes ?? (await readFile(file.path!));
      const stored = await store.put(Readable.from([bytes]));
      media.push(
        await db().mediaFile.create({
          data: {
            itemId: item.id, sha256: stored.sha256, sizeBytes: BigInt(stored.sizeBytes), sniffedMime: file.mime, originalFilename: file.name,
            captureMethod: file.pageCapture ? "URL_CAPTURE" : "UPLOAD", isPageCapture: file.pageCapture ?? false, collectedById: editor.userId,
          },
        }),
      );
    }
    await db().evidenceItem.update({ where: { id: item.id }, data: { status: "VERIFIED" } });
    await db().geolocation.create({ data: { itemId: item.id, authorId: editor.userId, latitude: 34.52, longitude: 69.18, precisionM: 100, status: "CONFIRMED" } });
    return { itemId: item.id, media };
  }

  const version = async (itemId: string) => (await db().evidenceItem.findUniqueOrThrow({ where: { id: itemId }, select: { version: true } })).version;

  async function storedBytes(hash: string): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const chunk of await (await blobStore()).open(hash)) chunks.push(chunk as Buffer);
    return Buffer.from(Buffer.concat(chunks));
  }

  async function clearCopyOf(mediaFileId: string): Promise<Buffer> {
    const row = await db().publicMedia.findFirstOrThrow({ where: { mediaFileId, kind: "IMAGE", blurred: false } });
    return storedBytes(row.sha256);
  }

  it("publishing the item's incident leaves its blur, title, description and public copy as the editor published them", async () => {
    const { itemId, media } = await verifiedItemWith([{ path: CANON_JPEG, mime: "image/jpeg", name: "IMG_5910.JPG" }]);
    const photo = media[0]!;
    const region = { x: 0.1, y: 0.15, w: 0.3, h: 0.35 };
    await publishItem(editor, { itemId, expectedVersion: await version(itemId), title: "Smoke over the market", description: "Public description", redactions: [{ mediaFileId: photo.id, ...region }] });
    await drainJobs();
    const plain = await makePublicImage(CANON_JPEG, { regions: [], blur: false });
    const sharpInside = neighbourDifference(await grey(plain.buffer, region));
    expect(neighbourDifference(await grey(await clearCopyOf(photo.id), region))).toBeLessThan(sharpInside / 4);
    const snapshotBefore = (await db().publishedItem.findUniqueOrThrow({ where: { itemId } })).data as Record<string, unknown>;

    const incident = await db().incident.create({
      data: { projectId, reference: "INC-KEEP-1", title: "Blast", incidentType: "IED", startAt: new Date("2024-05-02T08:10:00Z"), latitude: 34.52, longitude: 69.18, precisionM: 1000, province: "Kabul", createdById: editor.userId },
    });
    await db().incidentEvidence.create({ data: { incidentId: incident.id, itemId, createdById: editor.userId } });
    // What the old panel sent (a title per item) is no longer a decision an incident publish can make.
    await publishIncident(editor, { incidentId: incident.id, expectedVersion: 0, items: [{ itemId, title: "Overwritten title" }] });
    await drainJobs();

    const item = await db().evidenceItem.findUniqueOrThrow({ where: { id: itemId }, select: { redactions: true, status: true } });
    expect(item.redactions).toEqual([{ mediaFileId: photo.id, ...region }]);
    expect(item.status).toBe("PUBLISHED");
    const published = await db().publishedItem.findUniqueOrThrow({ where: { itemId } });
    const snapshot = published.data as Record<string, unknown>;
    expect(snapshot.title).toBe("Smoke over the market");
    expect(snapshot.description).toBe("Public description");
    expect(snapshot.originalSha256).toEqual(snapshotBefore.originalSha256);
    expect(published.incidentIds).toEqual(["INC-KEEP-1"]);
    // The public copy still destroys the detail in the marked region: its pixels differ from the original's.
    const copy = await clearCopyOf(photo.id);
    expect(neighbourDifference(await grey(copy, region))).toBeLessThan(sharpInside / 4);
    expect(meanAbsoluteDifference((await grey(plain.buffer, region)).data, (await grey(copy, region)).data)).toBeGreaterThan(5);
    // The changelog names only the new link, never a republished item.
    const audit = await db().auditEvent.findMany({ where: { entityId: itemId }, select: { action: true } });
    expect(audit.map((a) => a.action).filter((a) => a.startsWith("item."))).toEqual(["item.submit", "item.publish", "item.public_incidents"]);
  });

  it("refuses an incident publish with evidence that was never published on its own, writing nothing", async () => {
    const { itemId } = await verifiedItemWith([{ path: PIXEL_JPEG, mime: "image/jpeg", name: "pixel.jpg" }]);
    const incident = await db().incident.create({ data: { projectId, reference: "INC-KEEP-2", title: "Second", incidentType: "IED", createdById: editor.userId } });
    await db().incidentEvidence.create({ data: { incidentId: incident.id, itemId, createdById: editor.userId } });
    const error = await expectValidationError(publishIncident(editor, { incidentId: incident.id, expectedVersion: 0, items: [{ itemId, title: "A title" }] }));
    expect(error.message).toMatch(/Publish it from its own page first/);
    expect(await db().publishedIncident.count({ where: { incidentId: incident.id } })).toBe(0);
    expect(await db().publishedItem.count({ where: { itemId } })).toBe(0);
    expect((await db().evidenceItem.findUniqueOrThrow({ where: { id: itemId } })).status).toBe("VERIFIED");
    expect(await db().job.count({ where: { itemId, queue: "media.publish" } })).toBe(0);
  });

  it("page captures stay internal unless chosen; HTML and other items' files can never be chosen", async () => {
    const screenshot = await sharp({ create: { width: 80, height: 60, channels: 3, background: { r: 10, g: 120, b: 200 } } }).png().toBuffer();
    const { itemId, media } = await verifiedItemWith([
      { path: PIXEL_JPEG, mime: "image/jpeg", name: "pixel.jpg" },
      { bytes: screenshot, mime: "image/png", name: "page-screenshot.png", pageCapture: true },
      { bytes: Buffer.from("<!doctype html><title>post by @filmer</title>"), mime: "text/html", name: "page.html", pageCapture: true },
    ]);
    const [photo, shot, html] = media;
    const other = await verifiedItemWith([{ path: PIXEL_JPEG, mime: "image/jpeg", name: "other.jpg" }]);

    await publishItem(editor, { itemId, expectedVersion: await version(itemId), title: "Default choice" });
    await drainJobs();
    expect(((await db().publishedItem.findUniqueOrThrow({ where: { itemId } })).data as { originalSha256: string[] }).originalSha256).toEqual([photo!.sha256]);
    expect((await db().publicMedia.findMany({ where: { itemId } })).map((r) => r.mediaFileId)).toEqual([photo!.id]);
    expect((await db().evidenceItem.findUniqueOrThrow({ where: { id: itemId } })).publicMediaFileIds).toEqual([photo!.id]);

    for (const chosen of [[html!.id], [other.media[0]!.id]]) {
      const before = await db().publishedItem.findUniqueOrThrow({ where: { itemId } });
      await expectValidationError(publishItem(editor, { itemId, expectedVersion: await version(itemId), title: "Bad choice", mediaFileIds: chosen }));
      expect(await db().publishedItem.findUniqueOrThrow({ where: { itemId } })).toEqual(before);
    }

    // An editor may decide the screenshot is safe to publish; then, and only then, it is.
    await publishItem(editor, { itemId, expectedVersion: await version(itemId), title: "With the screenshot", mediaFileIds: [photo!.id, shot!.id] });
    await drainJobs();
    expect((await db().publicMedia.findMany({ where: { itemId } })).map((r) => r.mediaFileId).sort()).toEqual([photo!.id, shot!.id].sort());
    // Leaving everything out publishes the text alone and withdraws the copies.
    await publishItem(editor, { itemId, expectedVersion: await version(itemId), title: "Text only", mediaFileIds: [] });
    await drainJobs();
    expect(await db().publicMedia.count({ where: { itemId } })).toBe(0);
    expect(((await db().publishedItem.findUniqueOrThrow({ where: { itemId } })).data as { originalSha256: string[] }).originalSha256).toEqual([]);
  });
});

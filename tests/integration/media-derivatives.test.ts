// Thumbnails, keyframes and perceptual hashes made from real third-party files
// (../shared/fixtures, see its README), plus hostile inputs: truncated files, a decompression
// bomb, text pretending to be media.
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { deflateSync } from "node:zlib";
import ffmpegInstaller from "@ffmpeg-installer/ffmpeg";
import exifr from "exifr";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DomainError } from "../../lib/domain/errors";
import { DEFAULT_NEAR_DUPLICATE_THRESHOLD, hammingDistance } from "../../lib/domain/perceptual-hash";
import { THUMBNAIL_MAX_SIDE, extractKeyframes, makeImageThumbnail, perceptualHash } from "../../lib/server/media/derivatives";

const projectRoot = path.resolve(import.meta.dirname, "..", "..");
const fixtures = path.resolve(projectRoot, "..", "shared", "fixtures");
const image = (name: string) => path.join(fixtures, "images", name);
const video = (name: string) => path.join(fixtures, "video", name);

const PIXEL_JPEG = image("exifr_IMG_20180725_163423-tiny.jpg");
const CANON_JPEG = image("exifr_IMG_5910.jpg");
const DJI_JPEG = image("exifr_issue-exifr-3_DJI.jpg");
const EXIF_PNG = image("exifr_png_with_exif_and_gps.png");
const IPHONE_HEIC = image("exifr_heic-iphone7.heic");
const IPAD_MOV = video("fluent-ffmpeg_IMG_0034.MOV");
const ANDROID_MP4 = video("metadata-extractor_with-gps.mp4");
/** From the fixtures README (and ffprobe): 2.675 s, 568x320; 0.171 s, 1920x1080. */
const IPAD_MOV_DURATION_MS = 2675;

let tmp: string;
const timings: Record<string, number> = {};

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), "groundtruth-derivatives-"));
});

afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
  console.info("media-derivatives timings (ms):", timings);
});

async function timed<T>(label: string, fn: () => Promise<T>): Promise<T> {
  const start = performance.now();
  try {
    return await fn();
  } finally {
    timings[label] = Math.round(performance.now() - start);
  }
}

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

/** The RIFF chunk types of a WebP file. */
function webpChunks(buffer: Buffer): string[] {
  expect(buffer.toString("latin1", 0, 4)).toBe("RIFF");
  expect(buffer.toString("latin1", 8, 12)).toBe("WEBP");
  const chunks: string[] = [];
  for (let pos = 12; pos + 8 <= buffer.length; ) {
    chunks.push(buffer.toString("latin1", pos, pos + 4));
    const size = buffer.readUInt32LE(pos + 4);
    pos += 8 + size + (size % 2);
  }
  return chunks;
}

/** The marker bytes of a JPEG's segments before its image data (0xE0 = APP0, 0xE1 = APP1...). */
function jpegMarkers(buffer: Buffer): number[] {
  expect(buffer.readUInt16BE(0)).toBe(0xffd8);
  const markers: number[] = [];
  for (let pos = 2; pos + 4 <= buffer.length; ) {
    expect(buffer[pos]).toBe(0xff);
    const marker = buffer[pos + 1]!;
    markers.push(marker);
    if (marker === 0xda) break; // start of scan: entropy-coded data follows
    pos += 2 + buffer.readUInt16BE(pos + 2);
  }
  return markers;
}

/** A thumbnail or keyframe must carry no EXIF, GPS, XMP, IPTC or ICC data. */
async function expectNoMetadata(buffer: Buffer) {
  const metadata = await sharp(buffer).metadata();
  expect(metadata.exif).toBeUndefined();
  expect(metadata.xmp).toBeUndefined();
  expect(metadata.iptc).toBeUndefined();
  expect(metadata.icc).toBeUndefined();
  if (metadata.format === "webp") {
    // Only image data: no EXIF, XMP or ICCP chunks.
    for (const chunk of webpChunks(buffer)) expect(["VP8 ", "VP8L", "VP8X", "ALPH"]).toContain(chunk);
  } else {
    expect(metadata.format).toBe("jpeg");
    // No APP1 (EXIF/XMP), APP2 (ICC), APP13 (IPTC) or COM segments; APP0 (JFIF) is harmless.
    for (const marker of jpegMarkers(buffer)) expect([0xe1, 0xe2, 0xed, 0xfe]).not.toContain(marker);
    expect(await exifr.gps(buffer).catch(() => undefined)).toBeUndefined();
    const parsed = (await exifr.parse(buffer, true).catch(() => undefined)) as Record<string, unknown> | undefined;
    expect(parsed?.Make).toBeUndefined();
    expect(parsed?.Model).toBeUndefined();
  }
  // Belt and braces: no EXIF header anywhere in the bytes.
  expect(buffer.includes(Buffer.from("Exif\0\0", "latin1"))).toBe(false);
}

// --- hand-made hostile files ------------------------------------------------------------------

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(data: Buffer): number {
  let c = 0xffffffff;
  for (const byte of data) c = (CRC_TABLE[(c ^ byte) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, "latin1"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** A valid-looking 120-byte PNG whose header declares width x height RGB pixels. */
function pngDeclaring(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit, truecolour, deflate, no filter, no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk("IHDR", ihdr),
    pngChunk("IDAT", deflateSync(Buffer.alloc(1024))), // zeros: would inflate to gigabytes of rows
    pngChunk("IEND", Buffer.alloc(0)),
  ]);
}

/** A 2x2 24-bit BMP: a real image type sharp has no decoder for. */
function tinyBmp(): Buffer {
  const rowBytes = 8; // 2 pixels * 3 bytes, padded to 4
  const pixels = Buffer.alloc(rowBytes * 2, 0x80);
  const header = Buffer.alloc(54);
  header.write("BM", 0, "latin1");
  header.writeUInt32LE(54 + pixels.length, 2);
  header.writeUInt32LE(54, 10);
  header.writeUInt32LE(40, 14);
  header.writeInt32LE(2, 18);
  header.writeInt32LE(2, 22);
  header.writeUInt16LE(1, 26);
  header.writeUInt16LE(24, 28);
  header.writeUInt32LE(pixels.length, 34);
  return Buffer.concat([header, pixels]);
}

// --- thumbnails -------------------------------------------------------------------------------

describe("makeImageThumbnail", () => {
  it.each([
    ["Pixel JPEG", PIXEL_JPEG],
    ["Canon JPEG", CANON_JPEG],
    ["DJI JPEG", DJI_JPEG],
    ["PNG with eXIf chunk", EXIF_PNG],
    ["iPhone HEIC", IPHONE_HEIC],
  ])("%s: at most 640 px, upright size, no EXIF/GPS/make/model", async (label, file) => {
    // The originals do carry camera and location data, so its absence below means something.
    const original = (await exifr.parse(file, { tiff: true })) as Record<string, unknown> | undefined;
    expect(original?.Make ?? original?.Model).toBeTruthy();
    expect(typeof (await exifr.gps(file))?.latitude).toBe("number");

    const thumbnail = await timed(`thumbnail ${label}`, () => makeImageThumbnail(file));
    expect(thumbnail).not.toBeNull();
    const { buffer, mime, width, height } = thumbnail!;
    expect(mime).toBe("image/webp");
    const read = await sharp(buffer).metadata();
    expect(read.format).toBe("webp");
    expect([read.width, read.height]).toEqual([width, height]);
    expect(Math.max(width, height)).toBeLessThanOrEqual(THUMBNAIL_MAX_SIDE);
    await expectNoMetadata(buffer);

    if (file !== IPHONE_HEIC) {
      // Same aspect ratio as the upright original, shrunk to 640 but never enlarged.
      const meta = await sharp(file).metadata();
      const upright = meta.autoOrient;
      const expectedLong = Math.min(THUMBNAIL_MAX_SIDE, Math.max(upright.width, upright.height));
      expect(Math.max(width, height)).toBe(expectedLong);
      expect(width >= height).toBe(upright.width >= upright.height);
    }
  });

  it("decodes the HEVC-coded iPhone HEIC (which sharp's libvips cannot) at full 4032x3024 aspect", async () => {
    // Proof that sharp alone fails on this file, i.e. that the fallback is what works.
    await expect(sharp(IPHONE_HEIC).toBuffer()).rejects.toThrow();
    const thumbnail = await makeImageThumbnail(IPHONE_HEIC);
    expect([thumbnail?.width, thumbnail?.height]).toEqual([640, 480]);
    // The grid-decoded thumbnail and the HEIC's hash (taken from its embedded preview item)
    // show the same picture.
    const distance = hammingDistance(await perceptualHash(thumbnail!.buffer), await perceptualHash(IPHONE_HEIC));
    expect(distance).toBeLessThanOrEqual(DEFAULT_NEAR_DUPLICATE_THRESHOLD);
  });

  it("falls back to the HEIC's embedded preview when the main image data is cut off", async () => {
    const truncated = path.join(tmp, "truncated.heic");
    await writeFile(truncated, (await readFile(IPHONE_HEIC)).subarray(0, 100_000));
    const thumbnail = await makeImageThumbnail(truncated);
    // The 320x240 thumbnail item lies in the first 16 kB; the 48 grid tiles run to 1.7 MB.
    expect([thumbnail?.width, thumbnail?.height]).toEqual([320, 240]);
    await expectNoMetadata(thumbnail!.buffer);
  });

  it("applies the EXIF orientation", async () => {
    const rotated = path.join(tmp, "orientation-6.jpg");
    // Pixels stored landscape, tagged "rotate 90 CW to display": the thumbnail must be portrait.
    await sharp(PIXEL_JPEG).jpeg().withMetadata({ orientation: 6 }).toFile(rotated);
    const stored = await sharp(rotated).metadata();
    expect(stored.width).toBeGreaterThan(stored.height);
    const thumbnail = await makeImageThumbnail(rotated);
    expect(thumbnail!.height).toBe(640);
    expect(thumbnail!.width).toBeLessThan(thumbnail!.height);
    await expectNoMetadata(thumbnail!.buffer);
  });

  it("accepts a buffer as well as a path", async () => {
    const fromBuffer = await makeImageThumbnail(await readFile(DJI_JPEG));
    expect([fromBuffer?.width, fromBuffer?.height]).toEqual([640, 512]);
  });

  it("refuses a decompression bomb from its header, quickly and without allocating the pixels", async () => {
    const bomb = path.join(tmp, "bomb.png");
    await writeFile(bomb, pngDeclaring(100_000, 100_000)); // 10 gigapixels, 30 GB as RGB
    expect((await stat(bomb)).size).toBeLessThan(200);
    const rssBefore = process.memoryUsage().rss;
    const start = performance.now();
    const error = await expectValidationError(makeImageThumbnail(bomb));
    expect(error.message).toMatch(/too large/);
    await expectValidationError(perceptualHash(bomb));
    const elapsed = performance.now() - start;
    timings["decompression bomb refused"] = Math.round(elapsed);
    expect(elapsed).toBeLessThan(2_000);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(100 * 1024 ** 2);
  });

  it("refuses a bomb just over the 100-megapixel limit too", async () => {
    await expectValidationError(makeImageThumbnail(pngDeclaring(10_001, 10_000)));
  });

  it.each([
    ["a text file", Buffer.from("This is not an image.\n".repeat(50))],
    ["an empty file", Buffer.alloc(0)],
    ["a video", IPAD_MOV],
  ])("refuses %s", async (_label, content) => {
    const file = path.join(tmp, "not-an-image.jpg");
    await writeFile(file, typeof content === "string" ? await readFile(content) : content);
    await expectValidationError(makeImageThumbnail(file));
    await expectValidationError(perceptualHash(file));
  });

  it("refuses a JPEG whose data is garbage after a valid signature", async () => {
    const file = path.join(tmp, "garbage.jpg");
    await writeFile(file, Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(5000, 0x41)]));
    await expectValidationError(makeImageThumbnail(file));
  });

  it("still thumbnails a JPEG cut off halfway (what is there is evidence too)", async () => {
    const file = path.join(tmp, "half.jpg");
    const bytes = await readFile(CANON_JPEG);
    await writeFile(file, bytes.subarray(0, Math.floor(bytes.length / 2)));
    const thumbnail = await makeImageThumbnail(file);
    expect([thumbnail?.width, thumbnail?.height]).toEqual([640, 427]);
  });

  it("returns null for a real image type it cannot render (BMP), and hashing refuses it", async () => {
    const file = path.join(tmp, "tiny.bmp");
    await writeFile(file, tinyBmp());
    expect(await makeImageThumbnail(file)).toBeNull();
    await expectValidationError(perceptualHash(file));
  });
});

// --- perceptual hashes ------------------------------------------------------------------------

describe("perceptualHash", () => {
  it("returns 16 hex digits, the same for a path and its bytes", async () => {
    const fromPath = await timed("pHash Canon JPEG", () => perceptualHash(CANON_JPEG));
    expect(fromPath).toMatch(/^[0-9a-f]{16}$/);
    expect(await perceptualHash(await readFile(CANON_JPEG))).toBe(fromPath);
  });

  it.each([
    ["Pixel JPEG", PIXEL_JPEG],
    ["Canon JPEG", CANON_JPEG],
    ["DJI JPEG", DJI_JPEG],
  ])("%s: a resized, recompressed copy is a near duplicate", async (_label, file) => {
    const meta = await sharp(file).metadata();
    const copy = await sharp(file)
      .resize({ width: Math.round(meta.width * 0.4) })
      .jpeg({ quality: 45 })
      .toBuffer();
    const distance = hammingDistance(await perceptualHash(file), await perceptualHash(copy));
    expect(distance).toBeLessThanOrEqual(DEFAULT_NEAR_DUPLICATE_THRESHOLD);
  });

  it("a WebP thumbnail of an image is a near duplicate of it", async () => {
    const thumbnail = await makeImageThumbnail(PIXEL_JPEG);
    const distance = hammingDistance(await perceptualHash(PIXEL_JPEG), await perceptualHash(thumbnail!.buffer));
    expect(distance).toBeLessThanOrEqual(DEFAULT_NEAR_DUPLICATE_THRESHOLD);
  });

  it("an EXIF-rotated copy hashes like the same picture with rotated pixels", async () => {
    const tagged = await sharp(DJI_JPEG).jpeg({ quality: 90 }).withMetadata({ orientation: 6 }).toBuffer();
    const pixelsRotated = await sharp(DJI_JPEG).rotate(90).jpeg({ quality: 90 }).toBuffer();
    const distance = hammingDistance(await perceptualHash(tagged), await perceptualHash(pixelsRotated));
    expect(distance).toBeLessThanOrEqual(DEFAULT_NEAR_DUPLICATE_THRESHOLD);
    // ...and unlike the unrotated original.
    expect(hammingDistance(await perceptualHash(DJI_JPEG), await perceptualHash(pixelsRotated))).toBeGreaterThan(DEFAULT_NEAR_DUPLICATE_THRESHOLD);
  });

  it("different fixture photos are far apart", async () => {
    const photos = [PIXEL_JPEG, CANON_JPEG, DJI_JPEG, IPHONE_HEIC];
    const hashes = await Promise.all(photos.map((file) => perceptualHash(file)));
    for (let i = 0; i < hashes.length; i++) {
      for (let j = i + 1; j < hashes.length; j++) {
        const distance = hammingDistance(hashes[i]!, hashes[j]!);
        expect(distance, `${path.basename(photos[i]!)} vs ${path.basename(photos[j]!)}`).toBeGreaterThan(2 * DEFAULT_NEAR_DUPLICATE_THRESHOLD);
      }
    }
  });
});

// --- keyframes --------------------------------------------------------------------------------

describe("extractKeyframes", () => {
  it("iPad MOV: frames from the start, within the duration, readable 568x320 JPEGs without metadata", async () => {
    const workDir = path.join(tmp, "mov");
    const frames = await timed("keyframes iPad MOV (2.7 s, 568x320)", () => extractKeyframes(IPAD_MOV, workDir));
    expect(frames.length).toBeGreaterThanOrEqual(1);
    expect(frames.length).toBeLessThanOrEqual(8);
    expect(frames[0]!.timestampMs).toBe(0);
    expect(frames[0]!.reason).toBe("start");
    let previous = -1;
    for (const frame of frames) {
      expect(frame.timestampMs).toBeGreaterThan(previous);
      expect(frame.timestampMs).toBeLessThanOrEqual(IPAD_MOV_DURATION_MS);
      previous = frame.timestampMs;
      expect(path.dirname(frame.filePath)).toBe(workDir);
      const bytes = await readFile(frame.filePath);
      const meta = await sharp(bytes).metadata();
      expect(meta.format).toBe("jpeg");
      expect([meta.width, meta.height]).toEqual([frame.width, frame.height]);
      expect([frame.width, frame.height].sort((a, b) => a - b)).toEqual([320, 568]);
      await expectNoMetadata(bytes);
    }
    // Frames taken at different moments are not byte-identical copies of one another.
    if (frames.length > 1) {
      const [first, second] = await Promise.all(frames.slice(0, 2).map((f) => readFile(f.filePath)));
      expect(first!.equals(second!)).toBe(false);
    }
  });

  it("Android MP4 of 0.171 s still yields its first frame, 1920x1080", async () => {
    const frames = await timed("keyframes Android MP4 (0.17 s, 1920x1080)", () => extractKeyframes(ANDROID_MP4, path.join(tmp, "mp4")));
    expect(frames.length).toBeGreaterThanOrEqual(1);
    expect(frames[0]).toMatchObject({ timestampMs: 0, width: 1920, height: 1080 });
    await expectNoMetadata(await readFile(frames[0]!.filePath));
  });

  it("finds scene changes: a generated 6 s video of three 2 s scenes", async () => {
    // The real fixtures are single shots, so the scene path needs a video with cuts in it.
    const file = path.join(tmp, "three-scenes.mp4");
    const filter = "[2]trim=duration=2[m];[0][1][m]concat=n=3:v=1:a=0,format=yuv420p";
    await promisify(execFile)(
      ffmpegInstaller.path,
      [
        ...["-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=10:duration=2"],
        ...["-f", "lavfi", "-i", "smptebars=size=320x240:rate=10:duration=2", "-f", "lavfi", "-i", "mandelbrot=size=320x240:rate=10"],
        ...["-filter_complex", filter, "-c:v", "libx264", "-g", "100", file],
      ],
      { timeout: 30_000 },
    );
    const frames = await timed("keyframes generated 6 s, 3 scenes", () => extractKeyframes(file, path.join(tmp, "scenes")));
    const scenes = frames.filter((f) => f.reason === "scene").map((f) => f.timestampMs);
    expect(scenes).toEqual([2000, 4000]);
    expect(frames[0]).toMatchObject({ timestampMs: 0, reason: "start" });
    expect(frames.length).toBeLessThanOrEqual(8);
    // The frame at a cut is the first frame of the new scene, not the last of the old one.
    const hashes = await Promise.all(frames.map((f) => perceptualHash(f.filePath)));
    const at = (ms: number) => hashes[frames.findIndex((f) => f.timestampMs === ms)]!;
    expect(hammingDistance(at(0), at(2000))).toBeGreaterThan(DEFAULT_NEAR_DUPLICATE_THRESHOLD);
    expect(hammingDistance(at(2000), at(4000))).toBeGreaterThan(DEFAULT_NEAR_DUPLICATE_THRESHOLD);
    const later = frames.find((f) => f.timestampMs > 2000 && f.timestampMs < 4000);
    if (later) expect(hammingDistance(at(2000), at(later.timestampMs))).toBeLessThanOrEqual(DEFAULT_NEAR_DUPLICATE_THRESHOLD);
  });

  it("falls back to evenly spaced frames when scene detection is killed by its timeout", async () => {
    const frames = await extractKeyframes(IPAD_MOV, path.join(tmp, "mov-timeout"), { sceneTimeoutMs: 1 });
    expect(frames.length).toBeGreaterThanOrEqual(1);
    expect(frames[0]!.timestampMs).toBe(0);
    expect(frames.every((f) => f.reason !== "scene")).toBe(true);
  });

  it("keeps what arrived of a truncated video whose index comes first (moov before mdat)", async () => {
    // The fixtures keep their index at the end, so cutting them loses everything; a
    // "faststart" copy cut in half still has a decodable start.
    const faststart = path.join(tmp, "faststart.mov");
    await promisify(execFile)(ffmpegInstaller.path, ["-v", "error", "-y", "-i", IPAD_MOV, "-c", "copy", "-movflags", "+faststart", faststart], {
      timeout: 30_000,
    });
    const bytes = await readFile(faststart);
    const half = path.join(tmp, "faststart-half.mov");
    await writeFile(half, bytes.subarray(0, Math.floor(bytes.length / 2)));
    const frames = await extractKeyframes(half, path.join(tmp, "faststart-half-frames"));
    expect(frames.length).toBeGreaterThanOrEqual(1);
    expect(frames[0]).toMatchObject({ timestampMs: 0 });
    expect([frames[0]!.width, frames[0]!.height].sort((a, b) => a - b)).toEqual([320, 568]);
  });

  it("honours max", async () => {
    const frames = await extractKeyframes(IPAD_MOV, path.join(tmp, "mov-max1"), { max: 1 });
    expect(frames).toHaveLength(1);
    await expectValidationError(extractKeyframes(IPAD_MOV, path.join(tmp, "mov-max0"), { max: 0 }));
  });

  it("refuses a truncated video (first 3000 bytes of the MOV) promptly", async () => {
    const truncated = path.join(tmp, "truncated.mov");
    await writeFile(truncated, (await readFile(IPAD_MOV)).subarray(0, 3000));
    const start = performance.now();
    await expectValidationError(extractKeyframes(truncated, path.join(tmp, "truncated-frames")));
    timings["truncated video refused"] = Math.round(performance.now() - start);
    expect(performance.now() - start).toBeLessThan(10_000);
  });

  it.each([
    ["a text file", Buffer.from("not a video\n".repeat(100))],
    ["an empty file", Buffer.alloc(0)],
  ])("refuses %s", async (_label, content) => {
    const file = path.join(tmp, "not-a-video.mp4");
    await writeFile(file, content);
    await expectValidationError(extractKeyframes(file, path.join(tmp, "not-a-video-frames")));
  });

  it("refuses a still image (image demuxers are not on the whitelist)", async () => {
    await expectValidationError(extractKeyframes(PIXEL_JPEG, path.join(tmp, "jpeg-frames")));
  });

  it("refuses an HLS playlist that points elsewhere (no protocol but file, no playlist demuxer)", async () => {
    const playlist = path.join(tmp, "playlist.mp4");
    await writeFile(playlist, `#EXTM3U\n#EXT-X-MEDIA-SEQUENCE:0\n#EXTINF:10.0,\n${IPAD_MOV}\n#EXTINF:10.0,\nhttp://127.0.0.1:9/x.ts\n#EXT-X-ENDLIST\n`);
    await expectValidationError(extractKeyframes(playlist, path.join(tmp, "playlist-frames")));
  });
});

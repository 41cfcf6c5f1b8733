import "server-only";
// Derivatives of evidence files: image thumbnails, video keyframes and 64-bit perceptual
// hashes for near-duplicate detection. Originals are never modified; every output is a new,
// metadata-free file or buffer (no EXIF, GPS, XMP, IPTC or ICC; pixels in sRGB).
//
// Untrusted input is assumed throughout:
// - The type is sniffed from the bytes (file-type); only raster formats we can decode are
//   handed to a decoder, so SVG, text and the like never reach librsvg or ffmpeg's image path.
// - Decompression bombs: dimensions are read from the header and refused above
//   MAX_INPUT_PIXELS before anything is decoded; sharp's limitInputPixels backs that up.
// - ffmpeg/ffprobe (the system's when present: media-tools.ts) run with argument arrays (no
//   shell), `-nostdin`, a protocol whitelist (`file` / `pipe` only, so a playlist inside a
//   "video" cannot make ffmpeg fetch URLs), a demuxer whitelist (no playlists, so no other
//   local files either), a hard timeout that SIGKILLs the process, a memory and CPU limit
//   (prlimit), and a cap on how much output is read back.
// - Failures caused by the file (corrupt, truncated, unsupported, too large) become
//   DomainError("VALIDATION"); the decoder's own message stays in `cause` for logs, since it
//   can contain server paths.
//
// HEIC: the prebuilt libvips in sharp reads the HEIF container but has no HEVC decoder (it
// fails with "Support for this compression format has not been built in: HEVC"), and neither
// the bundled ffmpeg 4.1 nor Debian's 5.1 has a HEIF demuxer. So HEVC-coded HEIF images are decoded here: the
// container is parsed (ISO/IEC 23008-12: pitm, iinf, iloc, iref, iprp/ipco/ipma, idat), the
// coded tiles are rewritten as an Annex-B HEVC stream with the hvcC parameter sets and decoded
// by ffmpeg, which also assembles grids (`tile`) and crops to the declared size; irot/imir
// are then applied. If the primary image cannot be decoded this way the embedded thumbnail
// item is tried. If neither works, makeImageThumbnail returns null (a real image we cannot
// render) and perceptualHash throws a VALIDATION error. Not handled: `clap` (clean aperture)
// crops, alpha auxiliary images, image sequences without a primary item.
import { mkdir, open, readFile, stat } from "node:fs/promises";
import path from "node:path";
import { fileTypeFromBuffer } from "file-type";
import sharp, { type Metadata, type OutputInfo, type Sharp } from "sharp";
import { DomainError } from "@/lib/domain/errors";
import { PERCEPTUAL_HASH_SAMPLE_SIZE, perceptualHashFromLuma } from "@/lib/domain/perceptual-hash";
import { logger } from "../logger";
import { runMediaTool } from "./media-tools";

/** Largest image (or video frame) we decode, in pixels: 100 megapixels. */
export const MAX_INPUT_PIXELS = 100_000_000;
/** Longest side of a thumbnail, in pixels. */
export const THUMBNAIL_MAX_SIDE = 640;
/** Default and largest number of keyframes per video. */
export const DEFAULT_MAX_KEYFRAMES = 8;
const MAX_KEYFRAMES_LIMIT = 64;
/** ffmpeg's scene-change score (0..1) above which a frame starts a new scene. */
export const DEFAULT_SCENE_THRESHOLD = 0.3;

const SNIFF_BYTES = 4100;
/** HEIF files are read into memory to be parsed; phone photos are a few MB. */
const MAX_HEIF_BYTES = 256 * 1024 ** 2;
/** HEIF images are decoded no larger than this (long side); every derivative is smaller. */
const HEIF_DECODE_MAX_SIDE = 1024;
/** Scene changes closer than this to an already chosen frame add nothing. */
const MIN_KEYFRAME_GAP_SECONDS = 0.5;

const FFPROBE_TIMEOUT_MS = 20_000;
const FRAME_TIMEOUT_MS = 30_000;
const DEFAULT_SCENE_TIMEOUT_MS = 120_000;
const HEIF_DECODE_TIMEOUT_MS = 30_000;

/** Image types sharp (prebuilt libvips) decodes directly. */
const SHARP_IMAGE_TYPES = new Set(["image/jpeg", "image/png", "image/apng", "image/webp", "image/gif", "image/tiff", "image/avif"]);
/** HEIF family: decoded by the HEVC path below, then by sharp if that does not apply. */
const HEIF_IMAGE_TYPES = new Set(["image/heic", "image/heic-sequence", "image/heif", "image/heif-sequence"]);
/** ffmpeg demuxers allowed to open videos ("mov" covers MP4, M4V, 3GP and QuickTime). */
export const VIDEO_DEMUXERS = "mov,matroska,webm,avi,mpegts,mpeg,flv,asf,ogg";

export interface ImageThumbnail {
  buffer: Buffer;
  mime: "image/webp" | "image/jpeg";
  width: number;
  height: number;
}

export interface Keyframe {
  /** Absolute path of the JPEG written into the work directory. */
  filePath: string;
  /** Position in the video, milliseconds from its start. */
  timestampMs: number;
  width: number;
  height: number;
  /** Why the frame was taken: the first frame, a scene change, or even spacing. */
  reason: "start" | "scene" | "interval";
}

export interface KeyframeOptions {
  /** At most this many frames (default 8, at most 64). */
  max?: number;
  /** Scene-change score threshold, 0..1 (default 0.3). */
  sceneThreshold?: number;
  /** Time allowed for the scene-detection pass, which decodes the whole video (default 120 s). */
  sceneTimeoutMs?: number;
}

// ---------------------------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------------------------

/**
 * A WebP thumbnail, at most THUMBNAIL_MAX_SIDE px on the long side (never enlarged), turned
 * upright by the EXIF orientation, without metadata. Returns null for a genuine image type we
 * cannot render (a HEIC we cannot decode, BMP, camera RAW, PSD...). Throws VALIDATION for
 * anything that is not an image, is corrupt, or is larger than MAX_INPUT_PIXELS.
 */
export async function makeImageThumbnail(input: string | Buffer): Promise<ImageThumbnail | null> {
  const image = await openImage(input);
  if (!image) return null;
  try {
    const { data, info } = await image
      .resize({ width: THUMBNAIL_MAX_SIDE, height: THUMBNAIL_MAX_SIDE, fit: "inside", withoutEnlargement: true })
      .webp({ quality: 80 })
      .toBuffer({ resolveWithObject: true });
    return { buffer: data, mime: "image/webp", width: info.width, height: info.height };
  } catch (error) {
    throw validation("The image could not be decoded; it may be corrupt or truncated.", error);
  }
}

/**
 * 64-bit DCT perceptual hash (16 hex digits) of an image file or buffer, after EXIF
 * orientation and with transparency flattened onto white. See lib/domain/perceptual-hash.ts.
 * For an HEVC HEIC the file's own embedded thumbnail item (320x240 on iPhones) is hashed when
 * it has one: the same picture, decoded in a fraction of the time of the full tile grid.
 * Throws VALIDATION when the input is not an image we can decode.
 */
export async function perceptualHash(input: Buffer | string): Promise<string> {
  const image = await openImage(input, { preferHeifThumbnail: true });
  if (!image) throw validation("A perceptual hash cannot be computed for this image type.");
  let pixels: Buffer;
  try {
    const { data, info } = await image
      .flatten({ background: "#ffffff" })
      .greyscale()
      .resize(PERCEPTUAL_HASH_SAMPLE_SIZE, PERCEPTUAL_HASH_SAMPLE_SIZE, { fit: "fill" })
      .extractChannel(0)
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 1 || data.length !== PERCEPTUAL_HASH_SAMPLE_SIZE ** 2) {
      throw new Error(`unexpected greyscale output: ${info.width}x${info.height}x${info.channels}`);
    }
    pixels = data;
  } catch (error) {
    throw validation("The image could not be decoded; it may be corrupt or truncated.", error);
  }
  return perceptualHashFromLuma(pixels);
}

/**
 * Representative frames of a video as JPEGs (no metadata) in `workDir`, in time order: always
 * the first frame, then the strongest scene changes (ffmpeg `select='gt(scene,T)'`), topped up
 * with evenly spaced frames (about one per second of video, at most `max` in all) when there
 * are few or no scene changes. A 0.1 s clip still yields its first frame. Frames are upright
 * (ffmpeg applies the rotation in the container). Throws VALIDATION for a file that is not a
 * readable video, is corrupt or truncated, or takes too long to decode.
 */
export async function extractKeyframes(videoPath: string, workDir: string, options: KeyframeOptions = {}): Promise<Keyframe[]> {
  const max = options.max ?? DEFAULT_MAX_KEYFRAMES;
  if (!Number.isInteger(max) || max < 1 || max > MAX_KEYFRAMES_LIMIT) {
    throw new DomainError("VALIDATION", `The number of keyframes must be a whole number from 1 to ${MAX_KEYFRAMES_LIMIT}.`);
  }
  const threshold = options.sceneThreshold ?? DEFAULT_SCENE_THRESHOLD;
  if (!(threshold > 0 && threshold < 1)) throw new DomainError("VALIDATION", "The scene threshold must be between 0 and 1.");

  const source = path.resolve(videoPath);
  const info = await stat(source);
  if (!info.isFile()) throw validation("The video is not a regular file.");

  const probe = await probeVideo(source);
  // A clip shorter than the minimum gap can only ever yield its first frame: skip the scene pass.
  const tooShortForScenes = max === 1 || (probe.durationSeconds !== null && probe.durationSeconds <= MIN_KEYFRAME_GAP_SECONDS);
  const scenes = tooShortForScenes ? [] : await detectScenes(source, probe.streamIndex, threshold, options.sceneTimeoutMs ?? DEFAULT_SCENE_TIMEOUT_MS);
  const plan = planKeyframes(probe.durationSeconds, scenes, max);

  const outDir = path.resolve(workDir);
  await mkdir(outDir, { recursive: true });
  const frames: Keyframe[] = [];
  for (const [i, planned] of plan.entries()) {
    // Only the first frame is required: later ones may lie past the data of a truncated file.
    const png = await grabFrame(source, probe, planned.timeSeconds, { required: i === 0 });
    if (!png) continue;
    const filePath = path.join(outDir, `keyframe-${String(i).padStart(3, "0")}.jpg`);
    let written: OutputInfo;
    try {
      written = await sharp(png, { limitInputPixels: MAX_INPUT_PIXELS }).jpeg({ quality: 85 }).toFile(filePath);
    } catch (error) {
      throw validation("A frame of the video could not be decoded.", error);
    }
    frames.push({
      filePath,
      timestampMs: Math.round(planned.timeSeconds * 1000),
      width: written.width,
      height: written.height,
      reason: planned.reason,
    });
  }
  if (frames.length === 0) throw validation("No frames could be decoded from the video; it may be corrupt or truncated.");
  return frames;
}

// ---------------------------------------------------------------------------------------------
// Images
// ---------------------------------------------------------------------------------------------

/**
 * A sharp pipeline over the decoded, upright image, or null for a recognised image type we
 * have no decoder for. Throws VALIDATION for non-images, corrupt files and bombs.
 */
export async function openImage(input: Buffer | string, options: { preferHeifThumbnail?: boolean; strict?: boolean } = {}): Promise<Sharp | null> {
  const type = await sniff(input);
  if (!type) throw validation("The file is not a recognised image.");
  if (SHARP_IMAGE_TYPES.has(type)) return openWithSharp(input, options.strict ?? false);
  if (HEIF_IMAGE_TYPES.has(type)) return openHeif(input, options.preferHeifThumbnail ?? false);
  if (type.startsWith("image/")) return null;
  throw validation(`The file is not an image (it looks like ${type}).`);
}

async function sniff(input: Buffer | string): Promise<string | undefined> {
  let head: Buffer;
  if (Buffer.isBuffer(input)) {
    head = input.subarray(0, SNIFF_BYTES);
  } else {
    const handle = await open(input, "r");
    try {
      const buffer = Buffer.alloc(SNIFF_BYTES);
      const { bytesRead } = await handle.read(buffer, 0, SNIFF_BYTES, 0);
      head = buffer.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  }
  if (head.length === 0) return undefined;
  return (await fileTypeFromBuffer(head))?.mime;
}

async function openWithSharp(input: Buffer | string, strict: boolean): Promise<Sharp> {
  let metadata: Metadata;
  try {
    // Reads the header only (no pixels are allocated), so the limit is checked here, with the
    // real dimensions in the message; a 100000x100000 PNG is refused before any decoding.
    metadata = await sharp(input, { limitInputPixels: false }).metadata();
  } catch (error) {
    throw validation("The image could not be read; it may be corrupt or truncated.", error);
  }
  checkPixelLimit(metadata.width, metadata.pageHeight ?? metadata.height);
  // failOn "none": a truncated download still gets a thumbnail of what is there (the rest is
  // grey); a file whose header does not parse was already refused above. `strict` (public
  // copies) refuses truncated data instead: half a grey picture is not fit to publish.
  return sharp(input, { limitInputPixels: MAX_INPUT_PIXELS, failOn: strict ? "truncated" : "none", autoOrient: true });
}

function checkPixelLimit(width: number | undefined, height: number | undefined): void {
  if (!width || !height) throw validation("The image does not declare its dimensions.");
  if (width * height > MAX_INPUT_PIXELS) {
    throw validation(`The image is too large to process (${width}x${height} pixels; the limit is ${MAX_INPUT_PIXELS / 1e6} megapixels).`);
  }
}

async function openHeif(input: Buffer | string, preferThumbnail: boolean): Promise<Sharp | null> {
  let bytes: Buffer;
  if (Buffer.isBuffer(input)) {
    bytes = input;
  } else {
    const size = (await stat(input)).size;
    if (size > MAX_HEIF_BYTES) throw validation("The HEIF image is too large to process.");
    bytes = await readFile(input);
  }
  const decoded = await decodeHevcHeif(bytes, preferThumbnail);
  if (decoded) return sharp(decoded.data, { raw: { width: decoded.width, height: decoded.height, channels: 3 } });

  // Not HEVC-coded (or not decodable that way): a libvips built with the right codec may cope.
  try {
    const metadata = await sharp(bytes, { limitInputPixels: MAX_INPUT_PIXELS }).metadata();
    checkPixelLimit(metadata.width, metadata.height);
    const { data, info } = await sharp(bytes, { limitInputPixels: MAX_INPUT_PIXELS, autoOrient: true })
      .resize({ width: HEIF_DECODE_MAX_SIDE, height: HEIF_DECODE_MAX_SIDE, fit: "inside", withoutEnlargement: true })
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    return sharp(data, { raw: { width: info.width, height: info.height, channels: info.channels } });
  } catch (error) {
    if (error instanceof DomainError) throw error;
    return null;
  }
}

// ---------------------------------------------------------------------------------------------
// HEIF (HEVC) decoding: container parsing, Annex-B rewrite, ffmpeg decode
// ---------------------------------------------------------------------------------------------

class HeifUnsupported extends Error {}

/** Bounds-checked big-endian reader over part of a buffer. */
class Cursor {
  constructor(
    private readonly buf: Buffer,
    public pos: number,
    private readonly end: number,
  ) {}
  private need(n: number): void {
    if (n < 0 || this.pos + n > this.end) throw new HeifUnsupported("HEIF box is truncated");
  }
  u8(): number {
    this.need(1);
    return this.buf.readUInt8(this.pos++);
  }
  u16(): number {
    this.need(2);
    const value = this.buf.readUInt16BE(this.pos);
    this.pos += 2;
    return value;
  }
  u32(): number {
    this.need(4);
    const value = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return value;
  }
  /** An unsigned integer of 0, 1, 2, 4 or 8 bytes. */
  uint(bytes: number): number {
    if (bytes === 0) return 0;
    if (bytes === 1) return this.u8();
    if (bytes === 2) return this.u16();
    if (bytes === 4) return this.u32();
    if (bytes === 8) {
      this.need(8);
      const value = this.buf.readBigUInt64BE(this.pos);
      this.pos += 8;
      if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new HeifUnsupported("HEIF offset out of range");
      return Number(value);
    }
    throw new HeifUnsupported(`invalid HEIF field size ${bytes}`);
  }
  fourcc(): string {
    this.need(4);
    const value = this.buf.toString("latin1", this.pos, this.pos + 4);
    this.pos += 4;
    return value;
  }
  bytes(n: number): Buffer {
    this.need(n);
    const value = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return value;
  }
  get remaining(): number {
    return this.end - this.pos;
  }
}

interface Box {
  type: string;
  /** First byte after the box header. */
  payload: number;
  end: number;
}

/**
 * The boxes between start and end. A box overrunning its parent is an error, except with
 * `truncated` (top level of a file that was cut short): the box then ends where the file does,
 * so the metadata and whatever item data did arrive can still be used.
 */
function boxesIn(buf: Buffer, start: number, end: number, options: { truncated?: boolean } = {}): Box[] {
  const boxes: Box[] = [];
  let pos = start;
  while (pos + 8 <= end) {
    const cursor = new Cursor(buf, pos, end);
    let size = cursor.u32();
    const type = cursor.fourcc();
    if (size === 1) size = cursor.uint(8);
    else if (size === 0) size = end - pos;
    const payload = cursor.pos;
    if (size < payload - pos) throw new HeifUnsupported(`HEIF box '${type}' has an invalid size`);
    if (pos + size > end) {
      if (!options.truncated) throw new HeifUnsupported(`HEIF box '${type}' overruns its parent`);
      size = end - pos;
    }
    boxes.push({ type, payload, end: pos + size });
    pos += size;
  }
  return boxes;
}

interface HeifItem {
  id: number;
  type: string;
  constructionMethod: number;
  extents: { offset: number; length: number }[];
  /** ipco property indexes (1-based), in association order. */
  properties: number[];
}

interface HeifFile {
  buf: Buffer;
  primaryId: number;
  items: Map<number, HeifItem>;
  properties: Box[];
  references: { type: string; from: number; to: number[] }[];
  idat: Box | undefined;
}

function parseHeif(buf: Buffer): HeifFile {
  const meta = boxesIn(buf, 0, buf.length, { truncated: true }).find((box) => box.type === "meta");
  if (!meta) throw new HeifUnsupported("no meta box");
  const children = boxesIn(buf, meta.payload + 4, meta.end); // meta is a FullBox
  const child = (type: string) => children.find((box) => box.type === type);

  const pitm = child("pitm");
  if (!pitm) throw new HeifUnsupported("no primary item");
  const pitmCursor = new Cursor(buf, pitm.payload, pitm.end);
  const pitmVersion = pitmCursor.u8();
  pitmCursor.bytes(3);
  const primaryId = pitmVersion === 0 ? pitmCursor.u16() : pitmCursor.u32();

  const items = new Map<number, HeifItem>();
  const item = (id: number): HeifItem => {
    let found = items.get(id);
    if (!found) {
      found = { id, type: "", constructionMethod: 0, extents: [], properties: [] };
      items.set(id, found);
    }
    return found;
  };

  const iinf = child("iinf");
  if (!iinf) throw new HeifUnsupported("no item info");
  const iinfCursor = new Cursor(buf, iinf.payload, iinf.end);
  const iinfVersion = iinfCursor.u8();
  iinfCursor.bytes(3);
  iinfCursor.uint(iinfVersion === 0 ? 2 : 4); // entry count: the boxes themselves are authoritative
  for (const infe of boxesIn(buf, iinfCursor.pos, iinf.end)) {
    if (infe.type !== "infe") continue;
    const c = new Cursor(buf, infe.payload, infe.end);
    const version = c.u8();
    c.bytes(3);
    if (version < 2) continue; // pre-HEIF item info: no item types
    const id = version === 2 ? c.u16() : c.u32();
    c.u16(); // item_protection_index
    item(id).type = c.fourcc();
  }

  const iloc = child("iloc");
  if (!iloc) throw new HeifUnsupported("no item locations");
  const l = new Cursor(buf, iloc.payload, iloc.end);
  const ilocVersion = l.u8();
  l.bytes(3);
  if (ilocVersion > 2) throw new HeifUnsupported("unknown iloc version");
  const sizes1 = l.u8();
  const sizes2 = l.u8();
  const offsetSize = sizes1 >> 4;
  const lengthSize = sizes1 & 0x0f;
  const baseOffsetSize = sizes2 >> 4;
  const indexSize = ilocVersion === 0 ? 0 : sizes2 & 0x0f;
  const itemCount = ilocVersion < 2 ? l.u16() : l.u32();
  for (let i = 0; i < itemCount; i++) {
    const entry = item(ilocVersion < 2 ? l.u16() : l.u32());
    if (ilocVersion > 0) entry.constructionMethod = l.u16() & 0x0f;
    if (l.u16() !== 0) throw new HeifUnsupported("item data in another file");
    const base = l.uint(baseOffsetSize);
    const extentCount = l.u16();
    for (let e = 0; e < extentCount; e++) {
      l.uint(indexSize);
      entry.extents.push({ offset: base + l.uint(offsetSize), length: l.uint(lengthSize) });
    }
  }

  const references: HeifFile["references"] = [];
  const iref = child("iref");
  if (iref) {
    const c = new Cursor(buf, iref.payload, iref.end);
    const idSize = c.u8() === 0 ? 2 : 4;
    c.bytes(3);
    for (const ref of boxesIn(buf, c.pos, iref.end)) {
      const r = new Cursor(buf, ref.payload, ref.end);
      const from = r.uint(idSize);
      const count = r.u16();
      const to: number[] = [];
      for (let i = 0; i < count; i++) to.push(r.uint(idSize));
      references.push({ type: ref.type, from, to });
    }
  }

  let properties: Box[] = [];
  const iprp = child("iprp");
  if (iprp) {
    const iprpChildren = boxesIn(buf, iprp.payload, iprp.end);
    const ipco = iprpChildren.find((box) => box.type === "ipco");
    if (ipco) properties = boxesIn(buf, ipco.payload, ipco.end);
    for (const ipma of iprpChildren.filter((box) => box.type === "ipma")) {
      const c = new Cursor(buf, ipma.payload, ipma.end);
      const version = c.u8();
      const flags = c.uint(2) * 256 + c.u8();
      const entries = c.u32();
      for (let i = 0; i < entries; i++) {
        const entry = item(version < 1 ? c.u16() : c.u32());
        const associations = c.u8();
        for (let a = 0; a < associations; a++) {
          entry.properties.push(flags & 1 ? c.u16() & 0x7fff : c.u8() & 0x7f);
        }
      }
    }
  }

  return { buf, primaryId, items, properties, references, idat: child("idat") };
}

function itemData(file: HeifFile, item: HeifItem): Buffer {
  const parts: Buffer[] = [];
  for (const { offset, length } of item.extents) {
    let start: number;
    let end: number;
    if (item.constructionMethod === 0) {
      start = offset;
      end = length === 0 ? file.buf.length : offset + length;
      if (end > file.buf.length) throw new HeifUnsupported("item data beyond the end of the file");
    } else if (item.constructionMethod === 1 && file.idat) {
      start = file.idat.payload + offset;
      end = length === 0 ? file.idat.end : start + length;
      if (end > file.idat.end) throw new HeifUnsupported("item data beyond the idat box");
    } else {
      throw new HeifUnsupported(`unsupported item construction method ${item.constructionMethod}`);
    }
    parts.push(file.buf.subarray(start, end));
  }
  return Buffer.concat(parts);
}

function propertiesOf(file: HeifFile, item: HeifItem, type: string): Box[] {
  return item.properties.map((index) => file.properties[index - 1]).filter((box): box is Box => box?.type === type);
}

function spatialExtent(file: HeifFile, item: HeifItem): { width: number; height: number } {
  const ispe = propertiesOf(file, item, "ispe")[0];
  if (!ispe) throw new HeifUnsupported(`item ${item.id} has no size`);
  const c = new Cursor(file.buf, ispe.payload + 4, ispe.end);
  return { width: c.u32(), height: c.u32() };
}

/** Parameter sets (VPS/SPS/PPS) and the NAL length size from an hvcC box. */
function hevcConfig(file: HeifFile, item: HeifItem): { raw: Buffer; lengthSize: number; parameterSets: Buffer[] } {
  const hvcC = propertiesOf(file, item, "hvcC")[0];
  if (!hvcC) throw new HeifUnsupported(`item ${item.id} has no HEVC configuration`);
  const c = new Cursor(file.buf, hvcC.payload, hvcC.end);
  c.bytes(21);
  const lengthSize = (c.u8() & 0x03) + 1;
  if (lengthSize === 3) throw new HeifUnsupported("invalid HEVC NAL length size");
  const parameterSets: Buffer[] = [];
  const arrays = c.u8();
  for (let i = 0; i < arrays; i++) {
    c.u8(); // array_completeness and NAL unit type
    const count = c.u16();
    for (let n = 0; n < count; n++) parameterSets.push(c.bytes(c.u16()));
  }
  return { raw: file.buf.subarray(hvcC.payload, hvcC.end), lengthSize, parameterSets };
}

const START_CODE = Buffer.from([0, 0, 0, 1]);

/** Length-prefixed NAL units -> Annex-B (start-code separated), appended to `out`. */
function appendAnnexB(out: Buffer[], data: Buffer, lengthSize: number): void {
  const c = new Cursor(data, 0, data.length);
  while (c.remaining > 0) {
    const length = c.uint(lengthSize);
    out.push(START_CODE, c.bytes(length));
  }
}

interface DecodePlan {
  item: HeifItem;
  tiles: HeifItem[];
  rows: number;
  columns: number;
  width: number;
  height: number;
}

function planHeifDecode(file: HeifFile, item: HeifItem): DecodePlan {
  if (item.type === "hvc1") {
    const { width, height } = spatialExtent(file, item);
    return { item, tiles: [item], rows: 1, columns: 1, width, height };
  }
  if (item.type !== "grid") throw new HeifUnsupported(`item type '${item.type}' is not HEVC`);
  const descriptor = itemData(file, item);
  const g = new Cursor(descriptor, 0, descriptor.length);
  if (g.u8() !== 0) throw new HeifUnsupported("unknown grid version");
  const fieldBytes = (g.u8() & 1) === 1 ? 4 : 2;
  const rows = g.u8() + 1;
  const columns = g.u8() + 1;
  const width = g.uint(fieldBytes);
  const height = g.uint(fieldBytes);
  const tileIds = file.references.find((ref) => ref.type === "dimg" && ref.from === item.id)?.to ?? [];
  if (tileIds.length !== rows * columns) throw new HeifUnsupported("grid tile count does not match its layout");
  const tiles = tileIds.map((id) => {
    const tile = file.items.get(id);
    if (!tile || tile.type !== "hvc1") throw new HeifUnsupported("grid tile is not HEVC");
    return tile;
  });
  const first = tiles[0] as HeifItem;
  const config = hevcConfig(file, first).raw;
  const tileSize = spatialExtent(file, first);
  for (const tile of tiles) {
    // One decoder configuration and size for the whole grid, so it is one HEVC stream.
    if (!hevcConfig(file, tile).raw.equals(config)) throw new HeifUnsupported("grid tiles use different HEVC configurations");
    const size = spatialExtent(file, tile);
    if (size.width !== tileSize.width || size.height !== tileSize.height) throw new HeifUnsupported("grid tiles differ in size");
  }
  if (width > tileSize.width * columns || height > tileSize.height * rows) throw new HeifUnsupported("grid larger than its tiles");
  checkPixelLimit(tileSize.width * columns, tileSize.height * rows);
  return { item, tiles, rows, columns, width, height };
}

/** Decoded, upright RGB pixels of the primary image (or its thumbnail), or null if we cannot. */
async function decodeHevcHeif(buf: Buffer, preferThumbnail: boolean): Promise<{ data: Buffer; width: number; height: number } | null> {
  let file: HeifFile;
  try {
    file = parseHeif(buf);
  } catch (error) {
    if (error instanceof HeifUnsupported) return null;
    throw error;
  }
  const primary = file.items.get(file.primaryId);
  const thumbnailId = file.references.find((ref) => ref.type === "thmb" && ref.to.includes(file.primaryId))?.from;
  const thumbnail = thumbnailId === undefined ? undefined : file.items.get(thumbnailId);
  const candidates = (preferThumbnail ? [thumbnail, primary] : [primary, thumbnail]).filter((x): x is HeifItem => x !== undefined);

  for (const candidate of candidates) {
    let plan: DecodePlan;
    try {
      plan = planHeifDecode(file, candidate);
    } catch (error) {
      if (error instanceof HeifUnsupported) continue;
      throw error;
    }
    checkPixelLimit(plan.width, plan.height);
    const decoded = await decodeHevcPlan(file, plan);
    if (decoded) return applyHeifTransforms(file, plan.item, decoded);
  }
  return null;
}

async function decodeHevcPlan(file: HeifFile, plan: DecodePlan): Promise<{ data: Buffer; width: number; height: number } | null> {
  let stream: Buffer;
  try {
    const config = hevcConfig(file, plan.tiles[0] as HeifItem);
    const parts: Buffer[] = [];
    for (const set of config.parameterSets) parts.push(START_CODE, set);
    for (const tile of plan.tiles) appendAnnexB(parts, itemData(file, tile), config.lengthSize);
    stream = Buffer.concat(parts);
  } catch (error) {
    if (error instanceof HeifUnsupported) return null;
    throw error;
  }
  const scale = Math.min(1, HEIF_DECODE_MAX_SIDE / Math.max(plan.width, plan.height));
  const width = Math.max(1, Math.round(plan.width * scale));
  const height = Math.max(1, Math.round(plan.height * scale));
  const filters: string[] = [];
  if (plan.tiles.length > 1) filters.push(`tile=${plan.columns}x${plan.rows}`);
  filters.push(`crop=${plan.width}:${plan.height}:0:0`);
  if (scale < 1) filters.push(`scale=${width}:${height}:flags=lanczos`);
  filters.push("format=rgb24");
  const expectedBytes = width * height * 3;
  const result = await runMediaTool(
    "ffmpeg",
    [
      ...["-hide_banner", "-nostdin", "-v", "error"],
      ...["-protocol_whitelist", "pipe", "-format_whitelist", "hevc", "-f", "hevc", "-i", "pipe:0"],
      ...["-vf", filters.join(","), "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1"],
    ],
    { timeoutMs: HEIF_DECODE_TIMEOUT_MS, maxStdoutBytes: expectedBytes, stdin: stream },
  );
  if (result.timedOut || result.exitCode !== 0 || result.stdout.length !== expectedBytes) {
    logger.warn("HEIF decode failed", { item: plan.item.id, exitCode: result.exitCode, timedOut: result.timedOut, stderr: result.stderr.slice(-2000) });
    return null;
  }
  return { data: result.stdout, width, height };
}

/** irot (anticlockwise quarter turns) and imir, in the order the file associates them. */
async function applyHeifTransforms(
  file: HeifFile,
  item: HeifItem,
  image: { data: Buffer; width: number; height: number },
): Promise<{ data: Buffer; width: number; height: number }> {
  let current = image;
  for (const index of item.properties) {
    const box = file.properties[index - 1];
    if (!box || (box.type !== "irot" && box.type !== "imir")) continue;
    const value = new Cursor(file.buf, box.payload, box.end).u8();
    let pipeline = sharp(current.data, { raw: { width: current.width, height: current.height, channels: 3 } });
    if (box.type === "irot") {
      const clockwise = (360 - (value & 0x03) * 90) % 360;
      if (clockwise === 0) continue;
      pipeline = pipeline.rotate(clockwise);
    } else {
      // axis 0: mirror about a vertical axis (left <-> right); 1: about a horizontal axis.
      pipeline = (value & 1) === 0 ? pipeline.flop() : pipeline.flip();
    }
    const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
    current = { data, width: info.width, height: info.height };
  }
  return current;
}

// ---------------------------------------------------------------------------------------------
// Video
// ---------------------------------------------------------------------------------------------

export interface VideoProbe {
  streamIndex: number;
  width: number;
  height: number;
  /** Null when neither the stream nor the container states a duration. */
  durationSeconds: number | null;
}

export function inputArgs(source: string): string[] {
  // `file:` so a path can never be read as another protocol or an option.
  return ["-protocol_whitelist", "file", "-format_whitelist", VIDEO_DEMUXERS, "-i", `file:${source}`];
}

export async function probeVideo(source: string): Promise<VideoProbe> {
  const result = await runMediaTool(
    "ffprobe",
    [
      ...["-v", "error", "-print_format", "json"],
      ...["-show_entries", "format=duration:stream=index,codec_type,width,height,duration:stream_disposition=attached_pic"],
      ...inputArgs(source),
    ],
    { timeoutMs: FFPROBE_TIMEOUT_MS, maxStdoutBytes: 4 * 1024 ** 2 },
  );
  if (result.timedOut) throw validation("Reading the video took too long; it may be corrupt.", result.stderr);
  if (result.exitCode !== 0) {
    throw validation("The video could not be read; it may be corrupt, truncated or in an unsupported format.", result.stderr);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(result.stdout.toString("utf8"));
  } catch (error) {
    throw validation("The video could not be read.", error);
  }
  const data = parsed as {
    streams?: { index?: number; codec_type?: string; width?: number; height?: number; duration?: string; disposition?: { attached_pic?: number } }[];
    format?: { duration?: string };
  };
  const stream = (data.streams ?? []).find((s) => s.codec_type === "video" && s.disposition?.attached_pic !== 1);
  if (!stream || typeof stream.index !== "number") throw validation("The file contains no video stream.");
  const { width, height } = stream;
  if (!width || !height) throw validation("The video does not declare its frame size.");
  if (width * height > MAX_INPUT_PIXELS) throw validation(`The video frame size ${width}x${height} is too large to process.`);
  const duration = positive(stream.duration) ?? positive(data.format?.duration);
  return { streamIndex: stream.index, width, height, durationSeconds: duration };
}

function positive(value: string | undefined): number | null {
  const n = value === undefined ? NaN : Number(value);
  return Number.isFinite(n) && n > 0 ? n : null;
}

/** Times (seconds) and scores of frames whose scene-change score exceeds the threshold. */
async function detectScenes(source: string, streamIndex: number, threshold: number, timeoutMs: number): Promise<{ timeSeconds: number; score: number }[]> {
  const result = await runMediaTool(
    "ffmpeg",
    [
      ...["-hide_banner", "-nostdin", "-nostats", "-v", "info"],
      ...inputArgs(source),
      ...["-map", `0:${streamIndex}`, "-an", "-sn", "-dn"],
      ...["-vf", `select='gt(scene\\,${threshold})',metadata=mode=print`, "-f", "null", "-"],
    ],
    { timeoutMs, maxStdoutBytes: 1024 ** 2 },
  );
  if (result.timedOut || result.exitCode !== 0) {
    // Not fatal: evenly spaced frames still describe the video; grabbing them reports real damage.
    logger.warn("scene detection failed; using evenly spaced keyframes", { exitCode: result.exitCode, timedOut: result.timedOut, stderr: result.stderr.slice(-2000) });
    return [];
  }
  const scenes: { timeSeconds: number; score: number }[] = [];
  let time: number | null = null;
  for (const line of result.stderr.split("\n")) {
    const pts = /\bpts_time:(-?[0-9.]+)/.exec(line);
    if (pts) time = Number(pts[1]);
    const score = /lavfi\.scene_score=([0-9.]+)/.exec(line);
    if (score && time !== null && Number.isFinite(time)) {
      scenes.push({ timeSeconds: Math.max(0, time), score: Number(score[1]) });
      time = null;
    }
  }
  return scenes;
}

/**
 * Which moments to grab: the start; the strongest scene changes (at least
 * MIN_KEYFRAME_GAP_SECONDS from any frame already chosen); then, up to about one frame per
 * second of video, evenly spaced frames. At most `max`, in time order.
 */
function planKeyframes(
  durationSeconds: number | null,
  scenes: { timeSeconds: number; score: number }[],
  max: number,
): { timeSeconds: number; reason: Keyframe["reason"] }[] {
  const chosen: { timeSeconds: number; reason: Keyframe["reason"] }[] = [{ timeSeconds: 0, reason: "start" }];
  const farFromChosen = (t: number) => chosen.every((c) => Math.abs(c.timeSeconds - t) >= MIN_KEYFRAME_GAP_SECONDS);
  const inside = (t: number) => durationSeconds === null || t < durationSeconds;
  for (const scene of [...scenes].sort((a, b) => b.score - a.score)) {
    if (chosen.length >= max) break;
    if (inside(scene.timeSeconds) && farFromChosen(scene.timeSeconds)) chosen.push({ timeSeconds: scene.timeSeconds, reason: "scene" });
  }
  if (durationSeconds !== null) {
    const target = Math.min(max, Math.max(1, Math.floor(durationSeconds)));
    for (let i = 1; i < target && chosen.length < target; i++) {
      const t = (durationSeconds * i) / target;
      if (farFromChosen(t)) chosen.push({ timeSeconds: t, reason: "interval" });
    }
  }
  return chosen.sort((a, b) => a.timeSeconds - b.timeSeconds);
}

/**
 * One decoded frame at or just after `timeSeconds` as PNG, or null if there is none (a seek
 * past the last decodable frame). A decoder error is fatal for a `required` frame and skipped
 * (logged) otherwise; a timeout is always fatal.
 */
async function grabFrame(source: string, probe: VideoProbe, timeSeconds: number, { required }: { required: boolean }): Promise<Buffer | null> {
  // Seeking a hair early so a frame stamped exactly at a scene change is the one returned.
  const seek = timeSeconds > 0 ? ["-ss", Math.max(0, timeSeconds - 0.001).toFixed(3)] : [];
  const result = await runMediaTool(
    "ffmpeg",
    [
      ...["-hide_banner", "-nostdin", "-v", "error"],
      ...seek,
      ...inputArgs(source),
      ...["-map", `0:${probe.streamIndex}`, "-an", "-sn", "-dn", "-map_metadata", "-1"],
      ...["-frames:v", "1", "-f", "image2pipe", "-c:v", "png", "-compression_level", "1", "-pix_fmt", "rgb24", "pipe:1"],
    ],
    // PNG of an RGB frame is at most a little over its raw size (rotation swaps sides only).
    { timeoutMs: FRAME_TIMEOUT_MS, maxStdoutBytes: probe.width * probe.height * 3 * 2 + 1024 ** 2 },
  );
  if (result.timedOut) throw validation("Decoding the video took too long; it may be corrupt.", result.stderr);
  if (result.exitCode !== 0) {
    if (required) throw validation("The video could not be decoded; it may be corrupt or truncated.", result.stderr);
    logger.warn("keyframe could not be decoded; skipped", { timeSeconds, exitCode: result.exitCode, stderr: result.stderr.slice(-2000) });
    return null;
  }
  return result.stdout.length > 0 ? result.stdout : null;
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

export function validation(message: string, cause?: unknown): DomainError {
  const error = new DomainError("VALIDATION", message);
  if (cause !== undefined) error.cause = cause;
  return error;
}

import "server-only";
import { open } from "node:fs/promises";
import path from "node:path";
import exifr from "exifr";
import sharp, { type Metadata as SharpMetadata } from "sharp";
import { DomainError } from "@/lib/domain/errors";
import {
  type GpsFix,
  type JsonValue,
  type LocalTime,
  type MediaMetadata,
  type MediaStreamInfo,
  detectEditingSoftware,
  gpsDateTime,
  parseIso6709,
  parseWrittenDateTime,
  withOffset,
} from "@/lib/domain/media-metadata";
import { mediaKindOf, normalizeMediaType } from "@/lib/domain/media-types";
import { VIDEO_DEMUXERS } from "./derivatives";
import { runMediaTool } from "./media-tools";
import { storableJson, storableText } from "@/lib/domain/storable-text";

/** ffprobe is killed after this long: a crafted file must not hold a worker forever. */
export const FFPROBE_TIMEOUT_MS = 30_000;
/** ffprobe's JSON for a sane file is a few kB; more means thousands of streams. */
const FFPROBE_MAX_OUTPUT_BYTES = 8 * 1024 * 1024;

export interface ExtractOptions {
  /** Overrides FFPROBE_TIMEOUT_MS (tests use a short one). */
  ffprobeTimeoutMs?: number;
}

/**
 * Reads what an original says about itself: camera, clocks, location, dimensions, codecs.
 * `mime` is the sniffed type (lib/server/media/sniff.ts), never the client's claim.
 *
 * Throws DomainError("VALIDATION") when the file cannot be read as the media it claims to be
 * (truncated, corrupt). Damaged metadata inside a readable file is not fatal: the result then
 * carries what could be read plus `extractionWarnings`.
 */
export async function extractMetadata(filePath: string, mime: string, options: ExtractOptions = {}): Promise<MediaMetadata> {
  const canonical = normalizeMediaType(mime);
  const kind = mediaKindOf(canonical);
  if (kind === "image") return extractImage(filePath, canonical);
  if (kind === "video") return extractVideo(filePath, canonical, options.ffprobeTimeoutMs ?? FFPROBE_TIMEOUT_MS);
  throw new DomainError("VALIDATION", `Metadata cannot be read from ${canonical}: not an accepted image or video type.`);
}

// =============================================================================================
// Images: dimensions from sharp (header only), tags from exifr.

type Tags = Record<string, unknown>;

/** Formats exifr parses from the file itself; others (WebP...) go through sharp's EXIF copy. */
const EXIFR_FORMATS = new Set(["image/jpeg", "image/tiff", "image/heic", "image/heif", "image/heic-sequence", "image/heif-sequence", "image/avif", "image/png", "image/apng"]);

// exifr's declarations do not export their Options type and omit some options it accepts
// (silentErrors, ifd0: true), so ours is loose and cast at the single call.
type ExifrOptions = Record<string, boolean | string | number>;

/**
 * EXIF proper (IFD0, Exif, GPS). Values are not "revived": exifr would turn
 * "2018:07:25 16:34:23" into a Date in the server's time zone, inventing a zone the camera
 * never recorded. Translated names, raw values.
 */
const TIFF_OPTIONS: ExifrOptions = {
  tiff: true,
  ifd0: true,
  exif: true,
  gps: true,
  ifd1: false,
  interop: false,
  makerNote: false,
  userComment: false,
  xmp: false,
  icc: false,
  iptc: false,
  jfif: false,
  translateKeys: true,
  translateValues: false,
  reviveValues: false,
  sanitize: true,
  mergeOutput: false,
  silentErrors: true,
};

/**
 * XMP on its own pass: exifr files XMP's exif: and tiff: namespaces under the same keys as the
 * EXIF blocks, so one pass would let an editor's XMP overwrite what the camera wrote.
 */
const XMP_OPTIONS: ExifrOptions = {
  tiff: false,
  xmp: true,
  icc: false,
  iptc: false,
  jfif: false,
  ihdr: false,
  reviveValues: false,
  mergeOutput: false,
  silentErrors: true,
};

async function extractImage(filePath: string, mime: string): Promise<MediaMetadata> {
  const meta: MediaMetadata = { kind: "image", mime };
  const warnings: string[] = [];

  let info: SharpMetadata;
  try {
    // Header only: metadata() does not decode pixels. failOn "none" keeps a file whose pixel
    // data is cut short readable here; what matters is that it is an image at all.
    info = await sharp(filePath, { failOn: "none" }).metadata();
  } catch {
    throw new DomainError("VALIDATION", "The image could not be read: it is damaged, truncated or in a variant we cannot decode.");
  }
  const orientation = info.orientation;
  meta.width = info.autoOrient?.width ?? info.width;
  meta.height = info.autoOrient?.height ?? info.height;
  if (orientation !== undefined) meta.rotation = ORIENTATION_ROTATION[orientation] ?? 0;

  // Where exifr reads from. PNG is special: exifr, reading in chunks, stops looking before an
  // eXIf chunk placed after the image data (as in our Canon/Pixel fixture), so we hand it the
  // metadata chunks only. For formats exifr does not know, sharp's copy of the EXIF block.
  let source: string | Buffer | undefined;
  if (mime === "image/png" || mime === "image/apng") source = await pngMetadataOnly(filePath, warnings);
  else if (EXIFR_FORMATS.has(mime)) source = filePath;
  else if (info.exif && info.exif.length > 6) source = exifBlockAsTiff(info.exif);

  const tiff = source === undefined ? {} : await readTags(source, TIFF_OPTIONS, "EXIF", warnings);
  const xmp = source === undefined || !EXIFR_FORMATS.has(mime) ? {} : await readTags(source, XMP_OPTIONS, "XMP", warnings);

  const ifd0 = block(tiff, "ifd0");
  const exif = block(tiff, "exif");
  const gpsTags = block(tiff, "gps");
  const png = block(tiff, "ihdr"); // PNG header plus tEXt key/values (Make, Software, create-date)
  const xmpBasic = block(xmp, "xmp");
  const xmpTiff = block(xmp, "tiff");
  const xmpExif = block(xmp, "exif");

  meta.make = text(ifd0.Make) ?? text(xmpTiff.Make) ?? text(png.Make);
  meta.model = text(ifd0.Model) ?? text(xmpTiff.Model) ?? text(png.Model);
  // EXIF keeps serials as strings ("0000129324"); XMP's parser turns them into numbers.
  meta.serialNumber = text(exif.SerialNumber) ?? text(exif.BodySerialNumber) ?? text(block(xmp, "aux").SerialNumber) ?? text(block(xmp, "exifEX").BodySerialNumber);
  meta.software = text(ifd0.Software) ?? text(png.Software) ?? text(xmpTiff.Software) ?? text(xmpBasic.CreatorTool);

  meta.captureTime =
    exifTime(exif.DateTimeOriginal, exif.OffsetTimeOriginal) ??
    exifTime(exif.CreateDate, exif.OffsetTimeDigitized) ??
    parseWrittenDateTime(xmpExif.DateTimeOriginal) ??
    parseWrittenDateTime(block(xmp, "photoshop").DateCreated) ??
    parseWrittenDateTime(xmpBasic.CreateDate) ??
    parseWrittenDateTime(png["create-date"]) ??
    parseWrittenDateTime(png["Creation Time"]);
  meta.exifWidth = positiveInteger(exif.ExifImageWidth);
  meta.exifHeight = positiveInteger(exif.ExifImageHeight);
  meta.modifyTime = modifyTime(ifd0.ModifyDate, exif.OffsetTime, xmpBasic.ModifyDate);

  meta.gps = gpsFix(gpsTags);

  const history = Array.isArray(block(xmp, "xmpMM").History) ? (block(xmp, "xmpMM").History as unknown[]) : [];
  const historyAgents = history.map((entry) => (isObject(entry) ? text(entry.softwareAgent) : undefined)).reverse();
  meta.editedBy = detectEditingSoftware([text(ifd0.Software), text(ifd0.ProcessingSoftware), text(xmpBasic.CreatorTool), ...historyAgents, text(png.Software)]);

  const raw = pickRaw({
    ifd0: [ifd0, ["Make", "Model", "Software", "ProcessingSoftware", "ModifyDate", "Orientation", "ImageDescription", "Artist", "Copyright"]],
    exif: [exif, ["DateTimeOriginal", "CreateDate", "OffsetTime", "OffsetTimeOriginal", "OffsetTimeDigitized", "SubSecTimeOriginal", "SerialNumber", "BodySerialNumber", "OwnerName", "LensMake", "LensModel", "ExifImageWidth", "ExifImageHeight"]],
    gps: [gpsTags, ["GPSLatitudeRef", "GPSLatitude", "GPSLongitudeRef", "GPSLongitude", "GPSAltitudeRef", "GPSAltitude", "GPSDateStamp", "GPSTimeStamp", "GPSMapDatum", "GPSImgDirection", "GPSHPositioningError"]],
    png: [png, ["Make", "Model", "Software", "create-date", "Creation Time"]],
    xmp: [xmpBasic, ["CreatorTool", "CreateDate", "ModifyDate", "MetadataDate"]],
    photoshop: [block(xmp, "photoshop"), ["DateCreated"]],
    // DJI's own altitudes: the EXIF GPS altitude of drones is often not what it seems.
    "drone-dji": [block(xmp, "drone-dji"), ["AbsoluteAltitude", "RelativeAltitude", "GimbalYawDegree", "GimbalPitchDegree", "FlightYawDegree"]],
  });
  if (history.length > 0) {
    raw["xmpMM.History"] = toJson(history.slice(-10).map((entry) => (isObject(entry) ? { action: entry.action, when: entry.when, softwareAgent: entry.softwareAgent } : entry))) ?? null;
  }
  if (Object.keys(raw).length > 0) meta.raw = raw;
  if (warnings.length > 0) meta.extractionWarnings = warnings;
  return compact(meta);
}

/** EXIF orientation (1-8) -> clockwise rotation to show upright; 2/4/5/7 also mirror. */
const ORIENTATION_ROTATION: Record<number, number> = { 1: 0, 2: 0, 3: 180, 4: 180, 5: 90, 6: 90, 7: 270, 8: 270 };

async function readTags(source: string | Buffer, options: ExifrOptions, label: string, warnings: string[]): Promise<Tags> {
  try {
    const output: unknown = await exifr.parse(source, options as Parameters<typeof exifr.parse>[1]);
    if (!isObject(output)) return {};
    // With silentErrors exifr keeps going past a bad block and lists what failed.
    if (Array.isArray(output.errors) && output.errors.length > 0) {
      warnings.push(`${label} metadata is partly unreadable: ${output.errors.map(errorText).join("; ")}`);
    }
    return output;
  } catch (error) {
    // A damaged metadata block must not cost the upload: keep dimensions and whatever else.
    const message = errorText(error);
    if (!/unknown file format/i.test(message)) warnings.push(`${label} metadata could not be read: ${message}`);
    return {};
  }
}

function exifTime(value: unknown, offset: unknown): LocalTime | undefined {
  const parsed = parseWrittenDateTime(value);
  if (!parsed) return undefined;
  return parsed.offset ? parsed : withOffset(parsed.local, text(offset));
}

/** EXIF ModifyDate; its zone from OffsetTime, or from XMP's ModifyDate when that is the same clock reading. */
function modifyTime(exifValue: unknown, exifOffset: unknown, xmpValue: unknown): LocalTime | undefined {
  const fromXmp = parseWrittenDateTime(xmpValue);
  const fromExif = exifTime(exifValue, exifOffset);
  if (!fromExif) return fromXmp;
  if (!fromExif.offset && fromXmp?.offset && fromXmp.local === fromExif.local) return fromXmp;
  return fromExif;
}

function gpsFix(tags: Tags): GpsFix | undefined {
  const { latitude, longitude } = tags;
  if (typeof latitude !== "number" || typeof longitude !== "number" || !Number.isFinite(latitude) || !Number.isFinite(longitude)) return undefined;
  if (Math.abs(latitude) > 90 || Math.abs(longitude) > 180) return undefined;
  const fix: GpsFix = { latitude, longitude };
  const altitude = numberOf(tags.GPSAltitude);
  if (altitude !== undefined) {
    // GPSAltitudeRef 1 means the (always positive) altitude is below sea level.
    const below = firstByte(tags.GPSAltitudeRef) === 1;
    fix.altitudeM = below ? -Math.abs(altitude) : altitude;
    if (below) fix.belowSeaLevel = true;
  }
  Object.assign(fix, gpsDateTime(tags.GPSDateStamp, tags.GPSTimeStamp));
  return fix;
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const PNG_IEND = Buffer.from([0, 0, 0, 0, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82]);
/** Chunks exifr reads: header, text key/values, XMP (iTXt), EXIF (eXIf). */
const PNG_METADATA_CHUNKS = new Set(["IHDR", "tEXt", "iTXt", "eXIf"]);
const PNG_MAX_CHUNKS = 50_000;
const PNG_MAX_METADATA_BYTES = 4 * 1024 * 1024;

/**
 * A small PNG made of the original's metadata chunks only, read by seeking from chunk header
 * to chunk header: the pixel data (which may be huge) is skipped, not read.
 */
async function pngMetadataOnly(filePath: string, warnings: string[]): Promise<Buffer> {
  const handle = await open(filePath, "r");
  try {
    const { size } = await handle.stat();
    const parts: Buffer[] = [PNG_SIGNATURE];
    const header = Buffer.alloc(8);
    let offset = PNG_SIGNATURE.length;
    let kept = 0;
    for (let chunks = 0; offset + 12 <= size; chunks++) {
      if (chunks >= PNG_MAX_CHUNKS) {
        warnings.push(`PNG has more than ${PNG_MAX_CHUNKS} chunks; metadata after them was not read.`);
        break;
      }
      await readFully(handle, header, offset);
      const length = header.readUInt32BE(0);
      const type = header.toString("latin1", 4, 8);
      const total = 12 + length; // length + type + data + CRC
      if (offset + total > size) break; // truncated file: keep what came before
      if (PNG_METADATA_CHUNKS.has(type) && kept + total <= PNG_MAX_METADATA_BYTES) {
        const chunk = Buffer.alloc(total);
        await readFully(handle, chunk, offset);
        parts.push(chunk);
        kept += total;
      }
      if (type === "IEND") break;
      offset += total;
    }
    parts.push(PNG_IEND);
    return Buffer.concat(parts);
  } finally {
    await handle.close();
  }
}

async function readFully(handle: Awaited<ReturnType<typeof open>>, buffer: Buffer, position: number): Promise<void> {
  let filled = 0;
  while (filled < buffer.length) {
    const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, position + filled);
    if (bytesRead === 0) throw new Error("unexpected end of file");
    filled += bytesRead;
  }
}

/** sharp's EXIF copy starts "Exif\0\0"; exifr reads what follows as a TIFF file. */
function exifBlockAsTiff(exif: Buffer): Buffer {
  return exif.subarray(0, 6).toString("latin1") === "Exif\0\0" ? exif.subarray(6) : exif;
}

// =============================================================================================
// Videos: ffprobe.

interface ProbeStream {
  index?: number;
  codec_type?: string;
  codec_name?: string;
  width?: number;
  height?: number;
  duration?: string;
  channels?: number;
  sample_rate?: string;
  disposition?: { attached_pic?: number };
  tags?: Record<string, string>;
  side_data_list?: { rotation?: number }[];
}

interface ProbeOutput {
  streams?: ProbeStream[];
  format?: { format_name?: string; duration?: string; tags?: Record<string, string> };
}

async function extractVideo(filePath: string, mime: string, timeoutMs: number): Promise<MediaMetadata> {
  const probe = await runFfprobe(filePath, timeoutMs);
  const streams = probe.streams ?? [];
  const format = probe.format ?? {};
  // Cover art in an MP4 is a "video" stream too; the picture we want is the moving one.
  const videoStream = streams.find((s) => s.codec_type === "video" && !s.disposition?.attached_pic);
  if (!videoStream) throw new DomainError("VALIDATION", "The video could not be read: it contains no video stream.");
  const audioStream = streams.find((s) => s.codec_type === "audio");

  const meta: MediaMetadata = { kind: "video", mime };
  const rotation = streamRotation(videoStream);
  const turned = rotation === 90 || rotation === 270;
  meta.width = turned ? videoStream.height : videoStream.width;
  meta.height = turned ? videoStream.width : videoStream.height;
  meta.rotation = rotation;
  const matrix = videoStream.side_data_list?.find((side) => typeof side.rotation === "number")?.rotation;
  if (matrix !== undefined && Number.isFinite(matrix)) meta.displayMatrixRotation = matrix;
  meta.durationMs = secondsToMs(format.duration) ?? Math.max(0, ...streams.map((s) => secondsToMs(s.duration) ?? 0));
  meta.videoCodec = text(videoStream.codec_name);
  meta.audioCodec = text(audioStream?.codec_name);
  meta.streams = streams.map(streamInfo);

  // Tag names differ in case between writers ("com.apple.quicktime.location.ISO6709").
  const tags = lowerKeys(format.tags);
  const tag = (...names: string[]) => names.map((name) => text(tags[name])).find((value) => value !== undefined);

  meta.make = tag("com.apple.quicktime.make", "make", "com.android.manufacturer");
  meta.model = tag("com.apple.quicktime.model", "model", "com.android.model");
  const androidVersion = tag("com.android.version");
  meta.software = tag("com.apple.quicktime.software", "software") ?? (androidVersion ? `Android ${androidVersion}` : undefined) ?? tag("encoder");
  // Apple writes the local wall-clock time with its offset; "date" is the same in older files.
  meta.captureTime = parseWrittenDateTime(tag("com.apple.quicktime.creationdate")) ?? parseWrittenDateTime(tag("date"));
  meta.containerCreationTimeUtc = containerTime(tag("creation_time")) ?? containerTime(videoStream.tags?.creation_time);

  const location = tag("com.apple.quicktime.location.iso6709", "location", "location-eng");
  if (location) {
    meta.locationIso6709 = location;
    const point = parseIso6709(location);
    if (point) {
      meta.gps = { latitude: point.latitude, longitude: point.longitude };
      if (point.altitudeM !== undefined) meta.gps.altitudeM = point.altitudeM;
    }
  }

  meta.editedBy = detectEditingSoftware([
    tag("com.apple.quicktime.software", "software"),
    tag("encoder"),
    tag("encoded_by"),
    ...streams.map((s) => text(s.tags?.encoder)),
  ]);

  meta.raw = { format_name: format.format_name ?? null, ...prefixed("format.", toJsonTags(format.tags)) };
  return compact(meta);
}

async function runFfprobe(filePath: string, timeoutMs: number): Promise<ProbeOutput> {
  const absolute = path.resolve(filePath);
  // "file:", the protocol allow-list and the demuxer allow-list keep a crafted name or playlist
  // from making ffprobe open URLs or other files; runMediaTool adds the time and memory limits.
  const args = ["-v", "error", "-protocol_whitelist", "file", "-format_whitelist", VIDEO_DEMUXERS, "-print_format", "json", "-show_format", "-show_streams", `file:${absolute}`];
  let result: Awaited<ReturnType<typeof runMediaTool>>;
  try {
    result = await runMediaTool("ffprobe", args, { timeoutMs, maxStdoutBytes: FFPROBE_MAX_OUTPUT_BYTES });
  } catch (error) {
    if (error instanceof DomainError) throw error;
    // The server is broken, not the upload: let it surface as an internal error.
    throw new Error(`ffprobe could not be started: ${(error as Error).message}`, { cause: error });
  }
  if (/failed to execute/i.test(result.stderr) && result.exitCode !== 0) throw new Error("ffprobe could not be started (prlimit could not execute it)");
  if (result.timedOut) {
    throw new DomainError("VALIDATION", `The video could not be read: probing it took longer than ${timeoutMs / 1000} s.`);
  }
  if (result.overflow) {
    throw new DomainError("VALIDATION", "The video could not be read: its structure is implausibly large.");
  }
  if (result.exitCode !== 0) {
    const reason = ffprobeReason(result.stderr, absolute);
    throw new DomainError("VALIDATION", `The video could not be read${reason ? ` (${reason})` : ""}: it is damaged, truncated or not a supported video.`);
  }
  try {
    const parsed: unknown = JSON.parse(result.stdout.toString("utf8"));
    if (isObject(parsed)) return parsed as ProbeOutput;
  } catch {
    // fall through
  }
  throw new DomainError("VALIDATION", "The video could not be read: ffprobe returned no usable description.");
}

/** ffprobe's first (most specific) complaint, without our server paths ("moov atom not found"). */
function ffprobeReason(stderr: string, absolute: string): string | undefined {
  const line = stderr
    .split(/\r?\n/)
    .map((l) => l.split(`file:${absolute}`).join("").split(absolute).join("").replace(/^[\s:]+/, "").replace(/^\[[^\]]*\]\s*/, "").trim())
    .find(Boolean);
  return line ? storableText(line, 160) : undefined;
}

/** Clockwise degrees. ffprobe's display-matrix "rotation" is counter-clockwise; the old "rotate" tag is clockwise. */
function streamRotation(stream: ProbeStream): number {
  const matrix = stream.side_data_list?.find((side) => typeof side.rotation === "number")?.rotation;
  const degrees = matrix !== undefined ? -matrix : Number(stream.tags?.rotate ?? 0);
  if (!Number.isFinite(degrees)) return 0;
  return (((Math.round(degrees / 90) * 90) % 360) + 360) % 360;
}

function streamInfo(stream: ProbeStream, position: number): MediaStreamInfo {
  const type = stream.codec_type;
  const info: MediaStreamInfo = {
    index: stream.index ?? position,
    type: type === "video" || type === "audio" || type === "subtitle" || type === "data" || type === "attachment" ? type : "other",
  };
  if (stream.codec_name) info.codec = stream.codec_name;
  if (typeof stream.width === "number") info.width = stream.width;
  if (typeof stream.height === "number") info.height = stream.height;
  const duration = secondsToMs(stream.duration);
  if (duration !== undefined) info.durationMs = duration;
  if (typeof stream.channels === "number") info.channels = stream.channels;
  const sampleRate = Number(stream.sample_rate);
  if (stream.sample_rate && Number.isFinite(sampleRate)) info.sampleRate = sampleRate;
  return info;
}

function secondsToMs(value: unknown): number | undefined {
  const seconds = typeof value === "string" || typeof value === "number" ? Number(value) : NaN;
  return Number.isFinite(seconds) && seconds >= 0 ? Math.round(seconds * 1000) : undefined;
}

/**
 * The mvhd creation time as ISO UTC. Zero in the file (1904 or 1970 once converted) means
 * "not set", as in most re-encoded files: no time rather than a false one.
 */
function containerTime(value: unknown): string | undefined {
  const ms = typeof value === "string" ? Date.parse(value) : NaN;
  if (Number.isNaN(ms) || ms < Date.UTC(1971, 0, 1)) return undefined;
  return new Date(ms).toISOString();
}

// =============================================================================================
// Small helpers.

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !ArrayBuffer.isView(value);
}

function block(output: Tags, key: string): Tags {
  const value = output[key];
  return isObject(value) ? value : {};
}

/** A trimmed string (numbers as written), or undefined for blanks and non-text. */
function text(value: unknown): string | undefined {
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  if (typeof value !== "string") return undefined;
  // EXIF strings are NUL-padded; some writers fill unused fields with spaces. A NUL inside, or
  // a lone surrogate, would make PostgreSQL refuse the whole record: storableText drops them.
  const trimmed = storableText(value, MAX_RAW_STRING).trim();
  return trimmed || undefined;
}

function numberOf(value: unknown): number | undefined {
  const n = typeof value === "number" ? value : typeof value === "string" ? Number(value) : NaN;
  return Number.isFinite(n) ? n : undefined;
}

function positiveInteger(value: unknown): number | undefined {
  const n = numberOf(value);
  return n !== undefined && Number.isInteger(n) && n > 0 ? n : undefined;
}

/** GPSAltitudeRef arrives as a byte array (raw) or a number (translated). */
function firstByte(value: unknown): number | undefined {
  if (typeof value === "number") return value;
  if (ArrayBuffer.isView(value) && value.byteLength > 0) return new Uint8Array(value.buffer, value.byteOffset, 1)[0];
  if (Array.isArray(value) && typeof value[0] === "number") return value[0];
  return undefined;
}

function lowerKeys(tags: Record<string, string> | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(tags ?? {})) out[key.toLowerCase()] ??= value;
  return out;
}

function errorText(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return storableText(message, 200);
}

const MAX_RAW_STRING = 500;
const MAX_RAW_ARRAY = 64;

/** JSON-safe copy: byte arrays as numbers (short ones only), long strings cut, no functions. */
function toJson(value: unknown, depth = 0): JsonValue | undefined {
  if (value === null) return null;
  if (typeof value === "string") return storableText(value, MAX_RAW_STRING);
  if (typeof value === "number") return Number.isFinite(value) ? value : undefined;
  if (typeof value === "boolean") return value;
  if (ArrayBuffer.isView(value)) {
    const bytes = new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
    return bytes.length <= MAX_RAW_ARRAY ? Array.from(bytes) : undefined;
  }
  if (depth > 3) return undefined;
  if (Array.isArray(value)) {
    return value.slice(0, MAX_RAW_ARRAY).map((item) => toJson(item, depth + 1) ?? null);
  }
  if (isObject(value)) {
    const out: Record<string, JsonValue> = {};
    for (const [key, item] of Object.entries(value).slice(0, MAX_RAW_ARRAY)) {
      const converted = toJson(item, depth + 1);
      if (converted !== undefined) out[key] = converted;
    }
    return out;
  }
  return undefined;
}

function pickRaw(groups: Record<string, [Tags, string[]]>): Record<string, JsonValue> {
  const raw: Record<string, JsonValue> = {};
  for (const [group, [tags, keys]] of Object.entries(groups)) {
    for (const key of keys) {
      const value = toJson(tags[key]);
      if (value !== undefined) raw[`${group}.${key}`] = value;
    }
  }
  return raw;
}

function toJsonTags(tags: Record<string, string> | undefined): Record<string, JsonValue> {
  const out: Record<string, JsonValue> = {};
  for (const [key, value] of Object.entries(tags ?? {}).slice(0, MAX_RAW_ARRAY)) {
    const converted = toJson(value);
    if (converted !== undefined) out[key] = converted;
  }
  return out;
}

function prefixed(prefix: string, values: Record<string, JsonValue>): Record<string, JsonValue> {
  return Object.fromEntries(Object.entries(values).map(([key, value]) => [`${prefix}${key}`, value]));
}

/**
 * Drops undefined fields so the result compares and serialises cleanly, and passes the whole
 * record through storableJson: every string from the file (tags, keys, warnings) is made safe
 * for PostgreSQL (no NUL, no lone surrogates, lengths capped), however it got in.
 */
function compact(meta: MediaMetadata): MediaMetadata {
  const defined = Object.fromEntries(Object.entries(meta).filter(([, value]) => value !== undefined));
  return storableJson(defined) as unknown as MediaMetadata;
}

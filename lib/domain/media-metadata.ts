// Normalised metadata of an uploaded original, and the checks an investigator runs on it.
//
// Pure: the server reads the tags (lib/server/media/extract-metadata.ts) and turns them into a
// MediaMetadata with the parsing helpers below; findContradictions then compares the clocks
// and claims. Nothing here guesses: a time zone is recorded only when the file states one, and
// a finding says what the metadata asserts, never that the media is fake. Metadata is easy to
// strip and to forge, so every finding is a lead to check, not a verdict.

import { type MediaKind } from "./media-types";

/** A value that survives JSON (and a Prisma Json column) unchanged. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** A time as a device's clock wrote it. */
export interface LocalTime {
  /** Wall-clock time exactly as written, without zone or fraction: "2018-07-25T16:34:23". */
  local: string;
  /** The UTC offset the file records alongside it ("+02:00"), only when it records one. */
  offset?: string;
  /** The instant in UTC (ISO 8601), only when `offset` is known: never inferred. */
  utc?: string;
}

export interface GpsFix {
  latitude: number;
  longitude: number;
  /** Metres, signed as the file asserts it: negative when flagged below sea level. */
  altitudeM?: number;
  /** The file's altitude reference says "below sea level" (EXIF GPSAltitudeRef = 1). */
  belowSeaLevel?: boolean;
  /** The GPS receiver's own UTC clock (GPSDateStamp + GPSTimeStamp), when both are present. */
  gpsTimeUtc?: string;
  /** GPSDateStamp alone ("2019-10-20"): some phones write the date but not the time. */
  gpsDate?: string;
}

export interface MediaStreamInfo {
  index: number;
  type: "video" | "audio" | "subtitle" | "data" | "attachment" | "other";
  codec?: string;
  width?: number;
  height?: number;
  durationMs?: number;
  channels?: number;
  sampleRate?: number;
}

export interface MediaMetadata {
  kind: MediaKind;
  mime: string;
  /** Display size: already swapped when rotation/orientation turns the picture by 90°. */
  width?: number;
  height?: number;
  /**
   * Pixel size the camera recorded (EXIF ExifImageWidth/Height). Differs from width/height when
   * the picture was resized or cropped after capture.
   */
  exifWidth?: number;
  exifHeight?: number;
  durationMs?: number;
  /** Clockwise degrees a player turns the stored picture to show it upright: 0, 90, 180, 270. */
  rotation?: number;
  /**
   * The video's display-matrix rotation exactly as ffprobe reports it (counter-clockwise, so an
   * iPhone held upright shows -90), kept with its sign for the record.
   */
  displayMatrixRotation?: number;
  videoCodec?: string;
  audioCodec?: string;
  streams?: MediaStreamInfo[];
  make?: string;
  model?: string;
  serialNumber?: string;
  /** Firmware or OS that wrote the file ("13.1.2", "HDR+ 1.0.199571065z", "Android 6.0.1"). */
  software?: string;
  /** When the camera says the picture was taken (DateTimeOriginal, QuickTime creationdate). */
  captureTime?: LocalTime;
  /** When the file says it was last changed (EXIF ModifyDate). */
  modifyTime?: LocalTime;
  gps?: GpsFix;
  /** The container's own creation time (QuickTime/MP4 mvhd), which is defined as UTC. */
  containerCreationTimeUtc?: string;
  /** Location exactly as the container wrote it ("+51.4169-000.0806/"). */
  locationIso6709?: string;
  /** Editing or re-encoding software named in the file (Lightroom, Photoshop, FFmpeg...). */
  editedBy?: string;
  /** A small, JSON-safe selection of raw tags as read, for the record. */
  raw?: Record<string, JsonValue>;
  /** Metadata that was present but could not be read (a damaged EXIF block, for example). */
  extractionWarnings?: string[];
  /**
   * The file's metadata could not be read (or stored) at all. Thumbnails and hashes are still
   * made; the investigator is told, since a file built to break metadata readers is a lead.
   */
  metadataUnreadable?: boolean;
  /** Why, in words fit for the item page (never a database or parser's raw error). */
  metadataError?: string;
}

/** The record of a file whose metadata could not be read: kind and type only, flagged. */
export function unreadableMetadata(kind: MediaKind, mime: string, reason: string): MediaMetadata {
  return { kind, mime, metadataUnreadable: true, metadataError: reason };
}

// ---------------------------------------------------------------------------------------------
// Parsing helpers shared by the extractor (and unit-tested here, away from real files).

// A time of day is required: a bare date ("2015-06-11") is not a moment, and writing it as
// midnight would invent one.
const WRITTEN_DATE_TIME = /^\s*(\d{4})[:-](\d{2})[:-](\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?(\.\d+)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?\s*$/i;

/**
 * Reads a date-time as devices write them: EXIF "2018:07:25 16:34:23", XMP
 * "2015-07-24T22:45:50+02:00", QuickTime "2012-07-08T20:37:36-0300". Keeps the wall-clock time
 * as written (fractions of a second dropped) and any stated offset; returns undefined for
 * blanks, bare dates, placeholders such as "0000:00:00 00:00:00" and impossible dates.
 */
export function parseWrittenDateTime(value: unknown): LocalTime | undefined {
  if (typeof value !== "string") return undefined;
  const match = WRITTEN_DATE_TIME.exec(value);
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s = "00", , zone] = match;
  const local = `${y}-${mo}-${d}T${h}:${mi}:${s}`;
  if (!isValidLocal(local)) return undefined;
  return withOffset(local, zone);
}

/** A LocalTime from a wall-clock time and an optional stated offset; utc only with the offset. */
export function withOffset(local: string, offset?: string | null): LocalTime | undefined {
  if (!isValidLocal(local)) return undefined;
  const normalized = normalizeOffset(offset);
  if (!normalized) return { local };
  const ms = Date.parse(`${local}${normalized}`);
  return Number.isNaN(ms) ? { local } : { local, offset: normalized, utc: new Date(ms).toISOString() };
}

/** "+02:00", "-0300", "+2", "Z" -> "+02:00", "-03:00", "+02:00", "+00:00"; anything else undefined. */
export function normalizeOffset(offset: unknown): string | undefined {
  if (typeof offset !== "string") return undefined;
  const trimmed = offset.trim();
  if (/^z$/i.test(trimmed)) return "+00:00";
  const match = /^([+-])(\d{1,2})(?::?(\d{2}))?$/.exec(trimmed);
  if (!match) return undefined;
  const hours = Number(match[2]);
  const minutes = Number(match[3] ?? "0");
  if (hours > 14 || minutes > 59 || (hours === 14 && minutes > 0)) return undefined;
  return `${match[1]}${String(hours).padStart(2, "0")}:${String(minutes).padStart(2, "0")}`;
}

function isValidLocal(local: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$/.exec(local);
  if (!match) return false;
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number) as [number, number, number, number, number, number];
  // Cameras with a flat clock battery write 0000:00:00; anything before photography is noise.
  if (year < 1826 || month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return false;
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCDate() === day; // rejects 31 April, 30 February
}

/**
 * The GPS receiver's UTC time from EXIF GPSDateStamp ("2018:07:25") and GPSTimeStamp
 * ([14, 34, 23], seconds possibly fractional). Either part may be missing.
 */
export function gpsDateTime(dateStamp: unknown, timeStamp: unknown): { gpsDate?: string; gpsTimeUtc?: string } {
  const date = typeof dateStamp === "string" ? /^\s*(\d{4})[:-](\d{2})[:-](\d{2})/.exec(dateStamp) : null;
  const gpsDate = date && isValidLocal(`${date[1]}-${date[2]}-${date[3]}T00:00:00`) ? `${date[1]}-${date[2]}-${date[3]}` : undefined;
  if (!gpsDate) return {};
  const parts = Array.isArray(timeStamp) || ArrayBuffer.isView(timeStamp) ? Array.from(timeStamp as ArrayLike<number>, Number) : [];
  const [h, m, s] = parts;
  if (parts.length !== 3 || !isClockPart(h, 24) || !isClockPart(m, 60) || !isClockPart(s, 61)) return { gpsDate };
  const ms = Date.parse(`${gpsDate}T00:00:00Z`) + ((h * 60 + m) * 60 + s) * 1000;
  return { gpsDate, gpsTimeUtc: new Date(Math.round(ms)).toISOString() };
}

function isClockPart(value: number | undefined, limit: number): value is number {
  return typeof value === "number" && Number.isFinite(value) && value >= 0 && value < limit;
}

/**
 * ISO 6709 as containers write it: "+51.4169-000.0806/", "+27.5916+086.5640+8850.000/",
 * also the degrees-minutes(-seconds) forms "+4012.34-07530.12/". Undefined when malformed or
 * out of range.
 */
export function parseIso6709(value: unknown): { latitude: number; longitude: number; altitudeM?: number } | undefined {
  if (typeof value !== "string") return undefined;
  const match = /^\s*([+-]\d+(?:\.\d+)?)([+-]\d+(?:\.\d+)?)([+-]\d+(?:\.\d+)?)?(?:CRS[^/]*)?\/?\s*$/i.exec(value);
  if (!match) return undefined;
  const latitude = iso6709Angle(match[1]!, 2);
  const longitude = iso6709Angle(match[2]!, 3);
  if (latitude === undefined || longitude === undefined || Math.abs(latitude) > 90 || Math.abs(longitude) > 180) return undefined;
  const altitudeM = match[3] === undefined ? undefined : Number(match[3]);
  return altitudeM === undefined || !Number.isFinite(altitudeM) ? { latitude, longitude } : { latitude, longitude, altitudeM };
}

/** ±DD[MM[SS]][.fff]: the integer width tells which form; the fraction belongs to the last unit. */
function iso6709Angle(text: string, degreeDigits: 2 | 3): number | undefined {
  const sign = text.startsWith("-") ? -1 : 1;
  const [integer = "", fraction = ""] = text.slice(1).split(".");
  const frac = fraction ? Number(`0.${fraction}`) : 0;
  let degrees: number;
  if (integer.length === degreeDigits) {
    degrees = Number(integer) + frac;
  } else if (integer.length === degreeDigits + 2) {
    const minutes = Number(integer.slice(degreeDigits)) + frac;
    if (minutes >= 60) return undefined;
    degrees = Number(integer.slice(0, degreeDigits)) + minutes / 60;
  } else if (integer.length === degreeDigits + 4) {
    const minutes = Number(integer.slice(degreeDigits, degreeDigits + 2));
    const seconds = Number(integer.slice(degreeDigits + 2)) + frac;
    if (minutes >= 60 || seconds >= 60) return undefined;
    degrees = Number(integer.slice(0, degreeDigits)) + minutes / 60 + seconds / 3600;
  } else {
    return undefined;
  }
  return Number.isFinite(degrees) ? sign * degrees : undefined;
}

// Software whose name in a file means the pixels or the stream went through an editor or a
// re-encoder after the camera. Camera firmware strings ("HDR+ 1.0...", "13.1.2") never match.
const EDITORS: readonly RegExp[] = [
  /photoshop/i,
  /lightroom/i,
  /\bgimp\b/i,
  /snapseed/i,
  /affinity (photo|designer)/i,
  /pixelmator/i,
  /capture one/i,
  /luminar/i,
  /darktable/i,
  /rawtherapee/i,
  /picsart/i,
  /\bvsco\b/i,
  /facetune/i,
  /\bcanva\b/i,
  /paint\.net/i,
  /acdsee/i,
  /picasa/i,
  /photoscape/i,
  /\bfotor\b/i,
  /photo ?editor/i,
  /premiere/i,
  /after effects/i,
  /final cut/i,
  /imovie/i,
  /davinci resolve/i,
  /capcut/i,
  /inshot/i,
  /kinemaster/i,
  /handbrake/i,
  // FFmpeg's libavformat/libavcodec stamp "Lavf58.29.100" on every file they write.
  /^lav[fc]\d/i,
  /\bffmpeg\b/i,
];

/** The first candidate naming editing or re-encoding software, as written. */
export function detectEditingSoftware(candidates: readonly (string | null | undefined)[]): string | undefined {
  for (const candidate of candidates) {
    if (typeof candidate !== "string") continue;
    const trimmed = candidate.trim();
    if (trimmed && EDITORS.some((pattern) => pattern.test(trimmed))) return trimmed;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Findings.

export type FindingSeverity = "info" | "warning";

export type FindingCode =
  | "CAMERA_CLOCK_OFFSET_FROM_GPS"
  | "CAMERA_GPS_CLOCK_MISMATCH"
  | "INCONSISTENT_GPS_DATE"
  | "CAMERA_CLOCK_OFFSET_FROM_CONTAINER"
  | "CAMERA_CONTAINER_CLOCK_MISMATCH"
  | "INCONSISTENT_CONTAINER_DATE"
  | "CAPTURED_AFTER_UPLOAD"
  | "CLAIMED_DATE_MISMATCH"
  | "EDITED_BY_SOFTWARE"
  | "MODIFIED_AFTER_CAPTURE"
  | "GPS_BELOW_SEA_LEVEL"
  | "DIMENSIONS_DIFFER_FROM_EXIF"
  | "NO_CAPTURE_METADATA"
  | "METADATA_UNREADABLE";

export interface MetadataFinding {
  code: FindingCode;
  message: string;
  severity: FindingSeverity;
}

export interface ContradictionContext {
  /** When the platform says the post went up; nothing can have been filmed after it. */
  platformUploadedAt?: Date | null;
  /** The date the source claims ("2024-03-01" or an ISO date-time; only the date is used). */
  claimedDate?: string | null;
}

export interface ContradictionOptions {
  /** How far two clocks may drift and still agree. GPS fixes and clocks lag by minutes. */
  clockToleranceMinutes?: number;
  /** Days a capture date may differ from the claimed date (time zones, posts after midnight). */
  claimedDateToleranceDays?: number;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** UTC offsets in use somewhere (minutes): clock differences that are exactly one are a zone. */
const ZONE_OFFSETS_MIN = [
  -720, -660, -600, -570, -540, -480, -420, -360, -300, -240, -210, -180, -120, -60, 0, 60, 120, 180, 210, 240, 270, 300,
  330, 345, 360, 390, 420, 480, 525, 540, 570, 600, 630, 660, 720, 765, 780, 840,
];
const MAX_ZONE_MS = 14 * HOUR;

/**
 * Compares what the metadata asserts with itself and with the context of the post. Findings
 * are leads: "warning" when something cannot all be true (or the file was edited), "info" for
 * facts worth knowing (the camera's apparent time zone, stripped metadata).
 */
export function findContradictions(
  meta: MediaMetadata,
  context: ContradictionContext = {},
  options: ContradictionOptions = {},
): MetadataFinding[] {
  const tolerance = (options.clockToleranceMinutes ?? 5) * MINUTE;
  const claimedTolerance = options.claimedDateToleranceDays ?? 1;
  const findings: MetadataFinding[] = [];
  const add = (code: FindingCode, severity: FindingSeverity, message: string) => findings.push({ code, severity, message });
  const capture = meta.captureTime;

  // Camera clock against the GPS receiver's clock (which is UTC and rarely wrong).
  const gps = meta.gps;
  if (capture && gps?.gpsTimeUtc) {
    const result = compareClocks(capture, Date.parse(gps.gpsTimeUtc), tolerance);
    const gpsText = `GPS clock ${gps.gpsTimeUtc}`;
    const cameraText = `camera clock ${describeLocal(capture)}`;
    switch (result?.kind) {
      case "zone":
        add("CAMERA_CLOCK_OFFSET_FROM_GPS", "info", `The ${cameraText} matches the ${gpsText} if the camera was set to UTC${formatOffset(result.offsetMin)}.`);
        break;
      case "not-a-zone":
        add("CAMERA_GPS_CLOCK_MISMATCH", "warning", `The ${cameraText} differs from the ${gpsText} by ${formatSpan(result.diffMs)} (apparent offset UTC${formatSignedSpan(result.diffMs)}), which is no time zone: the nearest, UTC${formatOffset(result.nearestOffsetMin)}, still leaves ${formatSpan(result.residualMs)}.`);
        break;
      case "disagree":
        add("CAMERA_GPS_CLOCK_MISMATCH", "warning", `The ${cameraText} and the ${gpsText} are ${formatSpan(result.diffMs)} apart although the camera recorded its offset.`);
        break;
      case "days-apart":
        add("INCONSISTENT_GPS_DATE", "warning", `The metadata contradicts itself: ${cameraText} says ${capture.local.slice(0, 10)} but the GPS fix is dated ${gps.gpsTimeUtc.slice(0, 10)}, ${formatSpan(result.diffMs)} apart. The GPS block may have been copied from another file.`);
        break;
    }
  } else if (capture && gps?.gpsDate) {
    const days = Math.abs(dayNumber(capture.local) - dayNumber(gps.gpsDate));
    if (days > 1) {
      add("INCONSISTENT_GPS_DATE", "warning", `The metadata contradicts itself: the camera clock says ${capture.local.slice(0, 10)} but the GPS fix is dated ${gps.gpsDate}, ${days} days apart. The GPS block may have been copied from another file.`);
    }
  }

  // Camera clock against the container's creation time (UTC by definition, but some cameras
  // write local time there, and many write it when recording stops: allow for the duration).
  if (capture && meta.containerCreationTimeUtc) {
    const result = compareClocks(capture, Date.parse(meta.containerCreationTimeUtc), tolerance + (meta.durationMs ?? 0));
    const containerText = `container creation time ${meta.containerCreationTimeUtc}`;
    const cameraText = `camera clock ${describeLocal(capture)}`;
    switch (result?.kind) {
      case "zone":
        add("CAMERA_CLOCK_OFFSET_FROM_CONTAINER", "info", `The ${cameraText} matches the ${containerText} if the camera was set to UTC${formatOffset(result.offsetMin)}.`);
        break;
      case "not-a-zone":
        add("CAMERA_CONTAINER_CLOCK_MISMATCH", "warning", `The ${cameraText} differs from the ${containerText} by ${formatSpan(result.diffMs)}, which is no time zone (nearest UTC${formatOffset(result.nearestOffsetMin)} leaves ${formatSpan(result.residualMs)}). The file may have been re-muxed or exported later.`);
        break;
      case "disagree":
        add("CAMERA_CONTAINER_CLOCK_MISMATCH", "warning", `The ${cameraText} and the ${containerText} are ${formatSpan(result.diffMs)} apart. The file may have been re-muxed or exported later, or a clock was wrong.`);
        break;
      case "days-apart":
        add("INCONSISTENT_CONTAINER_DATE", "warning", `The metadata contradicts itself: the ${cameraText} and the ${containerText} are ${formatSpan(result.diffMs)} apart.`);
        break;
    }
  }

  // Nothing can be recorded after it was posted.
  const uploadedAt = context.platformUploadedAt?.getTime();
  if (uploadedAt !== undefined && !Number.isNaN(uploadedAt)) {
    const uploadText = context.platformUploadedAt!.toISOString();
    for (const [label, earliest] of timeClaims(meta)) {
      if (earliest > uploadedAt + tolerance) {
        add("CAPTURED_AFTER_UPLOAD", "warning", `The ${label} is after the platform upload time ${uploadText}: impossible for an original, so a clock is wrong or this is not the uploaded file.`);
      }
    }
  }

  // The date the source claims against the date the metadata gives.
  const claimedDay = parseDay(context.claimedDate);
  const metaDay = bestDay(meta);
  if (claimedDay && metaDay) {
    const days = Math.abs(dayNumber(claimedDay) - dayNumber(metaDay.day));
    if (days > claimedTolerance) {
      add("CLAIMED_DATE_MISMATCH", "warning", `The ${metaDay.label} gives ${metaDay.day}, ${days} days from the claimed date ${claimedDay}.`);
    }
  }

  if (meta.editedBy) {
    add("EDITED_BY_SOFTWARE", "warning", `The file was processed by ${meta.editedBy}: pixels, crop or metadata may differ from the camera original.`);
  }

  if (capture && meta.modifyTime) {
    // Compare instants when both offsets are known, otherwise the two readings of one clock.
    const modified = meta.modifyTime.utc && capture.utc ? Date.parse(meta.modifyTime.utc) - Date.parse(capture.utc) : localMs(meta.modifyTime.local) - localMs(capture.local);
    if (modified > MINUTE) {
      add("MODIFIED_AFTER_CAPTURE", "info", `The file was modified ${formatSpan(modified)} after capture (modify time ${describeLocal(meta.modifyTime)}, capture ${describeLocal(capture)}).`);
    }
  }

  if (meta.exifWidth && meta.exifHeight && meta.width && meta.height) {
    const same = (meta.width === meta.exifWidth && meta.height === meta.exifHeight) || (meta.width === meta.exifHeight && meta.height === meta.exifWidth);
    if (!same) {
      add("DIMENSIONS_DIFFER_FROM_EXIF", "info", `The picture is ${meta.width}x${meta.height} but its EXIF records ${meta.exifWidth}x${meta.exifHeight}: it was resized or cropped after capture, so this is not the camera original.`);
    }
  }

  if (gps?.belowSeaLevel) {
    add("GPS_BELOW_SEA_LEVEL", "info", `The GPS altitude is flagged below sea level (${gps.altitudeM ?? "?"} m). Some devices (DJI drones among them) set this flag wrongly; check against the terrain.`);
  }

  if (meta.metadataUnreadable) {
    add("METADATA_UNREADABLE", "warning", `The file's metadata could not be read${meta.metadataError ? ` (${meta.metadataError.replace(/[.\s]+$/, "")})` : ""}. Files made to break metadata readers exist; check this one by its pictures, not its tags.`);
  } else if (!capture && !gps && !meta.containerCreationTimeUtc && !meta.make && !meta.model) {
    add("NO_CAPTURE_METADATA", "info", "No camera, capture time or location metadata. Typical of files re-encoded by a platform or messenger, which strip it; on its own it says nothing about authenticity.");
  }

  return findings;
}

type ClockComparison =
  | { kind: "agree"; diffMs: number }
  | { kind: "disagree"; diffMs: number }
  | { kind: "zone"; offsetMin: number }
  | { kind: "not-a-zone"; diffMs: number; nearestOffsetMin: number; residualMs: number }
  | { kind: "days-apart"; diffMs: number };

/**
 * Camera clock against a UTC reference. With a recorded offset the two instants must agree;
 * without one, their difference is the camera's apparent time zone and must be a real one.
 */
function compareClocks(camera: LocalTime, referenceUtcMs: number, toleranceMs: number): ClockComparison | undefined {
  if (Number.isNaN(referenceUtcMs)) return undefined;
  if (camera.utc) {
    const diffMs = Date.parse(camera.utc) - referenceUtcMs;
    if (Math.abs(diffMs) <= toleranceMs) return { kind: "agree", diffMs };
    return Math.abs(diffMs) > DAY + 2 * HOUR ? { kind: "days-apart", diffMs } : { kind: "disagree", diffMs };
  }
  const diffMs = localMs(camera.local) - referenceUtcMs;
  if (Number.isNaN(diffMs)) return undefined;
  if (Math.abs(diffMs) > MAX_ZONE_MS + toleranceMs) return { kind: "days-apart", diffMs };
  let nearestOffsetMin = 0;
  for (const offset of ZONE_OFFSETS_MIN) {
    if (Math.abs(diffMs - offset * MINUTE) < Math.abs(diffMs - nearestOffsetMin * MINUTE)) nearestOffsetMin = offset;
  }
  const residualMs = Math.abs(diffMs - nearestOffsetMin * MINUTE);
  return residualMs <= toleranceMs ? { kind: "zone", offsetMin: nearestOffsetMin } : { kind: "not-a-zone", diffMs, nearestOffsetMin, residualMs };
}

/** Every instant the metadata places the recording at, as its earliest possible UTC time. */
function timeClaims(meta: MediaMetadata): [string, number][] {
  const claims: [string, number][] = [];
  const capture = meta.captureTime;
  if (capture?.utc) claims.push([`capture time ${describeLocal(capture)}`, Date.parse(capture.utc)]);
  // Without an offset the wall-clock time could be in any zone: UTC+14 is the earliest reading.
  else if (capture) claims.push([`capture time ${capture.local} (even read as UTC+14:00)`, localMs(capture.local) - MAX_ZONE_MS]);
  if (meta.gps?.gpsTimeUtc) claims.push([`GPS time ${meta.gps.gpsTimeUtc}`, Date.parse(meta.gps.gpsTimeUtc)]);
  if (meta.containerCreationTimeUtc) claims.push([`container creation time ${meta.containerCreationTimeUtc}`, Date.parse(meta.containerCreationTimeUtc)]);
  return claims.filter(([, ms]) => !Number.isNaN(ms));
}

/** The calendar day the metadata best supports, with where it came from. */
function bestDay(meta: MediaMetadata): { day: string; label: string } | undefined {
  if (meta.captureTime) return { day: meta.captureTime.local.slice(0, 10), label: "camera clock" };
  if (meta.gps?.gpsTimeUtc) return { day: meta.gps.gpsTimeUtc.slice(0, 10), label: "GPS clock" };
  if (meta.gps?.gpsDate) return { day: meta.gps.gpsDate, label: "GPS date" };
  if (meta.containerCreationTimeUtc) return { day: meta.containerCreationTimeUtc.slice(0, 10), label: "container creation time" };
  return undefined;
}

function parseDay(value: string | null | undefined): string | undefined {
  const match = typeof value === "string" ? /^\s*(\d{4}-\d{2}-\d{2})/.exec(value) : null;
  return match && isValidLocal(`${match[1]}T00:00:00`) ? match[1] : undefined;
}

/** A wall-clock time on a zone-less time line (read as if UTC), for differences only. */
function localMs(local: string): number {
  return Date.parse(`${local}Z`);
}

function dayNumber(day: string): number {
  return Math.round(Date.parse(`${day.slice(0, 10)}T00:00:00Z`) / DAY);
}

function describeLocal(time: LocalTime): string {
  return time.offset ? `${time.local}${time.offset}` : time.local;
}

/** Minutes east of UTC as "+05:45". */
export function formatOffset(offsetMin: number): string {
  const sign = offsetMin < 0 ? "-" : "+";
  const abs = Math.abs(offsetMin);
  return `${sign}${String(Math.floor(abs / 60)).padStart(2, "0")}:${String(abs % 60).padStart(2, "0")}`;
}

function formatSignedSpan(ms: number): string {
  return `${ms < 0 ? "-" : "+"}${formatSpan(ms)}`;
}

/** A difference for people: "3h 11m 55s", "5 days 0h 0m". */
export function formatSpan(ms: number): string {
  let seconds = Math.round(Math.abs(ms) / 1000);
  const days = Math.floor(seconds / 86_400);
  seconds -= days * 86_400;
  const hours = Math.floor(seconds / 3600);
  seconds -= hours * 3600;
  const minutes = Math.floor(seconds / 60);
  seconds -= minutes * 60;
  if (days > 0) return `${days} day${days === 1 ? "" : "s"} ${hours}h ${minutes}m`;
  if (hours > 0) return `${hours}h ${minutes}m ${seconds}s`;
  if (minutes > 0) return `${minutes}m ${seconds}s`;
  return `${seconds}s`;
}

/** An altitude for people: to 0.1 m ("252 m", "-8.5 m"), never 13 decimals of float noise. */
export function formatAltitude(metres: number): string {
  const rounded = Math.round(metres * 10) / 10;
  return `${Object.is(rounded, -0) ? 0 : rounded} m`;
}

/** A rotation for people: the stored clockwise turn, with ffprobe's own signed value when known. */
export function describeRotation(meta: Pick<MediaMetadata, "rotation" | "displayMatrixRotation">): string | null {
  if (meta.rotation === undefined && meta.displayMatrixRotation === undefined) return null;
  const turn = meta.rotation ? `shown turned ${meta.rotation}° clockwise` : "none";
  return meta.displayMatrixRotation !== undefined ? `${turn} (display matrix ${meta.displayMatrixRotation}°)` : turn;
}

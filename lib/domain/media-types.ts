// Which uploads we accept, and how their names are made safe to store and show.
//
// Pure rules (no Node, Next.js or database): the server sniffs the real type from the bytes
// (lib/server/media/sniff.ts) and asks these functions whether that type is acceptable. The
// browser-supplied type and file name are never trusted for anything but display.

import { storableText } from "./storable-text";

export type MediaKind = "image" | "video";

/**
 * Accepted types, keyed by the canonical MIME name (the name `file-type` reports when it
 * sniffs the bytes). Still images that sharp can read and videos that ffprobe can read; camera
 * RAW formats, PSD and similar are refused until something can actually process them.
 */
const ACCEPTED: ReadonlyMap<string, MediaKind> = new Map<string, MediaKind>([
  ["image/jpeg", "image"],
  ["image/png", "image"],
  ["image/apng", "image"],
  ["image/webp", "image"],
  ["image/gif", "image"],
  ["image/heic", "image"],
  ["image/heic-sequence", "image"],
  ["image/heif", "image"],
  ["image/heif-sequence", "image"],
  ["image/avif", "image"],
  ["image/tiff", "image"],
  ["image/bmp", "image"],
  ["video/mp4", "video"],
  ["video/x-m4v", "video"],
  ["video/quicktime", "video"],
  ["video/webm", "video"],
  ["video/matroska", "video"],
  ["video/3gpp", "video"],
  ["video/3gpp2", "video"],
  ["video/vnd.avi", "video"],
  ["video/mp2t", "video"],
  ["video/mpeg", "video"],
  ["video/mp1s", "video"],
  ["video/mp2p", "video"],
  ["video/x-flv", "video"],
  ["video/x-ms-asf", "video"],
  ["video/ogg", "video"],
]);

/**
 * Other spellings of the same types, as sent by browsers, operating systems and older tools,
 * so a type given by a client compares equal to the sniffed one.
 */
const ALIASES: ReadonlyMap<string, string> = new Map([
  ["image/jpg", "image/jpeg"],
  ["image/pjpeg", "image/jpeg"],
  ["image/x-png", "image/png"],
  ["image/x-tiff", "image/tiff"],
  ["image/x-ms-bmp", "image/bmp"],
  ["image/x-bmp", "image/bmp"],
  ["video/x-matroska", "video/matroska"],
  ["video/avi", "video/vnd.avi"],
  ["video/msvideo", "video/vnd.avi"],
  ["video/x-msvideo", "video/vnd.avi"],
  ["video/x-quicktime", "video/quicktime"],
  ["video/x-ms-wmv", "video/x-ms-asf"],
  ["video/x-flash-video", "video/x-flv"],
  ["video/3gp", "video/3gpp"],
]);

/**
 * The canonical lower-case MIME name without parameters (`Video/MP4; codecs="avc1"` ->
 * `video/mp4`), aliases resolved. Returns the input normalised even when it is not accepted.
 */
export function normalizeMediaType(mime: string): string {
  const bare = mime.split(";", 1)[0]!.trim().toLowerCase();
  return ALIASES.get(bare) ?? bare;
}

export function isAcceptedMediaType(mime: string | null | undefined): boolean {
  return typeof mime === "string" && ACCEPTED.has(normalizeMediaType(mime));
}

/** "image" or "video" for an accepted type; null for anything we do not accept. */
export function mediaKindOf(mime: string | null | undefined): MediaKind | null {
  if (typeof mime !== "string") return null;
  return ACCEPTED.get(normalizeMediaType(mime)) ?? null;
}

/** The accepted canonical MIME types, for upload forms (`accept=`) and documentation. */
export function acceptedMediaTypes(): string[] {
  return [...ACCEPTED.keys()];
}

export const MAX_FILENAME_LENGTH = 200;
/** Longer "extensions" are just dots in a name ("report.final version 2"), not extensions. */
const MAX_EXTENSION_LENGTH = 16;

// Control characters (C0, DEL, C1), and invisible format characters that disguise names:
// bidi overrides turn "photo\u202Egpj.exe" into something that reads "photoexe.jpg", and
// zero-width characters make two names that look identical compare different.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g;
// Reserved on Windows or meaningful to shells and URLs; slashes were already used to split.
const RESERVED = /[<>:"/\\|?*]/g;
// Device names Windows refuses as file names whatever the extension ("CON.txt").
const WINDOWS_DEVICE = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$/i;

/**
 * A file name safe to store, put in a Content-Disposition header and show: the last path
 * segment only (a client may send "../../etc/passwd" or "C:\\Users\\x\\photo.jpg"), without
 * control or reserved characters, leading dots (hidden files, "..") or runs of whitespace, at
 * most MAX_FILENAME_LENGTH characters with the extension kept, and never empty ("file").
 * Letters in any script are kept: investigators' files are named in many languages.
 */
export function sanitizeFilename(name: string): string {
  // Normalise first so a name typed on macOS (decomposed) and Windows (composed) agree.
  const segments = name.normalize("NFC").split(/[/\\]+/);
  let base = "";
  for (let i = segments.length - 1; i >= 0 && !base; i--) {
    base = cleanSegment(segments[i]!);
  }
  if (WINDOWS_DEVICE.test(base)) base = `_${base}`;
  base = truncateKeepingExtension(base, MAX_FILENAME_LENGTH);
  return base || "file";
}

function cleanSegment(segment: string): string {
  // storableText: lone surrogates (invalid Unicode that PostgreSQL's jsonb refuses) become U+FFFD.
  return storableText(segment.replace(CONTROL, " "), Number.POSITIVE_INFINITY)
    .replace(RESERVED, "_")
    .replace(/\s+/g, " ")
    .trim()
    .replace(/^[.\s]+/, "")
    // Windows silently drops trailing dots and spaces, so "x.exe." would become "x.exe".
    .replace(/[.\s]+$/, "");
}

function truncateKeepingExtension(name: string, max: number): string {
  // Count code points, not UTF-16 units, so an emoji is never cut in half.
  const chars = Array.from(name);
  if (chars.length <= max) return name;
  const dot = name.lastIndexOf(".");
  const extension = dot > 0 ? name.slice(dot) : "";
  const extensionChars = Array.from(extension);
  const keepExtension = extensionChars.length > 1 && extensionChars.length <= MAX_EXTENSION_LENGTH && !/\s/.test(extension);
  if (!keepExtension) return chars.slice(0, max).join("").trimEnd();
  const stem = Array.from(name.slice(0, dot))
    .slice(0, max - extensionChars.length)
    .join("")
    .replace(/[.\s]+$/, "");
  return stem + extension;
}

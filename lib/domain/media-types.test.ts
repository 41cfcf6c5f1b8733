import { describe, expect, it } from "vitest";
import {
  MAX_FILENAME_LENGTH,
  acceptedMediaTypes,
  isAcceptedMediaType,
  mediaKindOf,
  normalizeMediaType,
  sanitizeFilename,
} from "./media-types";

describe("accepted media types", () => {
  it.each<[string, "image" | "video" | null]>([
    ["image/jpeg", "image"],
    ["image/png", "image"],
    ["image/webp", "image"],
    ["image/gif", "image"],
    ["image/heic", "image"],
    ["image/heif", "image"],
    ["image/avif", "image"],
    ["image/tiff", "image"],
    ["video/mp4", "video"],
    ["video/quicktime", "video"],
    ["video/webm", "video"],
    ["video/matroska", "video"],
    ["video/3gpp", "video"],
    ["video/vnd.avi", "video"],
    ["video/mp2t", "video"],
    // Aliases and odd spellings browsers send.
    ["image/jpg", "image"],
    ["IMAGE/JPEG", "image"],
    ["video/x-matroska", "video"],
    ["video/x-msvideo", "video"],
    ['video/mp4; codecs="avc1.42E01E"', "video"],
    // file-type reports MPEG program streams in upper case.
    ["video/MP2P", "video"],
    // Refused: executables, documents, audio, formats nothing here can process, garbage.
    ["application/x-elf", null],
    ["application/x-msdownload", null],
    ["application/pdf", null],
    ["text/plain", null],
    ["text/html", null],
    ["image/svg+xml", null],
    ["image/x-canon-cr2", null],
    ["image/vnd.adobe.photoshop", null],
    ["audio/mpeg", null],
    ["application/octet-stream", null],
    ["", null],
    ["image", null],
    ["image/", null],
  ])("%s -> %s", (mime, kind) => {
    expect(mediaKindOf(mime)).toBe(kind);
    expect(isAcceptedMediaType(mime)).toBe(kind !== null);
  });

  it("rejects missing types", () => {
    expect(isAcceptedMediaType(null)).toBe(false);
    expect(isAcceptedMediaType(undefined)).toBe(false);
    expect(mediaKindOf(null)).toBeNull();
  });

  it.each([
    ["image/jpg", "image/jpeg"],
    [" Video/X-Matroska ; charset=binary", "video/matroska"],
    ["video/avi", "video/vnd.avi"],
    ["application/x-elf", "application/x-elf"],
  ])("normalizes %j to %s", (input, expected) => {
    expect(normalizeMediaType(input)).toBe(expected);
  });

  it("lists only canonical, accepted names", () => {
    const list = acceptedMediaTypes();
    expect(list).toContain("image/jpeg");
    expect(list).toContain("video/quicktime");
    for (const mime of list) {
      expect(normalizeMediaType(mime)).toBe(mime);
      expect(isAcceptedMediaType(mime)).toBe(true);
    }
  });
});

describe("sanitizeFilename", () => {
  it.each<[string, string, string]>([
    ["plain name is unchanged", "IMG_0034.MOV", "IMG_0034.MOV"],
    ["path traversal keeps only the last segment", "../../etc/passwd", "passwd"],
    ["Windows path keeps only the file", "C:\\evil\\x.exe", "x.exe"],
    ["mixed separators", "a/b\\c/d.jpg", "d.jpg"],
    ["trailing slash falls back to the directory name", "photos/2024/", "2024"],
    ["only separators and dots", "../../..", "file"],
    ["empty", "", "file"],
    ["whitespace only", "  \t \n ", "file"],
    ["NUL byte truncation trick", "evil.mp4\u0000.jpg", "evil.mp4 .jpg"],
    ["newlines (header injection)", "a\r\nSet-Cookie: x=1.jpg", "a Set-Cookie_ x=1.jpg"],
    ["other control characters", "x\u0007y\u001bz.png", "x y z.png"],
    ["bidi override disguising an extension", "photo\u202Egpj.exe", "photo gpj.exe"],
    ["zero-width characters", "ab\u200Bc.jpg", "ab c.jpg"],
    ["reserved characters", 'a<b>c:d"e|f?g*h.png', "a_b_c_d_e_f_g_h.png"],
    ["leading dots (hidden file)", ".htaccess", "htaccess"],
    ["leading dots and spaces", " . .. .bashrc", "bashrc"],
    ["trailing dots and spaces", "report.pdf. . ", "report.pdf"],
    ["collapses whitespace", "my   holiday \t photo.jpg", "my holiday photo.jpg"],
    ["Windows device name", "CON.txt", "_CON.txt"],
    ["device-like name that is not a device", "console.txt", "console.txt"],
    ["unicode: Ukrainian", "Відео з Харкова.mp4", "Відео з Харкова.mp4"],
    ["unicode: Arabic", "صورة من حلب.jpg", "صورة من حلب.jpg"],
    ["unicode: CJK and emoji", "東京 🚀 写真.heic", "東京 🚀 写真.heic"],
    ["unicode is NFC-normalised", "Cafe\u0301.jpg", "Caf\u00e9.jpg"],
    ["a lone surrogate (invalid Unicode) becomes U+FFFD", "bad\uD800name.jpg", "bad\uFFFDname.jpg"],
  ])("%s", (_label, input, expected) => {
    expect(sanitizeFilename(input)).toBe(expected);
  });

  it.each<[string, string, string]>([
    ["ASCII stem with extension", "a".repeat(500) + ".jpeg", ".jpeg"],
    ["emoji stem (never split a surrogate pair)", "🚀".repeat(500) + ".mp4", ".mp4"],
    ["Cyrillic stem", "ж".repeat(500) + ".mov", ".mov"],
  ])(`limits a 500-character name (%s) to ${MAX_FILENAME_LENGTH} characters, keeping the extension`, (_label, input, extension) => {
    const out = sanitizeFilename(input);
    expect(Array.from(out)).toHaveLength(MAX_FILENAME_LENGTH);
    expect(out.endsWith(extension)).toBe(true);
    // encodeURIComponent throws on a lone surrogate, i.e. a character cut in half.
    expect(() => encodeURIComponent(out)).not.toThrow();
  });

  it("cuts a long name without a real extension plainly", () => {
    const input = "x".repeat(300) + ".this is not an extension";
    const out = sanitizeFilename(input);
    expect(out).toBe("x".repeat(MAX_FILENAME_LENGTH));
  });

  it("is idempotent", () => {
    for (const input of ["../../etc/passwd", "a\u0000b.jpg", " .hidden ", "z".repeat(400) + ".png", "Відео.mp4"]) {
      const once = sanitizeFilename(input);
      expect(sanitizeFilename(once)).toBe(once);
    }
  });
});

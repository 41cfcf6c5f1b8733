import "server-only";
import { open } from "node:fs/promises";
import { fileTypeFromBuffer } from "file-type";
import { DomainError } from "@/lib/domain/errors";
import { type MediaKind, mediaKindOf, normalizeMediaType } from "@/lib/domain/media-types";

/**
 * Bytes file-type needs to recognise every format it knows (its documented sample size). We read
 * only these: an upload can be gigabytes, and its type is in its first bytes.
 */
export const SNIFF_BYTES = 4100;

export interface SniffedType {
  /** Canonical MIME name, as lib/domain/media-types knows it. */
  mime: string;
  /** The extension that matches the content ("mov"), whatever the upload was called. */
  ext: string;
}

/**
 * The type the file's bytes say it is, or null when they match no known format (text, empty,
 * random). Never looks at the file name or the client's Content-Type: both are the uploader's
 * claim, and a renamed executable must not pass as a video.
 */
export async function sniffFile(filePath: string): Promise<SniffedType | null> {
  const head = await readFileHead(filePath, SNIFF_BYTES);
  if (head.length === 0) return null;
  const found = await fileTypeFromBuffer(head);
  return found ? { mime: normalizeMediaType(found.mime), ext: found.ext } : null;
}

/**
 * The sniffed type of an upload we accept, or a VALIDATION error that tells the uploader why
 * not (empty, unrecognisable, or recognised as something that is not an image or video).
 */
export async function assertAcceptedMedia(filePath: string): Promise<SniffedType & { kind: MediaKind }> {
  return assertAcceptedMediaHead(await readFileHead(filePath, SNIFF_BYTES));
}

/**
 * assertAcceptedMedia for bytes that are not in a local file (an upload kept in the bucket):
 * `head` is the file's first SNIFF_BYTES bytes, or all of it when it is shorter.
 */
export async function assertAcceptedMediaHead(head: Uint8Array): Promise<SniffedType & { kind: MediaKind }> {
  if (head.length === 0) throw new DomainError("VALIDATION", "The file is empty.");
  const found = await fileTypeFromBuffer(head);
  if (!found) {
    throw new DomainError("VALIDATION", "The file's content is not a recognised image or video format.");
  }
  const mime = normalizeMediaType(found.mime);
  const kind = mediaKindOf(mime);
  if (!kind) {
    throw new DomainError("VALIDATION", `The file's content is ${mime} (.${found.ext}), which is not an accepted image or video type.`);
  }
  return { mime, ext: found.ext, kind };
}

/** Up to `size` bytes from the start of the file; fewer when the file is shorter. */
export async function readFileHead(filePath: string, size: number): Promise<Uint8Array> {
  const handle = await open(filePath, "r");
  try {
    const buffer = Buffer.alloc(size);
    let filled = 0;
    // A single read may return less than asked (pipes, network file systems): loop until EOF.
    while (filled < size) {
      const { bytesRead } = await handle.read(buffer, filled, size - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return buffer.subarray(0, filled);
  } finally {
    await handle.close();
  }
}

import { Readable } from "node:stream";
import { IMMUTABLE_CACHE_CONTROL, etagMatches, handlePublicRoute, notModified, publicNotFound } from "@/lib/server/public-http";
import { findPublicMedia, isPublicMediaName, openPublicMedia } from "@/lib/server/services/public/media";

// GET /api/public/v1/<project>/media/<sha256>: a public copy, by its own SHA-256 (exactly 64
// lowercase hex digits; anything else, including encoded slashes, is simply not found).

export async function GET(request: Request, { params }: { params: Promise<{ project: string; sha256: string }> }) {
  return handlePublicRoute(async () => {
    const { project, sha256 } = await params;
    if (!isPublicMediaName(sha256)) return publicNotFound();
    const etag = `"${sha256}"`;
    if (etagMatches(request, etag)) {
      return (await findPublicMedia(project, sha256)) ? notModified(etag, IMMUTABLE_CACHE_CONTROL) : publicNotFound();
    }
    const media = await openPublicMedia(project, sha256);
    if (!media) return publicNotFound();
    return new Response(Readable.toWeb(media.stream) as ReadableStream<Uint8Array>, {
      status: 200,
      headers: {
        "Content-Type": media.mime,
        "Content-Length": String(media.sizeBytes),
        "Content-Disposition": "inline",
        "Content-Security-Policy": "default-src 'none'; sandbox",
        "Cache-Control": IMMUTABLE_CACHE_CONTROL,
        ETag: etag,
      },
    });
  });
}

import { Readable } from "node:stream";
import { clientIp, handleRoute } from "@/lib/server/http";
import { openOriginal } from "@/lib/server/services/items/media-access";

export const dynamic = "force-dynamic";

/** Downloads an original, byte for byte, and records the download in its chain of custody. */
export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }) {
  return handleRoute(async (actor) => {
    const { file, stream } = await openOriginal(actor, { id: (await params).id }, clientIp(request));
    const filename = encodeURIComponent(file.originalFilename);
    return new Response(Readable.toWeb(stream) as ReadableStream, {
      headers: {
        // Served as an attachment with a fixed type: an uploaded HTML page must never run in our origin.
        "Content-Type": "application/octet-stream",
        "Content-Length": String(file.sizeBytes),
        "Content-Disposition": `attachment; filename*=UTF-8''${filename}`,
        "X-Content-SHA256": file.sha256,
        "Cache-Control": "private, no-store",
      },
    });
  });
}

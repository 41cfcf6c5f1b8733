import { Readable } from "node:stream";
import { clientAddressOf } from "@/lib/server/client-address";
import { handleRoute } from "@/lib/server/http";
import { openOriginal } from "@/lib/server/services/items/media-access";

export const dynamic = "force-dynamic";

/** Downloads an original, byte for byte, and records the download in its chain of custody. */
export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }) {
  return handleRoute(async (actor) => {
    // ?view=1 plays a video inline (muted by the page); only real video types are ever inline.
    const view = new URL(request.url).searchParams.get("view") === "1";
    const { file, stream } = await openOriginal(actor, { id: (await params).id, purpose: view ? "view_original" : "download_original" }, clientAddressOf(request));
    const filename = encodeURIComponent(file.originalFilename);
    const inline = view && file.sniffedMime.startsWith("video/");
    return new Response(Readable.toWeb(stream) as ReadableStream, {
      headers: {
        // Otherwise an attachment with a fixed type: an uploaded HTML page must never run in our origin.
        "Content-Type": inline ? file.sniffedMime : "application/octet-stream",
        "Content-Security-Policy": "sandbox; default-src 'none'",
        "Content-Length": String(file.sizeBytes),
        "Content-Disposition": `${inline ? "inline" : "attachment"}; filename*=UTF-8''${filename}`,
        "X-Content-SHA256": file.sha256,
        "Cache-Control": "private, no-store",
      },
    });
  });
}

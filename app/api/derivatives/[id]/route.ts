import { Readable } from "node:stream";
import { handleRoute } from "@/lib/server/http";
import { openDerivative } from "@/lib/server/services/items/media-access";

export const dynamic = "force-dynamic";

/** Thumbnails and keyframes (our own re-encoded images), inline, or as a download with ?download=1. */
export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }) {
  return handleRoute(async (actor) => {
    const { derivative, stream } = await openDerivative(actor, { id: (await params).id });
    const download = new URL(request.url).searchParams.get("download") === "1";
    const name = `${derivative.kind.toLowerCase()}-${derivative.position + 1}.${derivative.mime === "image/webp" ? "webp" : "jpg"}`;
    return new Response(Readable.toWeb(stream) as ReadableStream, {
      headers: {
        "Content-Type": derivative.mime.startsWith("image/") ? derivative.mime : "application/octet-stream",
        "Content-Length": String(derivative.sizeBytes),
        "Content-Disposition": `${download ? "attachment" : "inline"}; filename="${name}"`,
        "Cache-Control": "private, max-age=3600",
        "X-Content-SHA256": derivative.sha256,
      },
    });
  });
}

import { Readable } from "node:stream";
import { clientAddressOf } from "@/lib/server/client-address";
import { handleRoute } from "@/lib/server/http";
import { exportProjectArchive } from "@/lib/server/services/archive/export-project-archive";

export const dynamic = "force-dynamic";

/** Downloads the full project archive (ZIP), streamed: editors of the project and administrators. */
export async function GET(request: Request, { params }: { params: Promise<{ slug: string }> }) {
  return handleRoute(async (actor) => {
    const { slug } = await params;
    const archive = await exportProjectArchive(actor, { projectSlug: slug, ip: clientAddressOf(request) });
    return new Response(Readable.toWeb(archive.stream) as ReadableStream, {
      headers: {
        "Content-Type": "application/zip",
        "Content-Disposition": `attachment; filename="${archive.filename}"`,
        "X-Archive-Manifest-SHA256": archive.manifestSha256,
        "Cache-Control": "private, no-store",
        "X-Content-Type-Options": "nosniff",
      },
    });
  });
}

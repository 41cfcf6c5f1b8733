import { EXPORT_FORMATS, type ExportFormat } from "@/lib/domain/export/items";
import { DomainError } from "@/lib/domain/errors";
import { parseQueueState, queueStateToSearch } from "@/lib/domain/queue";
import { findVisibleProject } from "@/lib/server/access";
import { clientAddressOf } from "@/lib/server/client-address";
import { handleRoute } from "@/lib/server/http";
import { exportItems } from "@/lib/server/services/exports/export-items";
import { readScopeFor } from "@/lib/server/services/queue/query-queue";
import { queueItemIdsSql } from "@/lib/server/services/queue/queue-sql";

export const dynamic = "force-dynamic";

/** Downloads every item of a queue view (all pages) as CSV, GeoJSON or KML: ?format=… plus the queue's filters. */
export async function GET(request: Request, { params }: { params: Promise<{ slug: string }> }) {
  return handleRoute(async (actor) => {
    const { slug } = await params;
    const searchParams = new URL(request.url).searchParams;
    const format = searchParams.get("format") ?? "csv";
    if (!(EXPORT_FORMATS as readonly string[]).includes(format)) {
      throw new DomainError("VALIDATION", "Choose a format: csv, geojson or kml.", { format: ["Choose csv, geojson or kml."] });
    }
    const project = await findVisibleProject(actor, slug);
    const { state } = parseQueueState(searchParams);
    const result = await exportItems(actor, {
      projectId: project.id,
      format: format as ExportFormat,
      itemIds: queueItemIdsSql(project.id, state, readScopeFor(actor, project.id), actor.userId),
      filterDescription: queueStateToSearch({ ...state, page: 1 }),
      ip: clientAddressOf(request),
    });
    return new Response(result.body, {
      headers: {
        "Content-Type": result.contentType,
        "Content-Disposition": `attachment; filename="${result.filename}"`,
        "Cache-Control": "private, no-store",
        "X-Content-Type-Options": "nosniff",
      },
    });
  });
}

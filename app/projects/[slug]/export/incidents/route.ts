import { DomainError } from "@/lib/domain/errors";
import { INCIDENT_EXPORT_FORMATS, type IncidentExportFormat } from "@/lib/domain/export/incidents";
import { parseIncidentListState } from "@/lib/domain/incident-list";
import { clientAddressOf } from "@/lib/server/client-address";
import { handleRoute } from "@/lib/server/http";
import { exportIncidents } from "@/lib/server/services/exports/export-incidents";

export const dynamic = "force-dynamic";

/** Downloads every incident of an incident-list view (all pages) as CSV or GeoJSON: ?format=… plus the list's filters. */
export async function GET(request: Request, { params }: { params: Promise<{ slug: string }> }) {
  return handleRoute(async (actor) => {
    const { slug } = await params;
    const searchParams = new URL(request.url).searchParams;
    const format = searchParams.get("format") ?? "csv";
    if (!(INCIDENT_EXPORT_FORMATS as readonly string[]).includes(format)) {
      throw new DomainError("VALIDATION", "Choose a format: csv or geojson.", { format: ["Choose csv or geojson."] });
    }
    const { state } = parseIncidentListState(searchParams);
    const result = await exportIncidents(actor, { projectSlug: slug, state, format: format as IncidentExportFormat, ip: clientAddressOf(request) });
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

import { withApiActor } from "@/lib/server/api-auth";
import { listIncidents } from "@/lib/server/services/incidents/list-incidents";

export const dynamic = "force-dynamic";

/** The project's incidents, newest first (?q= matches reference or title). */
export async function GET(request: Request, { params }: { params: Promise<{ slug: string }> }) {
  return withApiActor(request, async (actor) => {
    const { slug } = await params;
    const query = new URL(request.url).searchParams.get("q") ?? undefined;
    const list = await listIncidents(actor, { projectSlug: slug, query });
    return Response.json({
      incidents: list.incidents.map((incident) => ({
        ...incident,
        apiUrl: `/api/v1/projects/${encodeURIComponent(list.project.slug)}/incidents/${encodeURIComponent(incident.reference)}`,
      })),
    });
  });
}

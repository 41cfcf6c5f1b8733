import { incidentListStateToSearch, parseIncidentListState } from "@/lib/domain/incident-list";
import { withApiActor } from "@/lib/server/api-auth";
import { listIncidents } from "@/lib/server/services/incidents/list-incidents";

export const dynamic = "force-dynamic";

/**
 * One page of the project's incidents, newest first, with the incident list's filters
 * (?q=, type, province, dated, evidence, from, to, sort, dir, page, size); `next` links the
 * following page until the last.
 */
export async function GET(request: Request, { params }: { params: Promise<{ slug: string }> }) {
  return withApiActor(request, async (actor) => {
    const { slug } = await params;
    const { state, problems } = parseIncidentListState(new URL(request.url).searchParams);
    const list = await listIncidents(actor, { projectSlug: slug, state });
    const base = `/api/v1/projects/${encodeURIComponent(list.project.slug)}/incidents`;
    const next = list.page < list.pageCount ? `${base}?${incidentListStateToSearch({ ...state, page: list.page + 1 })}` : null;
    return Response.json({
      incidents: list.rows.map((incident) => ({ ...incident, apiUrl: `${base}/${encodeURIComponent(incident.reference)}` })),
      total: list.total,
      page: list.page,
      pageCount: list.pageCount,
      next,
      ignoredParameters: problems,
    });
  });
}

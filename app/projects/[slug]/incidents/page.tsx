import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { IncidentListView } from "@/components/incidents/list/incident-list-view";
import { DomainError } from "@/lib/domain/errors";
import { parseIncidentListState } from "@/lib/domain/incident-list";
import { actorOrRedirect } from "@/lib/server/session";
import { incidentListFacets, listIncidents } from "@/lib/server/services/incidents/list-incidents";

export const metadata: Metadata = { title: "Incidents" };

export default async function IncidentsPage({ params, searchParams }: { params: Promise<{ slug: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const actor = await actorOrRedirect();
  const { slug } = await params;
  const { state, problems } = parseIncidentListState(await searchParams);
  const [list, facets] = await Promise.all([listIncidents(actor, { projectSlug: slug, state }), incidentListFacets(actor, slug)]).catch((error: unknown) => {
    if (error instanceof DomainError && error.code === "NOT_FOUND") notFound();
    throw error;
  });
  return (
    <IncidentListView
      project={list.project}
      rows={list.rows.map((row) => ({ ...row, startAt: row.startAt?.toISOString() ?? null, endAt: row.endAt?.toISOString() ?? null }))}
      total={list.total}
      page={list.page}
      pageCount={list.pageCount}
      projectTotal={list.projectTotal}
      projectUndated={list.projectUndated}
      state={{ ...state, page: list.page }}
      problems={problems}
      facets={facets}
      canManage={list.canManage}
      canExport={list.canExport}
    />
  );
}

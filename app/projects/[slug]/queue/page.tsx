import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { QueueView } from "@/components/queue/queue-view";
import { DomainError } from "@/lib/domain/errors";
import { can } from "@/lib/domain/permissions";
import { parseQueueState, queueStateToSearch } from "@/lib/domain/queue";
import { actorOrRedirect } from "@/lib/server/session";
import { queryQueue, queueFacets } from "@/lib/server/services/queue/query-queue";
import { listSavedViews } from "@/lib/server/services/queue/saved-views";

export const metadata: Metadata = { title: "Review queue" };

export default async function QueuePage({ params, searchParams }: { params: Promise<{ slug: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const actor = await actorOrRedirect();
  const { slug } = await params;
  const { state, problems } = parseQueueState(await searchParams);
  const loaded = await Promise.all([queryQueue(actor, { projectSlug: slug, state }), queueFacets(actor, slug), listSavedViews(actor, slug)]).catch((error: unknown) => {
    if (error instanceof DomainError && error.code === "NOT_FOUND") notFound();
    throw error;
  });
  const [page, facets, views] = loaded;
  const canExport = can(actor, "export:internal", { kind: "project", projectId: page.project.id });

  return (
    <QueueView
      project={page.project}
      rows={page.rows.map((row) => ({ ...row, createdAt: row.createdAt.toISOString(), platformUploadedAt: row.platformUploadedAt?.toISOString() ?? null }))}
      total={page.total}
      totalCapped={page.totalCapped}
      pageCount={page.pageCount}
      state={{ ...state, page: page.page }}
      search={queueStateToSearch({ ...state, page: page.page })}
      problems={problems}
      facets={facets}
      views={views}
      canExport={canExport}
      actorId={actor.userId}
    />
  );
}

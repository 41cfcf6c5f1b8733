import { DomainError } from "@/lib/domain/errors";
import { parseQueueState } from "@/lib/domain/queue";
import { findMemberProject, itemPaths, readSubmission } from "@/lib/server/api/v1";
import { withApiActor } from "@/lib/server/api-auth";
import { submitEvidence } from "@/lib/server/services/items/submit-evidence";
import { queryQueue } from "@/lib/server/services/queue/query-queue";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

type Params = { params: Promise<{ slug: string }> };

/** A page of the project's items, filtered and sorted with the review queue's parameters. */
export async function GET(request: Request, { params }: Params) {
  return withApiActor(request, async (actor) => {
    const { slug } = await params;
    const { state, problems } = parseQueueState(new URL(request.url).searchParams);
    // The web queue ignores bad parameters gently; a script should hear about them.
    if (problems.length) throw new DomainError("VALIDATION", `Unknown or invalid parameters: ${problems.join(", ")}`, { query: problems });
    const page = await queryQueue(actor, { projectSlug: slug, state });
    return Response.json({
      page: page.page,
      pageSize: state.size,
      pageCount: page.pageCount,
      total: page.total,
      totalCapped: page.totalCapped,
      items: page.rows.map((row) => ({
        id: row.id,
        reference: row.reference,
        title: row.title,
        status: row.status,
        version: row.version,
        platform: row.platform,
        province: row.province,
        tags: row.tags,
        assignee: row.assigneeName,
        submittedBy: row.submittedByName,
        submittedAt: row.createdAt,
        platformUploadedAt: row.platformUploadedAt,
        sensitivity: { graphic: row.sensitiveGraphic, identifiable: row.sensitiveIdentifiable, minors: row.sensitiveMinors, personalData: row.sensitivePersonalData },
        ...itemPaths(page.project.slug, row.reference),
      })),
    });
  });
}

/** Submits an item: JSON (source URLs and/or finished tus uploads) or multipart with files. */
export async function POST(request: Request, { params }: Params) {
  return withApiActor(request, async (actor) => {
    const { slug } = await params;
    const project = await findMemberProject(actor, slug);
    const submitted = await submitEvidence(actor, await readSubmission(request, actor, project.id));
    const paths = itemPaths(submitted.projectSlug, submitted.reference);
    return Response.json({ id: submitted.id, reference: submitted.reference, ...paths }, { status: 201, headers: { Location: paths.apiUrl } });
  });
}

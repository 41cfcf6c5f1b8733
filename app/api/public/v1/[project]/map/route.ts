import { cachedBody, etagMatches, handlePublicRoute, notModified, publicNotFound, sendCachedBody, strongEtag } from "@/lib/server/public-http";
import { mapPointsEtagPart, publicMapPointsJson, strictPublicQuery } from "@/lib/server/services/public/incidents";
import { findPublicProject } from "@/lib/server/services/public/project";

// GET /api/public/v1/<project>/map?from&to&province&type&target: the public map's points.
// The ETag derives from the project's dataset ETag (which changes with every publication) and
// the filter, so a conditional request costs one small query.

export async function GET(request: Request, { params }: { params: Promise<{ project: string }> }) {
  return handlePublicRoute(async () => {
    const { project: slug } = await params;
    const filter = strictPublicQuery(new URL(request.url).searchParams);
    const project = await findPublicProject(slug);
    if (!project) return publicNotFound();
    const etag = strongEtag(project.id, project.stateEtag ?? "none", mapPointsEtagPart(filter));
    if (etagMatches(request, etag)) return notModified(etag);
    const entry = await cachedBody(`map:${etag}`, () => publicMapPointsJson(project, filter));
    if (!entry) return publicNotFound();
    return sendCachedBody(request, entry, { "Content-Type": "application/json; charset=utf-8", ETag: etag });
  });
}

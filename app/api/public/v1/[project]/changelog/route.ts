import { handlePublicRoute, publicJson } from "@/lib/server/public-http";
import { parseChangelogQuery, publicChangelog } from "@/lib/server/services/public/changelog";

export async function GET(request: Request, { params }: { params: Promise<{ project: string }> }) {
  return handlePublicRoute(async () => {
    const { project } = await params;
    const page = await publicChangelog(project, parseChangelogQuery(new URL(request.url).searchParams, true));
    return publicJson(request, { ...page, next: page.next ? `/api/public/v1/${project}/changelog?${page.next}` : null });
  });
}

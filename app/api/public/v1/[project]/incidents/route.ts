import { handlePublicRoute, publicJson } from "@/lib/server/public-http";
import { listPublicIncidents, strictPublicQuery } from "@/lib/server/services/public/incidents";

// GET /api/public/v1/<project>/incidents?from&to&province&type&target&page&limit

export async function GET(request: Request, { params }: { params: Promise<{ project: string }> }) {
  return handlePublicRoute(async () => {
    const { project } = await params;
    const filter = strictPublicQuery(new URL(request.url).searchParams);
    const page = await listPublicIncidents(project, filter);
    return publicJson(request, { ...page, next: page.next ? `/api/public/v1/${project}/incidents?${page.next}` : null });
  });
}

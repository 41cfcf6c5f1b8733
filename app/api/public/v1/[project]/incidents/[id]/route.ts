import { handlePublicRoute, publicJson } from "@/lib/server/public-http";
import { getPublicIncident, mediaUrl } from "@/lib/server/services/public/detail";
import { PUBLIC_SCHEMA_VERSION } from "@/lib/domain/publication";

export async function GET(request: Request, { params }: { params: Promise<{ project: string; id: string }> }) {
  return handlePublicRoute(async () => {
    const { project, id } = await params;
    const view = await getPublicIncident(project, id);
    return publicJson(request, {
      schemaVersion: PUBLIC_SCHEMA_VERSION,
      incident: view.incident,
      evidence: view.evidence.map(({ item, mediaSets }) => ({
        ...item,
        media: mediaSets.flatMap((set) => set.media.map((m) => ({ ...m, originalSha256: set.originalSha256, url: mediaUrl(view.project.slug, m.sha256) }))),
      })),
    });
  });
}

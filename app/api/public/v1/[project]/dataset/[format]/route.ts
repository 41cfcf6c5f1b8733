import { cachedBody, etagMatches, handlePublicRoute, notModified, publicNotFound, sendCachedBody } from "@/lib/server/public-http";
import { DATASET_EXTENSIONS, PUBLIC_DATASET_TYPES, isDatasetFormat, publicDatasetBody, publicDatasetEtag } from "@/lib/server/services/public/datasets";

// GET /api/public/v1/<project>/dataset/<geojson|csv|kml>. The ETag is read alone first, so a
// 304 never touches the body; bodies are kept gzipped in memory under their ETag.

export async function GET(request: Request, { params }: { params: Promise<{ project: string; format: string }> }) {
  return handlePublicRoute(async () => {
    const { project: slug, format } = await params;
    if (!isDatasetFormat(format)) return publicNotFound();
    const head = await publicDatasetEtag(slug, format);
    if (!head) return publicNotFound();
    if (etagMatches(request, head.etag)) return notModified(head.etag);
    let etag = head.etag;
    const entry = await cachedBody(`dataset:${head.projectId}:${format}:${head.etag}`, async () => {
      const dataset = await publicDatasetBody(head.projectId, format);
      if (dataset) etag = dataset.etag;
      return dataset?.body ?? null;
    });
    if (!entry) return publicNotFound();
    return sendCachedBody(request, entry, {
      "Content-Type": PUBLIC_DATASET_TYPES[format],
      "Content-Disposition": `attachment; filename="${head.slug}-incidents.${DATASET_EXTENSIONS[format]}"`,
      ETag: etag,
    });
  });
}

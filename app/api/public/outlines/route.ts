import { etagMatches, notModified, PUBLIC_CACHE_CONTROL } from "@/lib/server/public-http";
import { publicOutlines } from "@/lib/server/services/public/outlines";

// GET /api/public/outlines: province outlines for the public map's offline base layer.

export async function GET(request: Request) {
  const { body, etag } = publicOutlines();
  if (etagMatches(request, etag)) return notModified(etag);
  return new Response(body, { headers: { "Content-Type": "application/geo+json; charset=utf-8", ETag: etag, "Cache-Control": PUBLIC_CACHE_CONTROL } });
}

// Readiness: the database answers and the blob store is reachable. A load balancer sends
// traffic only to instances answering 200; 503 names the failed check, never its internals.
import { checkReadiness } from "@/lib/server/readiness";
import { withIncomingRequestId, withRequestIdHeader } from "@/lib/server/request-id";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export function GET() {
  return withIncomingRequestId(async (requestId) => {
    const { ready, checks } = await checkReadiness();
    const response = Response.json({ status: ready ? "ready" : "unavailable", checks }, { status: ready ? 200 : 503, headers: { "Cache-Control": "no-store" } });
    return withRequestIdHeader(response, requestId);
  });
}

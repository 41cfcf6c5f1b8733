import { receiveClientError } from "@/lib/server/client-errors";
import { logger } from "@/lib/server/logger";
import { withIncomingRequestId, withRequestIdHeader } from "@/lib/server/request-id";

// POST /api/client-errors: errors from the browser (e.g. the map failing to draw), written to
// the server log with this request's id. See lib/server/client-errors.ts.

export async function POST(request: Request): Promise<Response> {
  return withIncomingRequestId(async (requestId) => {
    const response = await receiveClientError(request).catch((error: unknown) => {
      logger.error("unexpected error in client error report", { error });
      return new Response(null, { status: 500, headers: { "Cache-Control": "no-store" } });
    });
    return withRequestIdHeader(response, requestId);
  });
}

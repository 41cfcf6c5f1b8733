import "server-only";
import { randomUUID } from "node:crypto";
import { DomainError } from "@/lib/domain/errors";
import type { SessionActor } from "./actor";
import { logger } from "./logger";
import { withIncomingRequestId, withRequestIdHeader } from "./request-id";
import { requireActor } from "./session";

/**
 * Route handlers: session, one service call, and the one place errors become responses. Every
 * log line of the request carries its x-request-id, which the response returns.
 */
export async function handleRoute(body: (actor: SessionActor) => Promise<Response>): Promise<Response> {
  return withIncomingRequestId(async (requestId) => {
    let response: Response;
    try {
      response = await body(await requireActor());
    } catch (error) {
      response = errorResponse(error);
    }
    return withRequestIdHeader(response, requestId);
  });
}

export function errorResponse(error: unknown): Response {
  if (error instanceof DomainError) {
    return Response.json({ error: error.message, code: error.code, fieldErrors: error.fieldErrors }, { status: error.status, headers: { "Cache-Control": "no-store" } });
  }
  const reference = randomUUID().slice(0, 8);
  logger.error("unexpected error in route", { reference, error });
  return Response.json({ error: `Something went wrong (reference ${reference}).`, code: "INTERNAL" }, { status: 500 });
}

/**
 * A URL path segment as a lookup key, percent-decoded. When it cannot name anything (malformed
 * escapes; NUL, which PostgreSQL text refuses) it becomes "", which matches no row, so callers
 * answer with their usual NOT_FOUND instead of crashing with a 500.
 */
export function lookupSegment(raw: string): string {
  try {
    const decoded = decodeURIComponent(raw);
    return decoded.includes("\u0000") ? "" : decoded;
  } catch {
    return "";
  }
}

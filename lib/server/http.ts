import "server-only";
import { randomUUID } from "node:crypto";
import { DomainError } from "@/lib/domain/errors";
import type { SessionActor } from "./actor";
import { logger } from "./logger";
import { requireActor } from "./session";

/** Route handlers: session, one service call, and the one place errors become responses. */
export async function handleRoute(body: (actor: SessionActor) => Promise<Response>): Promise<Response> {
  try {
    return await body(await requireActor());
  } catch (error) {
    return errorResponse(error);
  }
}

export function errorResponse(error: unknown): Response {
  if (error instanceof DomainError) {
    return Response.json({ error: error.message, code: error.code, fieldErrors: error.fieldErrors }, { status: error.status, headers: { "Cache-Control": "no-store" } });
  }
  const reference = randomUUID().slice(0, 8);
  logger.error("unexpected error in route", { reference, error });
  return Response.json({ error: `Something went wrong (reference ${reference}).`, code: "INTERNAL" }, { status: 500 });
}

export function clientIp(request: Request): string | null {
  return request.headers.get("x-forwarded-for")?.split(",")[0]?.trim() || null;
}

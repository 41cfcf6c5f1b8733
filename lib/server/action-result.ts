import "server-only";
import { randomUUID } from "node:crypto";
import { DomainError } from "@/lib/domain/errors";
import type { SessionActor } from "./actor";
import { logger } from "./logger";
import { withIncomingRequestId } from "./request-id";
import { requireActor } from "./session";

export type ActionResult<T = unknown> =
  | { ok: true; data: T; message?: string }
  | { ok: false; code: string; error: string; fieldErrors?: Record<string, string[]> };

/** The one place service errors become what a client sees: our messages, never internals. */
export function toActionError(error: unknown): Extract<ActionResult, { ok: false }> {
  if (error instanceof DomainError) {
    return { ok: false, code: error.code, error: error.message, fieldErrors: error.fieldErrors };
  }
  const reference = randomUUID().slice(0, 8);
  logger.error("unexpected error in action", { reference, error });
  return { ok: false, code: "INTERNAL", error: `Something went wrong (reference ${reference}). Nothing was changed.` };
}

/**
 * Wraps a server action body: re-reads the actor from the database (every action is a public
 * endpoint), runs the service, and maps errors. Services do their own permission checks.
 * Log lines written meanwhile carry the request's x-request-id.
 */
export async function runAction<T>(body: (actor: SessionActor) => Promise<T>, message?: string): Promise<ActionResult<T>> {
  return withIncomingRequestId(async () => {
    try {
      const actor = await requireActor();
      return { ok: true as const, data: await body(actor), message };
    } catch (error) {
      return toActionError(error);
    }
  });
}

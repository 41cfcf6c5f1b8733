import "server-only";
import { z } from "zod";
import { notFound } from "@/lib/domain/errors";
import type { Actor } from "@/lib/domain/permissions";
import { idSchema } from "@/lib/domain/schemas";
import { appendAuditEvent } from "../../audit";
import { db } from "../../db";
import { revokeUserSessions } from "../../sessions";
import { selfServiceUserId } from "../../two-factor";
import { parseInput } from "../../validation";

const endSessionSchema = z.object({ sessionId: idSchema });

/** The signed-in person signs out one of their own sessions (another browser, a lost laptop). */
export async function endOwnSession(actor: Actor, input: unknown): Promise<void> {
  const userId = selfServiceUserId(actor);
  const { sessionId } = parseInput(endSessionSchema, input);
  await db().$transaction(async (tx) => {
    // Someone else's session id is simply not found: it is not theirs to see or end.
    const ended = await tx.session.updateMany({
      where: { id: sessionId, userId, revokedAt: null },
      data: { revokedAt: new Date(), revokedReason: "signed_out_from_other_session" },
    });
    if (ended.count === 0) throw notFound("That session");
    await appendAuditEvent(tx, { actorId: userId, projectId: null, action: "auth.session_end", entityType: "Session", entityId: sessionId });
  });
}

/**
 * "Sign out everywhere else": every session of the person except the one making the request
 * (outside a browser session, simply every session).
 */
export async function endOtherOwnSessions(actor: Actor): Promise<{ ended: number }> {
  const userId = selfServiceUserId(actor);
  return db().$transaction(async (tx) => {
    const ended = await revokeUserSessions(tx, userId, "signed_out_from_other_session", actor.sessionId);
    await appendAuditEvent(tx, { actorId: userId, projectId: null, action: "auth.sessions_end_others", entityType: "User", entityId: userId, after: { sessionsEnded: ended } });
    return { ended };
  });
}

import "server-only";
import { z } from "zod";
import { forbidden, notFound } from "@/lib/domain/errors";
import { auditActorId, can, type Actor } from "@/lib/domain/permissions";
import { idSchema } from "@/lib/domain/schemas";
import { appendAuditEvent } from "../../audit";
import { db } from "../../db";
import { revokeUserSessions } from "../../sessions";
import { parseInput } from "../../validation";

const endUserSessionsSchema = z.object({ userId: idSchema });

/** Admin signs a user out of every browser at once (audited). Their account stays active. */
export async function endUserSessions(actor: Actor, input: unknown): Promise<{ ended: number }> {
  if (!can(actor, "user:manage", { kind: "system" })) throw forbidden();
  const { userId } = parseInput(endUserSessionsSchema, input);
  return db().$transaction(async (tx) => {
    const user = await tx.user.findUnique({ where: { id: userId }, select: { id: true } });
    if (!user) throw notFound("That user");
    const ended = await revokeUserSessions(tx, userId, "admin");
    await appendAuditEvent(tx, { actorId: auditActorId(actor), projectId: null, action: "user.sessions_end", entityType: "User", entityId: userId, after: { sessionsEnded: ended } });
    return { ended };
  });
}

/**
 * Admin signs everyone out (a suspected breach): every live session ends except the one making
 * the request, so the admin can carry on. Audited with the count.
 */
export async function endAllSessions(actor: Actor): Promise<{ ended: number }> {
  if (!can(actor, "user:manage", { kind: "system" })) throw forbidden();
  return db().$transaction(async (tx) => {
    const result = await tx.session.updateMany({
      where: { revokedAt: null, ...(actor.sessionId ? { id: { not: actor.sessionId } } : {}) },
      data: { revokedAt: new Date(), revokedReason: "admin_everyone" },
    });
    await appendAuditEvent(tx, { actorId: auditActorId(actor), projectId: null, action: "sessions.end_all", entityType: "Session", entityId: "*", after: { sessionsEnded: result.count } });
    return { ended: result.count };
  });
}

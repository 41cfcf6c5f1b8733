import "server-only";
import { DomainError, forbidden, notFound } from "@/lib/domain/errors";
import { auditActorId, can, type Actor } from "@/lib/domain/permissions";
import { setUserActiveSchema } from "@/lib/domain/schemas";
import { appendAuditEvent } from "../../audit";
import { db } from "../../db";
import { revokeUserSessions } from "../../sessions";
import { parseInput } from "../../validation";
import { revokeTokensOfUser } from "../tokens/revoke-user-tokens";

/**
 * Deactivates or reactivates an account. Deactivation ends every session of the user (and bumps
 * the session version), so they are refused on their very next request, and revokes every API
 * token for good: reactivation does not bring them back.
 */
export async function setUserActive(actor: Actor, input: unknown): Promise<{ id: string; active: boolean }> {
  if (!can(actor, "user:manage", { kind: "system" })) throw forbidden();
  const { userId, active } = parseInput(setUserActiveSchema, input);
  if (userId === actor.userId && !active) throw new DomainError("VALIDATION", "You cannot deactivate your own account.");

  return db().$transaction(async (tx) => {
    const before = await tx.user.findUnique({ where: { id: userId }, select: { id: true, active: true, email: true } });
    if (!before) throw notFound("That user");
    if (before.active === active) return { id: userId, active };
    const updated = await tx.user.update({
      where: { id: userId },
      data: {
        active,
        deactivatedAt: active ? null : new Date(),
        sessionVersion: active ? undefined : { increment: 1 },
      },
      select: { id: true, active: true },
    });
    if (!active) await revokeUserSessions(tx, userId, "deactivated");
    await appendAuditEvent(tx, {
      actorId: auditActorId(actor),
      projectId: null,
      action: active ? "user.reactivate" : "user.deactivate",
      entityType: "User",
      entityId: userId,
      before: { active: before.active },
      after: { active },
    });
    if (!active) await revokeTokensOfUser(tx, { userId, reason: "deactivated", actorId: auditActorId(actor) });
    return updated;
  });
}

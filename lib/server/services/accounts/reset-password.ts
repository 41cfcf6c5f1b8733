import "server-only";
import { z } from "zod";
import { forbidden, notFound } from "@/lib/domain/errors";
import { auditActorId, can, type Actor } from "@/lib/domain/permissions";
import { idSchema, newPasswordSchema } from "@/lib/domain/schemas";
import { appendAuditEvent } from "../../audit";
import { db } from "../../db";
import { hashPassword } from "../../passwords";
import { revokeUserSessions } from "../../sessions";
import { parseInput } from "../../validation";
import { revokeTokensOfUser } from "../tokens/revoke-user-tokens";
import { checkActorCredentials } from "./check-current-credentials";

const resetPasswordSchema = z.object({
  userId: idSchema,
  password: newPasswordSchema,
  /** The admin's own password (and code): checked for people, not for the system actor. */
  currentPassword: z.string().max(256).optional(),
  currentCode: z.string().trim().max(64).optional(),
});

/**
 * Admin sets a new password, after confirming with their own password (and code); every
 * existing session of that user ends and every API token is revoked for good.
 */
export async function resetPassword(actor: Actor, input: unknown): Promise<void> {
  if (!can(actor, "user:manage", { kind: "system" })) throw forbidden();
  const { userId, password, currentPassword, currentCode } = parseInput(resetPasswordSchema, input);
  const passwordHash = await hashPassword(password);
  const verdict = await db().$transaction(async (tx) => {
    const checked = await checkActorCredentials(tx, actor, { currentPassword, currentCode });
    if (!checked.ok) return checked;
    const result = await tx.user.updateMany({
      where: { id: userId },
      data: { passwordHash, sessionVersion: { increment: 1 } },
    });
    if (result.count === 0) throw notFound("That user");
    const sessionsEnded = await revokeUserSessions(tx, userId, "admin");
    await appendAuditEvent(tx, {
      actorId: auditActorId(actor),
      projectId: null,
      action: "user.password_reset",
      entityType: "User",
      entityId: userId,
      after: { sessionsEnded },
    });
    await revokeTokensOfUser(tx, { userId, reason: "password_reset", actorId: auditActorId(actor) });
    return { ok: true as const };
  });
  if (!verdict.ok) throw verdict.error;
}

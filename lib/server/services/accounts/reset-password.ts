import "server-only";
import { z } from "zod";
import { forbidden, notFound } from "@/lib/domain/errors";
import { auditActorId, can, type Actor } from "@/lib/domain/permissions";
import { idSchema, newPasswordSchema } from "@/lib/domain/schemas";
import { appendAuditEvent } from "../../audit";
import { db } from "../../db";
import { hashPassword } from "../../passwords";
import { parseInput } from "../../validation";
import { revokeTokensOfUser } from "../tokens/revoke-user-tokens";

const resetPasswordSchema = z.object({ userId: idSchema, password: newPasswordSchema });

/** Admin sets a new password; every existing session of that user ends and every API token is revoked for good. */
export async function resetPassword(actor: Actor, input: unknown): Promise<void> {
  if (!can(actor, "user:manage", { kind: "system" })) throw forbidden();
  const { userId, password } = parseInput(resetPasswordSchema, input);
  const passwordHash = await hashPassword(password);
  await db().$transaction(async (tx) => {
    const result = await tx.user.updateMany({
      where: { id: userId },
      data: { passwordHash, sessionVersion: { increment: 1 } },
    });
    if (result.count === 0) throw notFound("That user");
    await appendAuditEvent(tx, {
      actorId: auditActorId(actor),
      projectId: null,
      action: "user.password_reset",
      entityType: "User",
      entityId: userId,
    });
    await revokeTokensOfUser(tx, { userId, reason: "password_reset", actorId: auditActorId(actor) });
  });
}

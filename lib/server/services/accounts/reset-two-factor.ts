import "server-only";
import { z } from "zod";
import { forbidden, notFound } from "@/lib/domain/errors";
import { auditActorId, can, type Actor } from "@/lib/domain/permissions";
import { idSchema } from "@/lib/domain/schemas";
import { appendAuditEvent } from "../../audit";
import { db } from "../../db";
import { parseInput } from "../../validation";
import { revokeTokensOfUser } from "../tokens/revoke-user-tokens";

const resetTwoFactorSchema = z.object({ userId: idSchema });

/**
 * Admin clears a user's second factor (lost phone and recovery codes). Every session of that
 * user ends, so whoever holds one must sign in again and, where required, enrol again; every API
 * token is revoked for good (a token does not ask for the second factor).
 */
export async function adminResetTwoFactor(actor: Actor, input: unknown): Promise<void> {
  if (!can(actor, "user:manage", { kind: "system" })) throw forbidden();
  const { userId } = parseInput(resetTwoFactorSchema, input);
  await db().$transaction(async (tx) => {
    const user = await tx.user.findUnique({ where: { id: userId }, select: { totpEnabledAt: true } });
    if (!user) throw notFound("That user");
    await tx.user.update({
      where: { id: userId },
      data: { totpSecret: null, totpPending: null, totpEnabledAt: null, totpLastStep: null, sessionVersion: { increment: 1 } },
    });
    const codes = await tx.recoveryCode.deleteMany({ where: { userId } });
    await appendAuditEvent(tx, {
      actorId: auditActorId(actor),
      projectId: null,
      action: "user.2fa.reset",
      entityType: "User",
      entityId: userId,
      before: { enabled: user.totpEnabledAt !== null, recoveryCodes: codes.count },
      after: { enabled: false },
    });
    await revokeTokensOfUser(tx, { userId, reason: "two_factor_reset", actorId: auditActorId(actor) });
  });
}

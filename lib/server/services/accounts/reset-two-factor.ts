import "server-only";
import { z } from "zod";
import { forbidden, notFound } from "@/lib/domain/errors";
import { auditActorId, can, type Actor } from "@/lib/domain/permissions";
import { idSchema } from "@/lib/domain/schemas";
import { appendAuditEvent } from "../../audit";
import { db } from "../../db";
import { revokeUserSessions } from "../../sessions";
import { parseInput } from "../../validation";
import { revokeTokensOfUser } from "../tokens/revoke-user-tokens";
import { checkActorCredentials } from "./check-current-credentials";

const resetTwoFactorSchema = z.object({
  userId: idSchema,
  currentPassword: z.string().max(256).optional(),
  currentCode: z.string().trim().max(64).optional(),
});

/**
 * Admin clears a user's second factor (lost phone and recovery codes), after confirming with
 * their own password (and code). Every session of that user ends. Enrolling again then needs an
 * enrolment code from an admin: whoever has only the password must not pick the new factor.
 * Every API token of the user is revoked for good (a token does not ask for the second factor).
 */
export async function adminResetTwoFactor(actor: Actor, input: unknown): Promise<void> {
  if (!can(actor, "user:manage", { kind: "system" })) throw forbidden();
  const { userId, currentPassword, currentCode } = parseInput(resetTwoFactorSchema, input);
  const verdict = await db().$transaction(async (tx) => {
    const checked = await checkActorCredentials(tx, actor, { currentPassword, currentCode });
    if (!checked.ok) return checked;
    const user = await tx.user.findUnique({ where: { id: userId }, select: { totpEnabledAt: true } });
    if (!user) throw notFound("That user");
    await tx.user.update({
      where: { id: userId },
      data: {
        totpSecret: null,
        totpPending: null,
        totpEnabledAt: null,
        totpLastStep: null,
        totpResetAt: new Date(),
        enrolmentCodeHash: null,
        enrolmentCodeExpiresAt: null,
        sessionVersion: { increment: 1 },
      },
    });
    const codes = await tx.recoveryCode.deleteMany({ where: { userId } });
    const sessionsEnded = await revokeUserSessions(tx, userId, "admin");
    await appendAuditEvent(tx, {
      actorId: auditActorId(actor),
      projectId: null,
      action: "user.2fa.reset",
      entityType: "User",
      entityId: userId,
      before: { enabled: user.totpEnabledAt !== null, recoveryCodes: codes.count },
      after: { enabled: false, sessionsEnded },
    });
    await revokeTokensOfUser(tx, { userId, reason: "two_factor_reset", actorId: auditActorId(actor) });
    return { ok: true as const };
  });
  if (!verdict.ok) throw verdict.error;
}

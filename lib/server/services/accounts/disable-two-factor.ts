import "server-only";
import { conflict, notFound } from "@/lib/domain/errors";
import type { Actor } from "@/lib/domain/permissions";
import { secondFactorCodeSchema } from "@/lib/domain/two-factor";
import { appendAuditEvent } from "../../audit";
import { db } from "../../db";
import { replaceUserSessions, type NewSession } from "../../sessions";
import { selfServiceUserId } from "../../two-factor";
import { parseInput } from "../../validation";
import { checkCurrentCredentials } from "./check-current-credentials";

/**
 * The user turns their own second factor off: the current password and a current code (or a
 * recovery code) prove it is them. Every session ends; a fresh one starts for this browser.
 */
export async function disableTwoFactor(actor: Actor, input: unknown): Promise<{ session: NewSession }> {
  const userId = selfServiceUserId(actor);
  const { code, currentPassword } = parseInput(secondFactorCodeSchema, input);
  const verdict = await db().$transaction(async (tx) => {
    const user = await tx.user.findUnique({ where: { id: userId }, select: { id: true, email: true, passwordHash: true, totpSecret: true } });
    if (!user) throw notFound("Your account");
    if (!user.totpSecret) throw conflict("Two-factor login is not on.");
    const checked = await checkCurrentCredentials(tx, user, { password: currentPassword, code });
    if (!checked.ok) return checked;
    const disabled = await tx.user.updateMany({
      where: { id: userId, totpSecret: user.totpSecret },
      data: { totpSecret: null, totpPending: null, totpEnabledAt: null, totpLastStep: null },
    });
    if (disabled.count === 0) throw conflict("Two-factor login changed in the meantime. Reload the page.");
    await tx.recoveryCode.deleteMany({ where: { userId } });
    const session = await replaceUserSessions(tx, { userId, currentSessionId: actor.sessionId, secondFactor: false });
    await appendAuditEvent(tx, { actorId: userId, projectId: null, action: "user.2fa.disable", entityType: "User", entityId: userId, after: { provedWith: checked.secondFactor } });
    return { ok: true as const, session };
  });
  if (!verdict.ok) throw verdict.error;
  return { session: verdict.session };
}

import "server-only";
import { notFound } from "@/lib/domain/errors";
import type { Actor } from "@/lib/domain/permissions";
import { changePasswordSchema } from "@/lib/domain/schemas";
import { appendAuditEvent } from "../../audit";
import { db } from "../../db";
import { hashPassword } from "../../passwords";
import { replaceUserSessions, type NewSession } from "../../sessions";
import { selfServiceUserId } from "../../two-factor";
import { parseInput } from "../../validation";
import { checkCurrentCredentials } from "./check-current-credentials";

/**
 * The signed-in person changes their own password, after proving the current one (and a code,
 * if they use two-factor login). Every session of theirs ends, so a browser that learnt the old
 * password is signed out; a fresh session starts for this one.
 */
export async function changePassword(actor: Actor, input: unknown): Promise<{ session: NewSession }> {
  const userId = selfServiceUserId(actor);
  const { currentPassword, currentCode, newPassword } = parseInput(changePasswordSchema, input);
  const passwordHash = await hashPassword(newPassword);
  const verdict = await db().$transaction(async (tx) => {
    const user = await tx.user.findUnique({ where: { id: userId }, select: { id: true, email: true, passwordHash: true, totpSecret: true } });
    if (!user) throw notFound("Your account");
    const checked = await checkCurrentCredentials(tx, user, { password: currentPassword, code: currentCode }, { codeField: "currentCode" });
    if (!checked.ok) return checked;
    await tx.user.update({ where: { id: userId }, data: { passwordHash, sessionVersion: { increment: 1 } } });
    const session = await replaceUserSessions(tx, { userId, currentSessionId: actor.sessionId, secondFactor: checked.secondFactor !== null });
    await appendAuditEvent(tx, { actorId: userId, projectId: null, action: "user.password_change", entityType: "User", entityId: userId });
    return { ok: true as const, session };
  });
  if (!verdict.ok) throw verdict.error;
  return { session: verdict.session };
}

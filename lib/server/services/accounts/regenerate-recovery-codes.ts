import "server-only";
import { conflict, notFound } from "@/lib/domain/errors";
import type { Actor } from "@/lib/domain/permissions";
import { secondFactorCodeSchema } from "@/lib/domain/two-factor";
import { appendAuditEvent } from "../../audit";
import { db } from "../../db";
import { replaceUserSessions, type NewSession } from "../../sessions";
import { replaceRecoveryCodes, selfServiceUserId } from "../../two-factor";
import { parseInput } from "../../validation";
import { checkCurrentCredentials } from "./check-current-credentials";

/**
 * Replaces all of the user's recovery codes (the old ones stop working) and returns the new ones
 * once. Recovery codes are second factors, so this is a second-factor change: the current
 * password and a code are asked for, every session ends and a fresh one starts here.
 */
export async function regenerateRecoveryCodes(actor: Actor, input: unknown): Promise<{ recoveryCodes: string[]; session: NewSession }> {
  const userId = selfServiceUserId(actor);
  const { code, currentPassword } = parseInput(secondFactorCodeSchema, input);
  const verdict = await db().$transaction(async (tx) => {
    const user = await tx.user.findUnique({ where: { id: userId }, select: { id: true, email: true, passwordHash: true, totpSecret: true } });
    if (!user) throw notFound("Your account");
    if (!user.totpSecret) throw conflict("Two-factor login is not on.");
    const checked = await checkCurrentCredentials(tx, user, { password: currentPassword, code });
    if (!checked.ok) return checked;
    const recoveryCodes = await replaceRecoveryCodes(tx, userId);
    const session = await replaceUserSessions(tx, { userId, currentSessionId: actor.sessionId, secondFactor: true });
    await appendAuditEvent(tx, {
      actorId: userId,
      projectId: null,
      action: "user.2fa.recovery_codes",
      entityType: "User",
      entityId: userId,
      after: { recoveryCodes: recoveryCodes.length, provedWith: checked.secondFactor },
    });
    return { ok: true as const, recoveryCodes, session };
  });
  if (!verdict.ok) throw verdict.error;
  return { recoveryCodes: verdict.recoveryCodes, session: verdict.session };
}

import "server-only";
import { conflict, notFound } from "@/lib/domain/errors";
import type { Actor } from "@/lib/domain/permissions";
import { appendAuditEvent } from "../../audit";
import { db } from "../../db";
import { newTotpSecret, selfServiceUserId } from "../../two-factor";
import { enrolmentFor, type TwoFactorEnrolment } from "./get-two-factor-status";

/**
 * Gives the signed-in user a new TOTP secret to add to their authenticator app. It stays
 * pending (and sign-in unchanged) until a code from the app confirms it; starting again
 * replaces a pending secret.
 */
export async function startTwoFactorEnrolment(actor: Actor): Promise<TwoFactorEnrolment> {
  const userId = selfServiceUserId(actor);
  const secret = newTotpSecret();
  const email = await db().$transaction(async (tx) => {
    const user = await tx.user.findUnique({ where: { id: userId }, select: { email: true, totpSecret: true } });
    if (!user) throw notFound("Your account");
    if (user.totpSecret) throw conflict("Two-factor login is already on. Turn it off first to move it to a new device.");
    // The key belongs to this session: another session (someone else with the password, say)
    // neither sees it nor confirms it, and starting here replaces any key started elsewhere.
    const updated = await tx.user.updateMany({ where: { id: userId, totpSecret: null }, data: { totpPending: secret, totpPendingSessionId: actor.sessionId ?? null } });
    if (updated.count === 0) throw conflict("Two-factor login changed in the meantime. Reload the page.");
    await appendAuditEvent(tx, { actorId: userId, projectId: null, action: "user.2fa.enrol_start", entityType: "User", entityId: userId });
    return user.email;
  });
  return enrolmentFor(secret, email);
}

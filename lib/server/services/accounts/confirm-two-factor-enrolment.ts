import "server-only";
import { conflict, DomainError, notFound } from "@/lib/domain/errors";
import type { Actor } from "@/lib/domain/permissions";
import { confirmEnrolmentSchema, enrolmentCodeRequired } from "@/lib/domain/two-factor";
import { appendAuditEvent } from "../../audit";
import { db } from "../../db";
import { replaceUserSessions, type NewSession } from "../../sessions";
import { matchingTotpStep, replaceRecoveryCodes, selfServiceUserId } from "../../two-factor";
import { parseInput } from "../../validation";
import { checkCurrentCredentials, hashEnrolmentCode } from "./check-current-credentials";

const WRONG_CODE = "That code does not match. Check the app shows Groundtruth and enter its current code.";
export const ENROLMENT_CODE_NEEDED =
  "Enter the enrolment code an administrator gave you. Your account must use two-factor login, so the password alone cannot set it up.";
export const ENROLMENT_CODE_INVALID = "That enrolment code is not valid or has expired. Ask an administrator for a new one.";

/**
 * Turns two-factor login on once the current password, a code from the app (it proves the app
 * holds the pending secret) and, when the account must use two-factor login or an admin reset
 * it, an admin-issued enrolment code are given. Every session of the user ends and a fresh one
 * (which passed the second factor) starts for this browser. Returns the new recovery codes in
 * plain text: this is the only time they are shown.
 */
export async function confirmTwoFactorEnrolment(actor: Actor, input: unknown): Promise<{ recoveryCodes: string[]; session: NewSession }> {
  const userId = selfServiceUserId(actor);
  const { code, currentPassword, enrolmentCode } = parseInput(confirmEnrolmentSchema, input);
  const verdict = await db().$transaction(async (tx) => {
    const user = await tx.user.findUnique({
      where: { id: userId },
      select: {
        id: true,
        email: true,
        passwordHash: true,
        totpSecret: true,
        totpPending: true,
        totpPendingSessionId: true,
        totpResetAt: true,
        enrolmentCodeHash: true,
        enrolmentCodeExpiresAt: true,
        memberships: { select: { project: { select: { settings: true } } } },
      },
    });
    if (!user) throw notFound("Your account");
    if (user.totpSecret) throw conflict("Two-factor login is already on.");
    // A key started in another session is not this one's to confirm.
    if (!user.totpPending || user.totpPendingSessionId !== (actor.sessionId ?? null)) {
      throw conflict("Start the set-up again: there is no key waiting for confirmation.");
    }
    const checked = await checkCurrentCredentials(tx, user, { password: currentPassword });
    if (!checked.ok) return checked;

    const now = new Date();
    const codeRequired = enrolmentCodeRequired({ totpResetAt: user.totpResetAt, projectSettings: user.memberships.map((m) => m.project.settings) });
    if (codeRequired) {
      if (!enrolmentCode) return { ok: false as const, error: new DomainError("VALIDATION", ENROLMENT_CODE_NEEDED, { enrolmentCode: [ENROLMENT_CODE_NEEDED] }) };
      const given = hashEnrolmentCode(enrolmentCode);
      const valid = given !== null && user.enrolmentCodeHash === given && user.enrolmentCodeExpiresAt !== null && user.enrolmentCodeExpiresAt > now;
      if (!valid) {
        await appendAuditEvent(tx, { actorId: null, projectId: null, action: "user.2fa.enrolment_code_failed", entityType: "User", entityId: userId });
        return { ok: false as const, error: new DomainError("VALIDATION", ENROLMENT_CODE_INVALID, { enrolmentCode: [ENROLMENT_CODE_INVALID] }) };
      }
    }

    const step = matchingTotpStep(user.totpPending, code, now.getTime());
    if (step === null) return { ok: false as const, error: new DomainError("VALIDATION", WRONG_CODE, { code: [WRONG_CODE] }) };
    // The confirming code counts as used, so it cannot also sign in. The enrolment code is spent.
    const enabled = await tx.user.updateMany({
      where: { id: userId, totpSecret: null, totpPending: user.totpPending, enrolmentCodeHash: user.enrolmentCodeHash },
      data: {
        totpSecret: user.totpPending,
        totpPending: null,
        totpPendingSessionId: null,
        totpEnabledAt: now,
        totpLastStep: BigInt(step),
        totpResetAt: null,
        enrolmentCodeHash: null,
        enrolmentCodeExpiresAt: null,
      },
    });
    if (enabled.count === 0) throw conflict("Two-factor login changed in the meantime. Reload the page.");
    const recoveryCodes = await replaceRecoveryCodes(tx, userId);
    // Password and the new app's code were both proved in this request: the fresh session counts
    // as having passed the second factor.
    const session = await replaceUserSessions(tx, { userId, currentSessionId: actor.sessionId, secondFactor: true });
    await appendAuditEvent(tx, {
      actorId: userId,
      projectId: null,
      action: "user.2fa.enable",
      entityType: "User",
      entityId: userId,
      after: { recoveryCodes: recoveryCodes.length, enrolmentCode: codeRequired },
    });
    return { ok: true as const, recoveryCodes, session };
  });
  if (!verdict.ok) throw verdict.error;
  return { recoveryCodes: verdict.recoveryCodes, session: verdict.session };
}

import "server-only";
import { conflict, DomainError, notFound } from "@/lib/domain/errors";
import type { Actor } from "@/lib/domain/permissions";
import { confirmEnrolmentSchema } from "@/lib/domain/two-factor";
import { appendAuditEvent } from "../../audit";
import { db } from "../../db";
import { matchingTotpStep, replaceRecoveryCodes, selfServiceUserId } from "../../two-factor";
import { parseInput } from "../../validation";

const WRONG_CODE = "That code does not match. Check the app shows Groundtruth and enter its current code.";

/**
 * Turns two-factor login on once a code from the app proves it holds the pending secret.
 * Returns the new recovery codes in plain text: this is the only time they are shown. The
 * current session stays valid (the user has just proved both factors).
 */
export async function confirmTwoFactorEnrolment(actor: Actor, input: unknown): Promise<{ recoveryCodes: string[] }> {
  const userId = selfServiceUserId(actor);
  const { code } = parseInput(confirmEnrolmentSchema, input);
  return db().$transaction(async (tx) => {
    const user = await tx.user.findUnique({ where: { id: userId }, select: { totpSecret: true, totpPending: true } });
    if (!user) throw notFound("Your account");
    if (user.totpSecret) throw conflict("Two-factor login is already on.");
    if (!user.totpPending) throw conflict("Start the set-up again: there is no key waiting for confirmation.");
    const now = new Date();
    const step = matchingTotpStep(user.totpPending, code, now.getTime());
    if (step === null) throw new DomainError("VALIDATION", WRONG_CODE, { code: [WRONG_CODE] });
    // The confirming code counts as used, so it cannot also sign in.
    const enabled = await tx.user.updateMany({
      where: { id: userId, totpSecret: null, totpPending: user.totpPending },
      data: { totpSecret: user.totpPending, totpPending: null, totpEnabledAt: now, totpLastStep: BigInt(step) },
    });
    if (enabled.count === 0) throw conflict("Two-factor login changed in the meantime. Reload the page.");
    const recoveryCodes = await replaceRecoveryCodes(tx, userId);
    await appendAuditEvent(tx, {
      actorId: userId,
      projectId: null,
      action: "user.2fa.enable",
      entityType: "User",
      entityId: userId,
      after: { recoveryCodes: recoveryCodes.length },
    });
    return { recoveryCodes };
  });
}

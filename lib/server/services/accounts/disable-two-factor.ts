import "server-only";
import { conflict, notFound } from "@/lib/domain/errors";
import type { Actor } from "@/lib/domain/permissions";
import { secondFactorCodeSchema } from "@/lib/domain/two-factor";
import { appendAuditEvent } from "../../audit";
import { db } from "../../db";
import { selfServiceUserId } from "../../two-factor";
import { parseInput } from "../../validation";
import { spendThrottledSecondFactor } from "./verify-second-factor";

/** The user turns their own second factor off; a current code (or a recovery code) proves it is them. */
export async function disableTwoFactor(actor: Actor, input: unknown): Promise<void> {
  const userId = selfServiceUserId(actor);
  const { code } = parseInput(secondFactorCodeSchema, input);
  const verdict = await db().$transaction(async (tx) => {
    const user = await tx.user.findUnique({ where: { id: userId }, select: { id: true, email: true, totpSecret: true } });
    if (!user) throw notFound("Your account");
    if (!user.totpSecret) throw conflict("Two-factor login is not on.");
    const checked = await spendThrottledSecondFactor(tx, user, code, null);
    if (!checked.ok) return checked;
    const disabled = await tx.user.updateMany({
      where: { id: userId, totpSecret: user.totpSecret },
      data: { totpSecret: null, totpPending: null, totpEnabledAt: null, totpLastStep: null },
    });
    if (disabled.count === 0) throw conflict("Two-factor login changed in the meantime. Reload the page.");
    await tx.recoveryCode.deleteMany({ where: { userId } });
    await appendAuditEvent(tx, { actorId: userId, projectId: null, action: "user.2fa.disable", entityType: "User", entityId: userId, after: { provedWith: checked.kind } });
    return checked;
  });
  if (!verdict.ok) throw verdict.error;
}

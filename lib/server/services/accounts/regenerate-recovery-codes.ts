import "server-only";
import { conflict, notFound } from "@/lib/domain/errors";
import type { Actor } from "@/lib/domain/permissions";
import { secondFactorCodeSchema } from "@/lib/domain/two-factor";
import { appendAuditEvent } from "../../audit";
import { db } from "../../db";
import { replaceRecoveryCodes, selfServiceUserId } from "../../two-factor";
import { parseInput } from "../../validation";
import { spendThrottledSecondFactor } from "./verify-second-factor";

/** Replaces all of the user's recovery codes (the old ones stop working) and returns the new ones once. */
export async function regenerateRecoveryCodes(actor: Actor, input: unknown): Promise<{ recoveryCodes: string[] }> {
  const userId = selfServiceUserId(actor);
  const { code } = parseInput(secondFactorCodeSchema, input);
  const verdict = await db().$transaction(async (tx) => {
    const user = await tx.user.findUnique({ where: { id: userId }, select: { id: true, email: true, totpSecret: true } });
    if (!user) throw notFound("Your account");
    if (!user.totpSecret) throw conflict("Two-factor login is not on.");
    const checked = await spendThrottledSecondFactor(tx, user, code, null);
    if (!checked.ok) return checked;
    const recoveryCodes = await replaceRecoveryCodes(tx, userId);
    await appendAuditEvent(tx, {
      actorId: userId,
      projectId: null,
      action: "user.2fa.recovery_codes",
      entityType: "User",
      entityId: userId,
      after: { recoveryCodes: recoveryCodes.length, provedWith: checked.kind },
    });
    return { ok: true as const, recoveryCodes };
  });
  if (!verdict.ok) throw verdict.error;
  return { recoveryCodes: verdict.recoveryCodes };
}

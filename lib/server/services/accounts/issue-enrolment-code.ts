import "server-only";
import { randomBytes } from "node:crypto";
import { z } from "zod";
import { conflict, forbidden, notFound } from "@/lib/domain/errors";
import { auditActorId, can, type Actor } from "@/lib/domain/permissions";
import { idSchema } from "@/lib/domain/schemas";
import { ENROLMENT_CODE_TTL_MS, enrolmentCodeFromBytes } from "@/lib/domain/two-factor";
import { appendAuditEvent } from "../../audit";
import { db } from "../../db";
import { parseInput } from "../../validation";
import { checkActorCredentials, hashEnrolmentCode } from "./check-current-credentials";

const issueEnrolmentCodeSchema = z.object({
  userId: idSchema,
  currentPassword: z.string().max(256).optional(),
  currentCode: z.string().trim().max(64).optional(),
});

/**
 * Admin issues a one-time enrolment code for a user who must set up two-factor login (member of a
 * project that requires it, or after a reset). The code is returned once, for the admin to hand
 * over in person or by another channel; only its SHA-256 is kept, it expires after 24 hours,
 * and a new code replaces the previous one.
 */
export async function issueEnrolmentCode(actor: Actor, input: unknown): Promise<{ code: string; expiresAt: Date }> {
  if (!can(actor, "user:manage", { kind: "system" })) throw forbidden();
  const { userId, currentPassword, currentCode } = parseInput(issueEnrolmentCodeSchema, input);
  const code = enrolmentCodeFromBytes(randomBytes(20));
  const codeHash = hashEnrolmentCode(code)!;
  const expiresAt = new Date(Date.now() + ENROLMENT_CODE_TTL_MS);
  const verdict = await db().$transaction(async (tx) => {
    const checked = await checkActorCredentials(tx, actor, { currentPassword, currentCode });
    if (!checked.ok) return checked;
    const user = await tx.user.findUnique({ where: { id: userId }, select: { totpSecret: true, active: true } });
    if (!user) throw notFound("That user");
    if (user.totpSecret) throw conflict("This user already has two-factor login on. Reset it first if they lost their device.");
    if (!user.active) throw conflict("This account is deactivated.");
    await tx.user.update({ where: { id: userId }, data: { enrolmentCodeHash: codeHash, enrolmentCodeExpiresAt: expiresAt } });
    await appendAuditEvent(tx, {
      actorId: auditActorId(actor),
      projectId: null,
      action: "user.2fa.enrolment_code_issue",
      entityType: "User",
      entityId: userId,
      after: { expiresAt: expiresAt.toISOString() },
    });
    return { ok: true as const };
  });
  if (!verdict.ok) throw verdict.error;
  return { code, expiresAt };
}

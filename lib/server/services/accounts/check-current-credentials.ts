import "server-only";
import { createHash } from "node:crypto";
import { DomainError } from "@/lib/domain/errors";
import { auditActorId, type Actor } from "@/lib/domain/permissions";
import { normaliseEnrolmentCode } from "@/lib/domain/two-factor";
import { appendAuditEvent } from "../../audit";
import type { Tx } from "../../db";
import { lockThrottle, recordThrottleFailure, throttleKeysFor } from "../../login-throttle-store";
import { verifyPassword } from "../../passwords";
import { spendSecondFactor, type SecondFactorKind } from "../../two-factor";

export const WRONG_CURRENT_PASSWORD = "Your current password is not right.";
export const CURRENT_CODE_NEEDED = "Enter the current code from your authenticator app, or a recovery code.";
export const WRONG_CURRENT_CODE = "That code is not valid. Enter the current code from your authenticator app, or an unused recovery code.";

export type CredentialsVerdict = { ok: true; secondFactor: SecondFactorKind | null } | { ok: false; error: DomainError };

const fieldError = (field: string, message: string) => new DomainError("VALIDATION", message, { [field]: [message] });

/**
 * Re-checks the signed-in person before a sensitive change (their password or second factor,
 * or an admin's reset of someone else's): the current password, then, when the account has a
 * second factor, a current code (spent, so it cannot be replayed). Wrong answers count against
 * the same throttle as failed sign-ins, so a stolen session cannot guess the password here.
 * Runs inside the caller's transaction; on failure the caller must let it commit (return, not
 * throw) so the failure is recorded, and raise `error` afterwards.
 */
export async function checkCurrentCredentials(
  tx: Tx,
  user: { id: string; email: string; passwordHash: string; totpSecret: string | null },
  input: { password: string; code?: string | undefined },
  options: { ip?: string | null; codeField?: string } = {},
): Promise<CredentialsVerdict> {
  const ip = options.ip ?? null;
  const codeField = options.codeField ?? "code";
  const { locked, refusal } = await lockThrottle(tx, throttleKeysFor(user.email, ip));
  if (refusal) return { ok: false, error: new DomainError("THROTTLED", refusal) };

  const fail = async (action: string, field: string, message: string): Promise<CredentialsVerdict> => {
    const lockedNow = await recordThrottleFailure(tx, locked);
    await appendAuditEvent(tx, { actorId: null, projectId: null, action: lockedNow ? "auth.locked" : action, entityType: "User", entityId: user.id, ip });
    return { ok: false, error: fieldError(field, message) };
  };

  if (!(await verifyPassword(user.passwordHash, input.password))) return fail("auth.reauth_failed", "currentPassword", WRONG_CURRENT_PASSWORD);
  let secondFactor: SecondFactorKind | null = null;
  if (user.totpSecret) {
    // A missing code is not a guess: it is not counted, the form just asks for it.
    if (!input.code?.trim()) return { ok: false, error: fieldError(codeField, CURRENT_CODE_NEEDED) };
    secondFactor = await spendSecondFactor(tx, user.id, input.code, locked.now);
    if (!secondFactor) return fail("auth.2fa_failed", codeField, WRONG_CURRENT_CODE);
  }
  await tx.loginThrottle.deleteMany({ where: { key: `account:${user.email}` } });
  return { ok: true, secondFactor };
}

export function hashEnrolmentCode(code: string): string | null {
  const normalised = normaliseEnrolmentCode(code);
  return normalised ? createHash("sha256").update(normalised).digest("hex") : null;
}

/**
 * The same check for an admin acting on someone else's account (password and second-factor
 * resets, enrolment codes): a stolen admin session alone cannot take over an account. The
 * system actor (command-line scripts, run by someone with the server's shell) is not asked.
 */
export async function checkActorCredentials(tx: Tx, actor: Actor, input: { currentPassword?: string; currentCode?: string }): Promise<CredentialsVerdict> {
  if (auditActorId(actor) === null) return { ok: true, secondFactor: null };
  if (!input.currentPassword) return { ok: false, error: fieldError("currentPassword", "Enter your own current password to confirm.") };
  const self = await tx.user.findUnique({ where: { id: actor.userId }, select: { id: true, email: true, passwordHash: true, totpSecret: true } });
  if (!self) return { ok: false, error: new DomainError("UNAUTHENTICATED", "Your session has ended. Sign in again.") };
  return checkCurrentCredentials(tx, self, { password: input.currentPassword, code: input.currentCode }, { codeField: "currentCode" });
}

import "server-only";
import { DomainError, notFound } from "@/lib/domain/errors";
import { SECOND_FACTOR_INVALID_MESSAGE } from "@/lib/domain/two-factor";
import { appendAuditEvent } from "../../audit";
import { db, type Tx } from "../../db";
import { clearThrottleAfterSuccess, lockThrottle, recordThrottleFailure, throttleKeysFor } from "../../login-throttle-store";
import { spendSecondFactor, type SecondFactorKind } from "../../two-factor";

export type ThrottledVerdict = { ok: true; kind: SecondFactorKind } | { ok: false; error: DomainError };

/**
 * Spends a second-factor code inside the caller's transaction, counting a wrong code against
 * the same throttle keys as a failed sign-in. On failure the caller must let the transaction
 * commit (return, not throw) so the failure is recorded, and raise `error` afterwards.
 */
export async function spendThrottledSecondFactor(tx: Tx, user: { id: string; email: string }, code: string, ip: string | null): Promise<ThrottledVerdict> {
  const { locked, refusal } = await lockThrottle(tx, throttleKeysFor(user.email, ip));
  if (refusal) return { ok: false, error: new DomainError("THROTTLED", refusal) };
  const kind = await spendSecondFactor(tx, user.id, code, locked.now);
  if (kind) {
    // As after a successful sign-in: proving the factor clears the account's failure count.
    await clearThrottleAfterSuccess(tx, user.email, ip);
    return { ok: true, kind };
  }
  const lockedNow = await recordThrottleFailure(tx, locked);
  await appendAuditEvent(tx, { actorId: null, projectId: null, action: lockedNow ? "auth.locked" : "auth.2fa_failed", entityType: "User", entityId: user.id, ip });
  return { ok: false, error: new DomainError("VALIDATION", SECOND_FACTOR_INVALID_MESSAGE, { code: [SECOND_FACTOR_INVALID_MESSAGE] }) };
}

/**
 * Checks a second-factor code for a user outside sign-in: a current TOTP code not used before,
 * or an unused recovery code (spent by this call). Throws VALIDATION for a wrong code and
 * THROTTLED when too many were wrong.
 */
export async function verifySecondFactor(userId: string, code: string, ip: string | null = null): Promise<SecondFactorKind> {
  const verdict = await db().$transaction(async (tx) => {
    const user = await tx.user.findUnique({ where: { id: userId }, select: { id: true, email: true } });
    if (!user) throw notFound("That user");
    return spendThrottledSecondFactor(tx, user, code, ip);
  });
  if (!verdict.ok) throw verdict.error;
  return verdict.kind;
}

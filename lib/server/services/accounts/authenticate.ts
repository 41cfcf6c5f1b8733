import "server-only";
import { DomainError } from "@/lib/domain/errors";
import { loginSchema } from "@/lib/domain/schemas";
import { SECOND_FACTOR_INVALID_MESSAGE, SECOND_FACTOR_REQUIRED_MESSAGE } from "@/lib/domain/two-factor";
import { appendAuditEvent } from "../../audit";
import { db } from "../../db";
import { clearThrottleAfterSuccess, lockThrottle, recordThrottleFailure, throttleKeysFor } from "../../login-throttle-store";
import { burnPasswordCheck, verifyPassword } from "../../passwords";
import { createSession } from "../../sessions";
import { spendSecondFactor } from "../../two-factor";
import { parseInput } from "../../validation";

const INVALID = "Email or password is incorrect.";

export interface AuthenticatedUser {
  userId: string;
  sessionVersion: number;
  /** The new session's row id. */
  sessionId: string;
  /** The new session's secret, for the cookie only. */
  sessionToken: string;
  sessionExpiresAt: Date;
  /** Whether this sign-in passed a second factor (recorded on the session). */
  secondFactor: boolean;
}

/**
 * Checks a login: the password, then the second factor when the account has one. Attempts for
 * the same account or address are serialised by row locks on their throttle records, so a
 * burst of parallel guesses is throttled like a sequence. A wrong second-factor code counts as
 * a failure like a wrong password; a missing one does not (the form simply asks for it).
 * Success starts a server-side session (in the same transaction as the audit event), which
 * records whether this sign-in passed a second factor.
 */
export async function authenticate(input: unknown, ip: string | null, userAgent: string | null = null): Promise<AuthenticatedUser> {
  const { email, password, code } = parseInput(loginSchema, input);
  const keys = throttleKeysFor(email, ip);

  const outcome = await db().$transaction(
    async (tx) => {
      const { locked, refusal } = await lockThrottle(tx, keys);
      if (refusal) return { kind: "refused" as const, message: refusal };

      const user = await tx.user.findUnique({
        where: { email },
        select: { id: true, passwordHash: true, active: true, sessionVersion: true, totpSecret: true },
      });
      const passwordOk = user ? await verifyPassword(user.passwordHash, password) : (await burnPasswordCheck(password), false);

      // A deactivated account answers exactly like a wrong password (same message, same count
      // against the throttle): the form must not confirm that a password is right.
      if (!user || !passwordOk || !user.active) {
        const lockedNow = await recordThrottleFailure(tx, locked);
        if (user) {
          await appendAuditEvent(tx, {
            actorId: null,
            projectId: null,
            action: lockedNow ? "auth.locked" : "auth.login_failed",
            entityType: "User",
            entityId: user.id,
            after: passwordOk && !user.active ? { reason: "deactivated" } : undefined,
            ip,
          });
        }
        return { kind: "failed" as const };
      }

      let secondFactor: "totp" | "recovery" | undefined;
      if (user.totpSecret) {
        // The account's throttle is only cleared once both factors pass: knowing the password
        // must not reset the count of wrong codes.
        if (!code) return { kind: "second_factor_required" as const };
        const spent = await spendSecondFactor(tx, user.id, code, locked.now);
        if (!spent) {
          const lockedNow = await recordThrottleFailure(tx, locked);
          await appendAuditEvent(tx, {
            actorId: null,
            projectId: null,
            action: lockedNow ? "auth.locked" : "auth.2fa_failed",
            entityType: "User",
            entityId: user.id,
            ip,
          });
          return { kind: "second_factor_failed" as const };
        }
        secondFactor = spent;
      }

      await clearThrottleAfterSuccess(tx, email, ip);
      await appendAuditEvent(tx, {
        actorId: user.id,
        projectId: null,
        action: "auth.login",
        entityType: "User",
        entityId: user.id,
        after: secondFactor ? { secondFactor } : undefined,
        ip,
      });
      const session = await createSession(tx, { userId: user.id, secondFactor: secondFactor !== undefined, origin: { ip, userAgent } });
      return {
        kind: "ok" as const,
        user: {
          userId: user.id,
          sessionVersion: user.sessionVersion,
          sessionId: session.id,
          sessionToken: session.token,
          sessionExpiresAt: session.expiresAt,
          secondFactor: secondFactor !== undefined,
        },
      };
    },
    { timeout: 15_000 },
  );

  switch (outcome.kind) {
    case "ok":
      return outcome.user;
    case "refused":
      throw new DomainError("THROTTLED", outcome.message);
    case "second_factor_required":
      throw new DomainError("SECOND_FACTOR_REQUIRED", SECOND_FACTOR_REQUIRED_MESSAGE);
    case "second_factor_failed":
      throw new DomainError("UNAUTHENTICATED", SECOND_FACTOR_INVALID_MESSAGE);
    default:
      throw new DomainError("UNAUTHENTICATED", INVALID);
  }
}

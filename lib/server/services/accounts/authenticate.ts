import "server-only";
import { DomainError } from "@/lib/domain/errors";
import {
  ACCOUNT_POLICY,
  ADDRESS_POLICY,
  checkAttempt,
  describeRefusal,
  recordFailure,
  type ThrottlePolicy,
  type ThrottleState,
} from "@/lib/domain/login-throttle";
import { loginSchema } from "@/lib/domain/schemas";
import { appendAuditEvent } from "../../audit";
import { db, type Tx } from "../../db";
import { burnPasswordCheck, verifyPassword } from "../../passwords";
import { parseInput } from "../../validation";

const INVALID = "Email or password is incorrect.";

export interface AuthenticatedUser {
  userId: string;
  sessionVersion: number;
}

/**
 * Checks a login. Attempts for the same account or address are serialised by row locks on
 * their throttle records, so a burst of parallel guesses is throttled like a sequence.
 */
export async function authenticate(input: unknown, ip: string | null): Promise<AuthenticatedUser> {
  const { email, password } = parseInput(loginSchema, input);
  const keys: Array<{ key: string; policy: ThrottlePolicy }> = [{ key: `account:${email}`, policy: ACCOUNT_POLICY }];
  if (ip) keys.push({ key: `ip:${ip}`, policy: ADDRESS_POLICY });
  keys.sort((a, b) => a.key.localeCompare(b.key)); // fixed lock order: no deadlocks

  const outcome = await db().$transaction(
    async (tx) => {
      const now = new Date();
      const states = new Map<string, ThrottleState | null>();
      for (const { key } of keys) states.set(key, await lockThrottleRow(tx, key));
      for (const { key, policy } of keys) {
        const decision = checkAttempt(states.get(key) ?? null, now, policy);
        if (!decision.allowed) return { kind: "refused" as const, message: describeRefusal(decision) };
      }

      const user = await tx.user.findUnique({
        where: { email },
        select: { id: true, passwordHash: true, active: true, sessionVersion: true },
      });
      const passwordOk = user ? await verifyPassword(user.passwordHash, password) : (await burnPasswordCheck(password), false);

      if (!user || !passwordOk) {
        let lockedNow = false;
        for (const { key, policy } of keys) {
          const next = recordFailure(states.get(key) ?? null, now, policy);
          lockedNow ||= next.lockedUntil !== null && !states.get(key)?.lockedUntil;
          await tx.loginThrottle.update({ where: { key }, data: next });
        }
        if (user) {
          await appendAuditEvent(tx, {
            actorId: null,
            projectId: null,
            action: lockedNow ? "auth.locked" : "auth.login_failed",
            entityType: "User",
            entityId: user.id,
            ip,
          });
        }
        return { kind: "failed" as const };
      }
      if (!user.active) return { kind: "inactive" as const };

      await tx.loginThrottle.deleteMany({ where: { key: `account:${email}` } });
      await appendAuditEvent(tx, { actorId: user.id, projectId: null, action: "auth.login", entityType: "User", entityId: user.id, ip });
      return { kind: "ok" as const, user: { userId: user.id, sessionVersion: user.sessionVersion } };
    },
    { timeout: 15_000 },
  );

  switch (outcome.kind) {
    case "ok":
      return outcome.user;
    case "refused":
      throw new DomainError("THROTTLED", outcome.message);
    case "inactive":
      throw new DomainError("UNAUTHENTICATED", "This account has been deactivated. Ask an administrator.");
    default:
      throw new DomainError("UNAUTHENTICATED", INVALID);
  }
}

async function lockThrottleRow(tx: Tx, key: string): Promise<ThrottleState | null> {
  const epoch = new Date(0);
  await tx.$executeRaw`INSERT INTO "LoginThrottle" ("key", "failures", "windowStartAt", "lastFailureAt")
    VALUES (${key}, 0, ${epoch}, ${epoch}) ON CONFLICT ("key") DO NOTHING`;
  const rows = await tx.$queryRaw<ThrottleState[]>`SELECT "failures", "windowStartAt", "lastFailureAt", "lockedUntil"
    FROM "LoginThrottle" WHERE "key" = ${key} FOR UPDATE`;
  const row = rows[0];
  return row && row.failures > 0 ? row : null;
}

import "server-only";
import { createHash, randomBytes } from "node:crypto";
import { SESSION_TOKEN_PATTERN, sessionPolicyFromEnv, USER_AGENT_MAX_LENGTH, type SessionPolicy } from "@/lib/domain/sessions";
import type { Tx } from "./db";

/** Read once per process: GROUNDTRUTH_SESSION_MAX_AGE_MINUTES and GROUNDTRUTH_SESSION_IDLE_MINUTES. */
let policy: SessionPolicy | null = null;
export function sessionPolicy(): SessionPolicy {
  policy ??= sessionPolicyFromEnv(process.env);
  return policy;
}

export function hashSessionToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

export function isSessionToken(value: unknown): value is string {
  return typeof value === "string" && SESSION_TOKEN_PATTERN.test(value);
}

export type SessionRevokeReason =
  | "sign_out"
  | "signed_out_from_other_session"
  | "credentials_changed"
  | "admin"
  | "admin_everyone"
  | "deactivated";

export interface NewSession {
  /** The row id: safe to show and to name in forms; it does not sign anyone in. */
  id: string;
  /** The secret the cookie carries. Shown to nobody, stored only as SHA-256. */
  token: string;
  expiresAt: Date;
}

export interface SessionOrigin {
  ip: string | null;
  userAgent: string | null;
}

/** Ended sessions stay listed for this long (for an investigation after an incident), then go. */
const ENDED_SESSION_RETENTION_MS = 30 * 24 * 60 * 60 * 1000;

/**
 * Writes a new session for a user who has just authenticated (inside the caller's transaction),
 * and deletes the user's sessions that ended more than 30 days ago, so the table stays small.
 */
export async function createSession(
  tx: Tx,
  input: { userId: string; secondFactor: boolean; origin: SessionOrigin; now?: Date },
): Promise<NewSession> {
  const now = input.now ?? new Date();
  const token = randomBytes(32).toString("base64url");
  const expiresAt = new Date(now.getTime() + sessionPolicy().maxAgeMs);
  // Every session, revoked or not, ends by its expiresAt: older than the retention is gone for good.
  await tx.session.deleteMany({ where: { userId: input.userId, expiresAt: { lt: new Date(now.getTime() - ENDED_SESSION_RETENTION_MS) } } });
  const row = await tx.session.create({
    data: {
      tokenHash: hashSessionToken(token),
      userId: input.userId,
      authLevel: input.secondFactor ? "SECOND_FACTOR" : "PASSWORD",
      secondFactorAt: input.secondFactor ? now : null,
      createdAt: now,
      lastSeenAt: now,
      expiresAt,
      ip: input.origin.ip,
      userAgent: input.origin.userAgent?.slice(0, USER_AGENT_MAX_LENGTH) ?? null,
    },
    select: { id: true },
  });
  return { id: row.id, token, expiresAt };
}

/** Ends every live session of a user, optionally keeping one. Returns how many ended. */
export async function revokeUserSessions(tx: Tx, userId: string, reason: SessionRevokeReason, keepSessionId?: string): Promise<number> {
  const ended = await tx.session.updateMany({
    where: { userId, revokedAt: null, ...(keepSessionId ? { id: { not: keepSessionId } } : {}) },
    data: { revokedAt: new Date(), revokedReason: reason },
  });
  return ended.count;
}

/**
 * After the user changed how they sign in (password, second factor): every session of theirs
 * ends, this one included, and a new one starts for the browser that made the change. The new
 * session keeps the old one's address and browser. Returns the new session for the cookie.
 */
export async function replaceUserSessions(
  tx: Tx,
  input: { userId: string; currentSessionId?: string; secondFactor: boolean },
): Promise<NewSession> {
  const current = input.currentSessionId
    ? await tx.session.findFirst({ where: { id: input.currentSessionId, userId: input.userId }, select: { ip: true, userAgent: true } })
    : null;
  await revokeUserSessions(tx, input.userId, "credentials_changed");
  return createSession(tx, { userId: input.userId, secondFactor: input.secondFactor, origin: { ip: current?.ip ?? null, userAgent: current?.userAgent ?? null } });
}

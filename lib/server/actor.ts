import "server-only";
import type { Actor } from "@/lib/domain/permissions";
import type { ProjectRole } from "@/lib/domain/roles";
import { sessionVerdict, shouldTouch } from "@/lib/domain/sessions";
import { twoFactorRequiredFor } from "@/lib/domain/two-factor";
import { db } from "./db";
import { hashSessionToken, isSessionToken, sessionPolicy } from "./sessions";

export interface SessionActor extends Actor {
  email: string;
  name: string;
  /**
   * Projects the user belongs to but may not enter in this session: the project requires
   * two-factor login and this session did not pass a second factor. They are left out of
   * `memberships`, so to every service the user is simply not a member; this list only lets
   * pages say why.
   */
  twoFactorMissingFor: string[];
  /** Whether this session passed a second factor at sign-in (or when it was started after a change). */
  secondFactorInSession?: boolean;
  /** Whether the account has two-factor login on (this session may still not have used it). */
  hasSecondFactor?: boolean;
}

interface UserRow {
  id: string;
  email: string;
  name: string;
  isAdmin: boolean;
  active: boolean;
  sessionVersion: number;
  hasSecondFactor: boolean;
  memberships: Array<{ projectId: string; role: ProjectRole; settings: unknown }>;
}

/** The actor of a user row; `secondFactorPassed` decides projects that require two-factor login. */
function actorOf(user: UserRow, secondFactorPassed: boolean): SessionActor {
  const memberships: Record<string, ProjectRole> = {};
  const twoFactorMissingFor: string[] = [];
  for (const m of user.memberships) {
    if (!secondFactorPassed && twoFactorRequiredFor(m.settings)) twoFactorMissingFor.push(m.projectId);
    else memberships[m.projectId] = m.role;
  }
  return { userId: user.id, email: user.email, name: user.name, isAdmin: user.isAdmin, active: true, memberships, twoFactorMissingFor };
}

/**
 * The actor of a user outside a browser session (API tokens, scripts), rebuilt from the database
 * so deactivation and role changes apply at once. Returns null if the user is gone, deactivated,
 * or `sessionVersion` is outdated. Projects that require two-factor login count only when the
 * account has it on. Browser requests use `loadSessionActor`, which asks more.
 */
export async function loadActor(userId: string, sessionVersion: number): Promise<SessionActor | null> {
  // Runs on every token request, so it is one plain query: the ORM's nested select costs
  // several times as much CPU (Prisma 6 compiles each query on the request's thread).
  const rows = await db().$queryRaw<UserRow[]>`
    SELECT u."id", u."email", u."name", u."isAdmin", u."active", u."sessionVersion", u."totpSecret" IS NOT NULL AS "hasSecondFactor",
           coalesce((SELECT json_agg(json_build_object('projectId', m."projectId", 'role', m."role", 'settings', p."settings"))
                     FROM "Membership" m JOIN "Project" p ON p."id" = m."projectId" WHERE m."userId" = u."id"), '[]'::json) AS "memberships"
    FROM "User" u WHERE u."id" = ${userId}`;
  const user = rows[0];
  if (!user || !user.active || user.sessionVersion !== sessionVersion) return null;
  return actorOf(user, user.hasSecondFactor);
}

/**
 * The actor of a browser session, from the secret its cookie carries, or null when the session
 * is unknown, revoked, past its absolute lifetime, idle too long, or its user is deactivated.
 * One query per request; lastSeenAt is written at most about once a minute. A project that
 * requires two-factor login is served only when THIS session passed the second factor.
 */
export async function loadSessionActor(sessionToken: unknown, now = new Date()): Promise<SessionActor | null> {
  if (!isSessionToken(sessionToken)) return null;
  const rows = await db().$queryRaw<
    Array<UserRow & { sessionId: string; lastSeenAt: Date; expiresAt: Date; revokedAt: Date | null; secondFactorAt: Date | null }>
  >`
    SELECT s."id" AS "sessionId", s."lastSeenAt", s."expiresAt", s."revokedAt", s."secondFactorAt",
           u."id", u."email", u."name", u."isAdmin", u."active", u."sessionVersion", u."totpSecret" IS NOT NULL AS "hasSecondFactor",
           coalesce((SELECT json_agg(json_build_object('projectId', m."projectId", 'role', m."role", 'settings', p."settings"))
                     FROM "Membership" m JOIN "Project" p ON p."id" = m."projectId" WHERE m."userId" = u."id"), '[]'::json) AS "memberships"
    FROM "Session" s JOIN "User" u ON u."id" = s."userId" WHERE s."tokenHash" = ${hashSessionToken(sessionToken)}`;
  const row = rows[0];
  if (!row || !row.active) return null;
  const policy = sessionPolicy();
  if (sessionVerdict(row, now, policy) !== "active") return null;
  if (shouldTouch(row.lastSeenAt, now, policy)) {
    // Conditional: of several parallel requests, one writes; none revives a revoked session.
    await db().session.updateMany({ where: { id: row.sessionId, revokedAt: null, lastSeenAt: { lt: now } }, data: { lastSeenAt: now } });
  }
  const secondFactorInSession = row.secondFactorAt !== null && row.hasSecondFactor;
  return { ...actorOf(row, secondFactorInSession), sessionId: row.sessionId, secondFactorInSession, hasSecondFactor: row.hasSecondFactor };
}

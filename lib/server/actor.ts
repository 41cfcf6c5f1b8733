import "server-only";
import type { Actor } from "@/lib/domain/permissions";
import type { ProjectRole } from "@/lib/domain/roles";
import { twoFactorRequiredFor } from "@/lib/domain/two-factor";
import { db } from "./db";

export interface SessionActor extends Actor {
  email: string;
  name: string;
  /**
   * Projects the user belongs to but may not enter until they turn on two-factor login (the
   * project requires it). They are left out of `memberships`, so to every service the user is
   * simply not a member; this list only lets pages say why.
   */
  twoFactorMissingFor: string[];
}

/**
 * Rebuilds the actor from the database on every request, so deactivation and role changes
 * apply at once even while the user's session token is still valid. Returns null if the user
 * is gone, deactivated, or the token predates a session reset.
 */
export async function loadActor(userId: string, sessionVersion: number): Promise<SessionActor | null> {
  // Runs on every signed-in request, so it is one plain query: the ORM's nested select costs
  // several times as much CPU (Prisma 6 compiles each query on the request's thread).
  const rows = await db().$queryRaw<
    Array<{ id: string; email: string; name: string; isAdmin: boolean; active: boolean; sessionVersion: number; hasSecondFactor: boolean; memberships: Array<{ projectId: string; role: ProjectRole; settings: unknown }> }>
  >`
    SELECT u."id", u."email", u."name", u."isAdmin", u."active", u."sessionVersion", u."totpSecret" IS NOT NULL AS "hasSecondFactor",
           coalesce((SELECT json_agg(json_build_object('projectId', m."projectId", 'role', m."role", 'settings', p."settings"))
                     FROM "Membership" m JOIN "Project" p ON p."id" = m."projectId" WHERE m."userId" = u."id"), '[]'::json) AS "memberships"
    FROM "User" u WHERE u."id" = ${userId}`;
  const user = rows[0];
  if (!user || !user.active || user.sessionVersion !== sessionVersion) return null;
  const memberships: Record<string, ProjectRole> = {};
  const twoFactorMissingFor: string[] = [];
  for (const m of user.memberships) {
    if (!user.hasSecondFactor && twoFactorRequiredFor(m.settings)) twoFactorMissingFor.push(m.projectId);
    else memberships[m.projectId] = m.role;
  }
  return { userId: user.id, email: user.email, name: user.name, isAdmin: user.isAdmin, active: true, memberships, twoFactorMissingFor };
}

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
  const user = await db().user.findUnique({
    where: { id: userId },
    select: {
      id: true,
      email: true,
      name: true,
      isAdmin: true,
      active: true,
      sessionVersion: true,
      totpSecret: true,
      memberships: { select: { projectId: true, role: true, project: { select: { settings: true } } } },
    },
  });
  if (!user || !user.active || user.sessionVersion !== sessionVersion) return null;
  const memberships: Record<string, ProjectRole> = {};
  const twoFactorMissingFor: string[] = [];
  const hasSecondFactor = user.totpSecret !== null;
  for (const m of user.memberships) {
    if (!hasSecondFactor && twoFactorRequiredFor(m.project.settings)) twoFactorMissingFor.push(m.projectId);
    else memberships[m.projectId] = m.role;
  }
  return { userId: user.id, email: user.email, name: user.name, isAdmin: user.isAdmin, active: true, memberships, twoFactorMissingFor };
}

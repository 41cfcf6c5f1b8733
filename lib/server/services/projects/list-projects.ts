import "server-only";
import type { Actor } from "@/lib/domain/permissions";
import type { ProjectRole } from "@/lib/domain/roles";
import { twoFactorRequiredFor } from "@/lib/domain/two-factor";
import { db } from "../../db";

export interface ProjectSummary {
  id: string;
  slug: string;
  name: string;
  description: string;
  /** The actor's role, or null for an admin who administers but is not a member. */
  role: ProjectRole | null;
  timeZone: string;
  requiredConfirmations: number;
  requireTwoFactor: boolean;
}

/** Members see their projects; admins also see every other project's name (never its data). */
export async function listProjectsForActor(actor: Actor): Promise<ProjectSummary[]> {
  if (!actor.active) return [];
  const memberOf = Object.keys(actor.memberships);
  const projects = await db().project.findMany({
    where: actor.isAdmin ? {} : { id: { in: memberOf } },
    select: { id: true, slug: true, name: true, description: true, settings: true },
    orderBy: { name: "asc" },
  });
  return projects.map(({ settings, ...p }) => {
    const s = (settings ?? {}) as { timeZone?: unknown; requiredConfirmations?: unknown };
    return {
      ...p,
      role: actor.memberships[p.id] ?? null,
      timeZone: typeof s.timeZone === "string" ? s.timeZone : "Asia/Kabul",
      requiredConfirmations: typeof s.requiredConfirmations === "number" ? s.requiredConfirmations : 1,
      requireTwoFactor: twoFactorRequiredFor(settings),
    };
  });
}

/**
 * Projects the actor belongs to but cannot enter until they turn on two-factor login. Only
 * names: the point is to tell the user why a project is missing, not to show any of it.
 */
export async function listProjectsAwaitingTwoFactor(actor: Actor & { twoFactorMissingFor?: readonly string[] }): Promise<Array<{ id: string; name: string }>> {
  const ids = actor.twoFactorMissingFor ?? [];
  if (!actor.active || ids.length === 0) return [];
  return db().project.findMany({ where: { id: { in: [...ids] } }, select: { id: true, name: true }, orderBy: { name: "asc" } });
}

import "server-only";
import { conflict, forbidden, notFound } from "@/lib/domain/errors";
import { auditActorId, can, type Actor } from "@/lib/domain/permissions";
import { setMembershipSchema } from "@/lib/domain/schemas";
import { appendAuditEvent } from "../../audit";
import { db } from "../../db";
import { parseInput } from "../../validation";

/**
 * Gives a user a role in a project, changes it, or (role null) removes them from it. Admins only,
 * audited with the role before and after. The admin page asks before a demotion or removal; with
 * `expectedRole` (the role the admin was shown) a membership changed meanwhile is refused.
 */
export async function setMembership(actor: Actor, input: unknown): Promise<{ role: string | null }> {
  if (!can(actor, "membership:manage", { kind: "system" })) throw forbidden();
  const { userId, projectId, role, expectedRole } = parseInput(setMembershipSchema, input);

  return db().$transaction(async (tx) => {
    const [user, project] = await Promise.all([
      tx.user.findUnique({ where: { id: userId }, select: { id: true } }),
      tx.project.findUnique({ where: { id: projectId }, select: { id: true } }),
    ]);
    if (!user) throw notFound("That user");
    if (!project) throw notFound("That project");
    // Lock the pair's row (if any) so two admins changing the same membership serialise.
    const existing = await tx.$queryRaw<Array<{ id: string; role: string }>>`
      SELECT "id", "role"::text FROM "Membership" WHERE "userId" = ${userId} AND "projectId" = ${projectId} FOR UPDATE`;
    const beforeRole = existing[0]?.role ?? null;
    if (expectedRole !== undefined && expectedRole !== beforeRole) {
      throw conflict(`This person's role in that project changed since the page was loaded (it is now ${beforeRole ?? "no role"}). Reload and try again.`);
    }
    if (beforeRole === role) return { role };

    if (role === null) {
      await tx.membership.delete({ where: { userId_projectId: { userId, projectId } } });
    } else {
      await tx.membership.upsert({
        where: { userId_projectId: { userId, projectId } },
        create: { userId, projectId, role },
        update: { role },
      });
    }
    await appendAuditEvent(tx, {
      actorId: auditActorId(actor),
      projectId,
      action: role === null ? "membership.remove" : beforeRole === null ? "membership.add" : "membership.change_role",
      entityType: "Membership",
      entityId: `${projectId}:${userId}`,
      before: beforeRole === null ? null : { userId, role: beforeRole },
      after: role === null ? null : { userId, role },
    });
    return { role };
  });
}

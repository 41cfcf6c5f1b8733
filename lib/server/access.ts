import "server-only";
import { notFound } from "@/lib/domain/errors";
import { can, scopeOf, type Actor } from "@/lib/domain/permissions";
import type { Prisma } from "@/lib/generated/prisma/client";
import { db } from "./db";

// Read access as query pieces: every service that reads project material starts here, so the
// permission table in lib/domain is applied in the database query itself.

/** The where-clause that limits evidence items to what the actor may read in a project. */
export function readableItemsWhere(actor: Actor, projectId: string): Prisma.EvidenceItemWhereInput {
  const scope = scopeOf(actor, "item:read", projectId);
  if (scope === "any") return { projectId };
  if (scope === "own") return { projectId, submittedById: actor.userId };
  return { id: { in: [] } };
}

/**
 * A project the actor is a member of. Unknown and not-a-member look the same (NOT_FOUND), so
 * a stranger cannot learn which projects exist. `what` names the thing being looked up.
 */
export async function findVisibleProject(actor: Actor, slug: string, what = "That project") {
  const project = await db().project.findUnique({ where: { slug }, select: { id: true, slug: true, name: true, description: true, settings: true } });
  if (!project || !can(actor, "project:view", { kind: "project", projectId: project.id })) throw notFound(what);
  return project;
}

import "server-only";
import { notFound } from "@/lib/domain/errors";
import { can, scopeOf, type Actor } from "@/lib/domain/permissions";
import type { Prisma } from "@/lib/generated/prisma/client";
import { cache } from "react";
import { db, type Tx } from "./db";

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
/**
 * Memoised per server render: a page, its facets and its saved views each ask for the project.
 * The policy check in findVisibleProject still runs on every call.
 */
const projectBySlug = cache((slug: string) => db().project.findUnique({ where: { slug }, select: { id: true, slug: true, name: true, description: true, settings: true } }));

export async function findVisibleProject(actor: Actor, slug: string, what = "That project") {
  // Slugs arrive raw from URLs; PostgreSQL rejects NUL in text, which must read as "no such project", not a 500.
  if (slug.includes("\u0000")) throw notFound(what);
  const project = await projectBySlug(slug);
  if (!project || !can(actor, "project:view", { kind: "project", projectId: project.id })) throw notFound(what);
  return project;
}

/**
 * Locks an item's row for the rest of the transaction, so note and review writes on one item
 * serialise. Unknown items and items of projects the actor is not in are both NOT_FOUND.
 */
export async function lockVisibleItem(tx: Tx, actor: Actor, itemId: string) {
  const rows = await tx.$queryRaw<Array<{ id: string; projectId: string; status: string; version: number }>>`
    SELECT "id", "projectId", "status"::text, "version" FROM "EvidenceItem" WHERE "id" = ${itemId} FOR UPDATE`;
  const item = rows[0];
  if (!item || !can(actor, "project:view", { kind: "project", projectId: item.projectId })) throw notFound("That item");
  return item;
}

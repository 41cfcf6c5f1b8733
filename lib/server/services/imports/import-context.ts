import "server-only";
import { notFound } from "@/lib/domain/errors";
import { can, type Actor } from "@/lib/domain/permissions";
import { db } from "../../db";

/**
 * The project as the import page needs it. Editors of the project and admins (who may import
 * without a membership) get it; everyone else gets NOT_FOUND, so the page reveals nothing.
 */
export async function getImportContext(actor: Actor, slug: string): Promise<{ id: string; slug: string; name: string }> {
  const project = await db().project.findUnique({ where: { slug }, select: { id: true, slug: true, name: true } });
  if (!project) throw notFound("That project");
  const allowed = can(actor, "import:run", { kind: "project", projectId: project.id }) || can(actor, "project:import", { kind: "system" });
  if (!allowed) throw notFound("That project");
  return project;
}

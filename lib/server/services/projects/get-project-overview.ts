import "server-only";
import { notFound } from "@/lib/domain/errors";
import { can, scopeOf, type Actor } from "@/lib/domain/permissions";
import type { ProjectRole } from "@/lib/domain/roles";
import type { Prisma } from "@/lib/generated/prisma/client";
import { db } from "../../db";

/** The where-clause that limits evidence items to what the actor may read in a project. */
export function readableItemsWhere(actor: Actor, projectId: string): Prisma.EvidenceItemWhereInput {
  const scope = scopeOf(actor, "item:read", projectId);
  if (scope === "any") return { projectId };
  if (scope === "own") return { projectId, submittedById: actor.userId };
  return { id: { in: [] } };
}

export interface ProjectOverview {
  project: { id: string; slug: string; name: string; description: string };
  role: ProjectRole;
  seesAllItems: boolean;
  statusCounts: Array<{ status: string; count: number }>;
  items: Array<{
    id: string;
    reference: string;
    title: string;
    status: string;
    platform: string | null;
    createdAt: Date;
    sensitiveGraphic: boolean;
    submittedByName: string;
  }>;
  incidents: Array<{ id: string; reference: string; title: string; incidentType: string; province: string | null; startAt: Date | null }> | null;
}

/**
 * A project's home page data. Unknown project and "not a member" both give NOT_FOUND, so a
 * stranger cannot even learn which project ids exist.
 */
export async function getProjectOverview(actor: Actor, slug: string): Promise<ProjectOverview> {
  const project = await db().project.findUnique({ where: { slug }, select: { id: true, slug: true, name: true, description: true } });
  if (!project || !can(actor, "project:view", { kind: "project", projectId: project.id })) throw notFound("That project");
  const role = actor.memberships[project.id]!;
  const where = readableItemsWhere(actor, project.id);

  const [grouped, items, incidents] = await Promise.all([
    db().evidenceItem.groupBy({ by: ["status"], where, _count: { _all: true } }),
    db().evidenceItem.findMany({
      where,
      orderBy: { createdAt: "desc" },
      take: 50,
      select: {
        id: true,
        reference: true,
        title: true,
        status: true,
        platform: true,
        createdAt: true,
        sensitiveGraphic: true,
        submittedBy: { select: { name: true } },
      },
    }),
    can(actor, "incident:read", { kind: "project", projectId: project.id })
      ? db().incident.findMany({
          where: { projectId: project.id },
          orderBy: { startAt: "desc" },
          select: { id: true, reference: true, title: true, incidentType: true, province: true, startAt: true },
        })
      : Promise.resolve(null),
  ]);

  return {
    project,
    role,
    seesAllItems: scopeOf(actor, "item:read", project.id) === "any",
    statusCounts: grouped.map((g) => ({ status: g.status, count: g._count._all })),
    items: items.map(({ submittedBy, ...item }) => ({ ...item, submittedByName: submittedBy.name })),
    incidents,
  };
}

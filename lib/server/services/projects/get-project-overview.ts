import "server-only";
import { can, scopeOf, type Actor } from "@/lib/domain/permissions";
import type { ProjectRole } from "@/lib/domain/roles";
import { findVisibleProject, readableItemsWhere } from "../../access";
import { db } from "../../db";

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
  /** The most recent incidents (undated ones after every dated one), with the project's totals. */
  incidents: {
    recent: Array<{ id: string; reference: string; title: string; incidentType: string; province: string | null; startAt: Date | null }>;
    total: number;
    undated: number;
  } | null;
}

export const OVERVIEW_INCIDENTS = 10;

/**
 * A project's home page data. Unknown project and "not a member" both give NOT_FOUND, so a
 * stranger cannot even learn which project ids exist.
 */
export async function getProjectOverview(actor: Actor, slug: string): Promise<ProjectOverview> {
  const { settings: _settings, ...project } = await findVisibleProject(actor, slug);
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
      ? Promise.all([
          db().incident.findMany({
            where: { projectId: project.id },
            orderBy: [{ startAt: { sort: "desc", nulls: "last" } }, { id: "desc" }],
            take: OVERVIEW_INCIDENTS,
            select: { id: true, reference: true, title: true, incidentType: true, province: true, startAt: true },
          }),
          db().incident.count({ where: { projectId: project.id } }),
          db().incident.count({ where: { projectId: project.id, startAt: null } }),
        ]).then(([recent, total, undated]) => ({ recent, total, undated }))
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

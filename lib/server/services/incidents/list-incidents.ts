import "server-only";
import { z } from "zod";
import { notFound } from "@/lib/domain/errors";
import { countEvidence } from "@/lib/domain/incidents";
import { can, type Actor } from "@/lib/domain/permissions";
import { idSchema } from "@/lib/domain/schemas";
import { findVisibleProject, readableItemsWhere } from "../../access";
import { db } from "../../db";
import { parseInput } from "../../validation";

const listSchema = z.object({
  projectSlug: z.string().trim().min(1).max(64),
  /** Matches the reference or the title, for pickers. */
  query: z.string().trim().max(200).optional(),
});

/** A project's incidents, newest first, with verified-evidence and lead counts. */
export async function listIncidents(actor: Actor, input: unknown) {
  const data = parseInput(listSchema, input);
  const project = await findVisibleProject(actor, data.projectSlug);
  if (!can(actor, "incident:read", { kind: "project", projectId: project.id })) throw notFound("That project's incidents");
  const query = data.query ? { OR: [{ reference: { contains: data.query, mode: "insensitive" as const } }, { title: { contains: data.query, mode: "insensitive" as const } }] } : {};
  const incidents = await db().incident.findMany({
    where: { projectId: project.id, ...query },
    orderBy: [{ startAt: { sort: "desc", nulls: "last" } }, { createdAt: "desc" }],
    take: 500,
    select: {
      id: true, reference: true, title: true, incidentType: true, startAt: true, province: true,
      evidence: { where: { item: readableItemsWhere(actor, project.id) }, select: { isLead: true, item: { select: { status: true } } } },
    },
  });
  return {
    project: { id: project.id, slug: project.slug, name: project.name },
    canManage: can(actor, "incident:manage", { kind: "project", projectId: project.id }),
    incidents: incidents.map(({ evidence, ...incident }) => ({
      ...incident,
      counts: countEvidence(evidence.map((e) => ({ isLead: e.isLead, itemStatus: e.item.status }))),
    })),
  };
}

export type IncidentList = Awaited<ReturnType<typeof listIncidents>>;

const itemPanelSchema = z.object({ itemId: idSchema });

/**
 * The incidents panel of an item page: the incidents the item is linked to and, for editors,
 * the project's incidents to pick from. Null when the actor may not read incidents.
 */
export async function getItemIncidents(actor: Actor, input: unknown) {
  const { itemId } = parseInput(itemPanelSchema, input);
  const found = await db().evidenceItem.findUnique({ where: { id: itemId }, select: { projectId: true } });
  if (!found || !can(actor, "incident:read", { kind: "project", projectId: found.projectId })) return null;
  const item = await db().evidenceItem.findFirst({ where: { AND: [readableItemsWhere(actor, found.projectId), { id: itemId }] }, select: { id: true, projectId: true } });
  if (!item) return null;
  const canManage = can(actor, "incident:manage", { kind: "project", projectId: item.projectId });
  const [links, choices] = await Promise.all([
    db().incidentEvidence.findMany({
      where: { itemId: item.id },
      orderBy: { createdAt: "asc" },
      select: { isLead: true, relation: true, incident: { select: { id: true, reference: true, title: true } } },
    }),
    canManage
      ? db().incident.findMany({ where: { projectId: item.projectId }, orderBy: { reference: "desc" }, take: 500, select: { id: true, reference: true, title: true } })
      : Promise.resolve([]),
  ]);
  return {
    links: links.map((l) => ({ incidentId: l.incident.id, reference: l.incident.reference, title: l.incident.title, isLead: l.isLead, relation: l.relation })),
    choices,
    canManage,
  };
}

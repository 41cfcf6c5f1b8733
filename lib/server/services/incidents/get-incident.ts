import "server-only";
import { forbidden, notFound } from "@/lib/domain/errors";
import { incidentTypesOf } from "@/lib/domain/incident-fields";
import { countEvidence, countsAsEvidence } from "@/lib/domain/incidents";
import { can, type Actor } from "@/lib/domain/permissions";
import { findVisibleProject, readableItemsWhere } from "../../access";
import { db } from "../../db";

/** Superseded notes are history; the newest other note is the item's current answer. */
const CURRENT_NOTE = { status: { not: "SUPERSEDED" as const } };

/**
 * Everything the incident page shows: its fields, the linked items with each one's current
 * geolocation and time window (for the map and the timeline), and the evidence counts.
 * Unknown incidents and projects the actor may not read incidents in are both NOT_FOUND.
 */
export async function getIncident(actor: Actor, projectSlug: string, reference: string) {
  const project = await findVisibleProject(actor, projectSlug, "That incident");
  if (!can(actor, "incident:read", { kind: "project", projectId: project.id })) throw notFound("That incident");
  const incident = await db().incident.findFirst({
    where: { projectId: project.id, reference: reference.toUpperCase() },
    select: {
      id: true, reference: true, version: true, title: true, incidentType: true, description: true,
      startAt: true, endAt: true, latitude: true, longitude: true, precisionM: true, locationName: true, province: true, district: true,
      claimGroup: true, claimChannel: true, claimDate: true, claimUrl: true,
      attributionGroup: true, attributionConfidence: true,
      killedMin: true, killedMax: true, killedSource: true, injuredMin: true, injuredMax: true, injuredSource: true,
      targets: true, tags: true, createdAt: true, updatedAt: true,
      createdBy: { select: { name: true } },
    },
  });
  if (!incident) throw notFound("That incident");

  const links = await db().incidentEvidence.findMany({
    where: { incidentId: incident.id, item: readableItemsWhere(actor, project.id) },
    orderBy: { createdAt: "asc" },
    select: { relation: true, isLead: true, createdAt: true, item: { select: { id: true, reference: true, title: true, status: true } } },
  });
  const itemIds = links.map((l) => l.item.id);
  const [geolocations, chronolocations] = await Promise.all([
    db().geolocation.findMany({
      where: { itemId: { in: itemIds }, ...CURRENT_NOTE },
      orderBy: { createdAt: "desc" },
      select: { itemId: true, latitude: true, longitude: true, precisionM: true },
    }),
    db().chronolocation.findMany({
      where: { itemId: { in: itemIds }, ...CURRENT_NOTE },
      orderBy: { createdAt: "desc" },
      select: { itemId: true, earliestAt: true, latestAt: true },
    }),
  ]);
  // Ordered newest first, so the first note seen per item is its current one.
  const geoOf = new Map<string, (typeof geolocations)[number]>();
  for (const g of geolocations) if (!geoOf.has(g.itemId)) geoOf.set(g.itemId, g);
  const chronoOf = new Map<string, (typeof chronolocations)[number]>();
  for (const c of chronolocations) if (!chronoOf.has(c.itemId)) chronoOf.set(c.itemId, c);

  const evidence = links.map((link) => {
    const geo = geoOf.get(link.item.id);
    const chrono = chronoOf.get(link.item.id);
    return {
      itemId: link.item.id,
      reference: link.item.reference,
      title: link.item.title,
      status: link.item.status,
      isLead: link.isLead,
      countsAsEvidence: countsAsEvidence({ isLead: link.isLead, itemStatus: link.item.status }),
      relation: link.relation,
      linkedAt: link.createdAt,
      geolocation: geo ? { latitude: geo.latitude, longitude: geo.longitude, precisionM: geo.precisionM } : null,
      chronolocation: chrono ? { earliestAt: chrono.earliestAt, latestAt: chrono.latestAt } : null,
    };
  });

  return {
    project: { id: project.id, slug: project.slug, name: project.name },
    incident,
    evidence,
    counts: countEvidence(evidence.map((e) => ({ isLead: e.isLead, itemStatus: e.status }))),
    canManage: can(actor, "incident:manage", { kind: "project", projectId: project.id }),
    incidentTypes: incidentTypesOf(project.settings),
  };
}

export type IncidentDetail = Awaited<ReturnType<typeof getIncident>>;

/** What the "new incident" form needs; editors only. */
export async function getIncidentFormOptions(actor: Actor, projectSlug: string) {
  const project = await findVisibleProject(actor, projectSlug);
  if (!can(actor, "incident:manage", { kind: "project", projectId: project.id })) throw forbidden("Only editors can create incidents.");
  return { project: { id: project.id, slug: project.slug, name: project.name }, incidentTypes: incidentTypesOf(project.settings) };
}

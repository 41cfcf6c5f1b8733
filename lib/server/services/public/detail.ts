import "server-only";
import { notFound } from "@/lib/domain/errors";
import { type PublicIncident, type PublicItem, type PublicMediaRef } from "@/lib/domain/publication";
import { db } from "../../db";
import { publicProject, type PublicProject } from "./project";

// One published incident or item, with the public copies of its media. Item snapshots keep the
// incident ids they were published under; only incidents still published are shown.

export interface PublicMediaSet {
  /** SHA-256 of the original the copies were made from. */
  originalSha256: string;
  media: PublicMediaRef[];
}

export interface PublicItemView {
  item: PublicItem;
  mediaSets: PublicMediaSet[];
}

// Public ids are references (AW-0042); anything long or with slashes or control characters cannot be one.
const ID = /^[^/\\\u0000-\u001f]{1,120}$/;

async function mediaOf(projectId: string, itemIds: string[]): Promise<Map<string, PublicMediaSet[]>> {
  if (itemIds.length === 0) return new Map();
  const rows = await db().publicMedia.findMany({
    where: { projectId, itemId: { in: itemIds } },
    orderBy: [{ originalSha256: "asc" }, { kind: "asc" }, { blurred: "desc" }],
    select: { itemId: true, kind: true, sha256: true, originalSha256: true, mime: true, width: true, height: true, blurred: true },
  });
  const byItem = new Map<string, Map<string, PublicMediaSet>>();
  for (const row of rows) {
    const sets = byItem.get(row.itemId) ?? new Map<string, PublicMediaSet>();
    const set = sets.get(row.originalSha256) ?? { originalSha256: row.originalSha256, media: [] };
    set.media.push({ kind: row.kind, sha256: row.sha256, mime: row.mime, width: row.width, height: row.height, blurred: row.blurred });
    sets.set(row.originalSha256, set);
    byItem.set(row.itemId, sets);
  }
  return new Map([...byItem].map(([itemId, sets]) => [itemId, [...sets.values()]]));
}

async function stillPublished(projectId: string, incidentIds: string[]): Promise<Set<string>> {
  if (incidentIds.length === 0) return new Set();
  const rows = await db().publishedIncident.findMany({ where: { projectId, publicId: { in: incidentIds } }, select: { publicId: true } });
  return new Set(rows.map((r) => r.publicId));
}

async function itemViews(project: PublicProject, rows: Array<{ itemId: string; data: unknown }>): Promise<PublicItemView[]> {
  const items = rows.map((row) => ({ itemId: row.itemId, item: row.data as PublicItem }));
  const [media, published] = await Promise.all([
    mediaOf(project.id, items.map((i) => i.itemId)),
    stillPublished(project.id, [...new Set(items.flatMap((i) => i.item.incidentIds))]),
  ]);
  // Each original's SHA-256 comes from the snapshot; copies whose original is not listed there are not shown.
  return items.map(({ itemId, item }) => ({
    item: { ...item, incidentIds: item.incidentIds.filter((id) => published.has(id)) },
    mediaSets: (media.get(itemId) ?? []).filter((set) => item.originalSha256.includes(set.originalSha256)),
  }));
}

export interface PublicIncidentView {
  project: PublicProject;
  incident: PublicIncident;
  evidence: PublicItemView[];
}

export async function getPublicIncident(slug: string, publicId: string): Promise<PublicIncidentView> {
  const project = await publicProject(slug);
  if (!ID.test(publicId)) throw notFound("That incident");
  const row = await db().publishedIncident.findUnique({ where: { projectId_publicId: { projectId: project.id, publicId } }, select: { data: true } });
  if (!row) throw notFound("That incident");
  const items = await db().publishedItem.findMany({ where: { projectId: project.id, incidentIds: { has: publicId } }, orderBy: { publicId: "asc" }, select: { itemId: true, data: true } });
  return { project, incident: row.data as unknown as PublicIncident, evidence: await itemViews(project, items) };
}

export interface PublicItemPage extends PublicItemView {
  project: PublicProject;
  incidents: Array<{ id: string; title: string }>;
}

export async function getPublicItem(slug: string, publicId: string): Promise<PublicItemPage> {
  const project = await publicProject(slug);
  if (!ID.test(publicId)) throw notFound("That item");
  const row = await db().publishedItem.findUnique({ where: { projectId_publicId: { projectId: project.id, publicId } }, select: { itemId: true, data: true } });
  if (!row) throw notFound("That item");
  const [view] = await itemViews(project, [row]);
  const incidents = await db().publishedIncident.findMany({ where: { projectId: project.id, publicId: { in: view!.item.incidentIds } }, orderBy: { publicId: "asc" }, select: { data: true } });
  return {
    project,
    ...view!,
    incidents: incidents.map((i) => {
      const data = i.data as unknown as PublicIncident;
      return { id: data.id, title: data.title };
    }),
  };
}

/** The API shape of a media set: its copies with their public URLs. */
export function mediaUrl(projectSlug: string, sha256: string): string {
  return `/api/public/v1/${projectSlug}/media/${sha256}`;
}

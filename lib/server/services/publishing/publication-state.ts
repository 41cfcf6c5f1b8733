import "server-only";
import { can, type Actor } from "@/lib/domain/permissions";
import { mediaKindOf } from "@/lib/domain/media-types";
import { EVIDENCE_STATES } from "@/lib/domain/review-workflow";
import { canHavePublicCopy, defaultPublicMedia, type PublicIncident, type PublishableFile, type PublicItem, type RedactionRegion } from "@/lib/domain/publication";
import { db } from "../../db";

// What the publishing panels show an editor: whether something is public, since when, and
// what could be published with it. Null for anyone who may not publish.

export interface IncidentPublicationState {
  incidentId: string;
  version: number;
  published: { publishedAt: Date; updatedAt: Date; withholdLocation: boolean } | null;
  candidates: Array<{ itemId: string; reference: string; title: string; status: string; graphic: boolean; published: boolean; publicTitle: string | null }>;
}

export async function incidentPublicationState(actor: Actor, incidentId: string): Promise<IncidentPublicationState | null> {
  const incident = await db().incident.findUnique({ where: { id: incidentId }, select: { id: true, projectId: true, version: true } });
  if (!incident || !can(actor, "item:publish", { kind: "project", projectId: incident.projectId })) return null;
  const [published, links] = await Promise.all([
    db().publishedIncident.findUnique({ where: { incidentId }, select: { publishedAt: true, updatedAt: true, data: true } }),
    db().incidentEvidence.findMany({
      where: { incidentId, isLead: false, item: { status: { in: [...EVIDENCE_STATES] } } },
      select: { item: { select: { id: true, reference: true, title: true, status: true, sensitiveGraphic: true } } },
      orderBy: { createdAt: "asc" },
    }),
  ]);
  const publicItems = new Map(
    (await db().publishedItem.findMany({ where: { itemId: { in: links.map((l) => l.item.id) } }, select: { itemId: true, data: true } })).map((p) => [p.itemId, p.data as unknown as PublicItem]),
  );
  return {
    incidentId: incident.id,
    version: incident.version,
    published: published ? { publishedAt: published.publishedAt, updatedAt: published.updatedAt, withholdLocation: (published.data as unknown as PublicIncident).locationWithheld } : null,
    candidates: links.map(({ item }) => ({
      itemId: item.id,
      reference: item.reference,
      title: item.title,
      status: item.status,
      graphic: item.sensitiveGraphic,
      published: publicItems.has(item.id),
      publicTitle: publicItems.get(item.id)?.title ?? null,
    })),
  };
}

export interface ItemPublicationState {
  itemId: string;
  version: number;
  status: string;
  graphic: boolean;
  published: { publishedAt: Date; updatedAt: Date; title: string; description: string; withholdLocation: boolean } | null;
  redactions: RedactionRegion[];
  files: PublishableFile[];
  publicMedia: number;
}

export async function itemPublicationState(actor: Actor, itemId: string): Promise<ItemPublicationState | null> {
  const item = await db().evidenceItem.findUnique({
    where: { id: itemId },
    select: {
      id: true,
      projectId: true,
      version: true,
      status: true,
      sensitiveGraphic: true,
      redactions: true,
      publicMediaFileIds: true,
      media: {
        orderBy: [{ collectedAt: "asc" }, { id: "asc" }],
        select: {
          id: true,
          originalFilename: true,
          sniffedMime: true,
          isPageCapture: true,
          derivatives: { where: { kind: { in: ["THUMBNAIL", "KEYFRAME"] } }, orderBy: [{ kind: "desc" }, { position: "asc" }], take: 1, select: { id: true, width: true, height: true } },
        },
      },
    },
  });
  if (!item || !can(actor, "item:publish", { kind: "project", projectId: item.projectId })) return null;
  const [published, publicMedia] = await Promise.all([
    db().publishedItem.findUnique({ where: { itemId }, select: { publishedAt: true, updatedAt: true, data: true } }),
    db().publicMedia.count({ where: { itemId } }),
  ]);
  const data = published?.data as unknown as PublicItem | undefined;
  const included = new Set(published ? item.publicMediaFileIds : defaultPublicMedia(item.media));
  return {
    itemId: item.id,
    version: item.version,
    status: item.status,
    graphic: item.sensitiveGraphic,
    published: published && data ? { publishedAt: published.publishedAt, updatedAt: published.updatedAt, title: data.title, description: data.description, withholdLocation: data.locationWithheld } : null,
    redactions: Array.isArray(item.redactions) ? (item.redactions as unknown as RedactionRegion[]) : [],
    files: item.media.map((m) => ({
      mediaFileId: m.id,
      filename: m.originalFilename,
      mime: m.sniffedMime,
      kind: mediaKindOf(m.sniffedMime) ?? "other",
      isPageCapture: m.isPageCapture,
      included: included.has(m.id) && canHavePublicCopy(m),
      preview: m.derivatives[0] ? { id: m.derivatives[0].id, width: m.derivatives[0].width, height: m.derivatives[0].height } : null,
    })),
    publicMedia,
  };
}

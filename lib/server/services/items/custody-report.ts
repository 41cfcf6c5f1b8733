import "server-only";
import { notFound } from "@/lib/domain/errors";
import type { Actor } from "@/lib/domain/permissions";
import { db } from "../../db";
import { findVisibleProject, readableItemsWhere } from "../../access";

/** What the chain of custody records about each file (shown on the item page and in the report). */
export const CUSTODY_FIELDS = {
  id: true,
  sha256: true,
  sizeBytes: true,
  sniffedMime: true,
  declaredMime: true,
  originalFilename: true,
  captureMethod: true,
  sourceUrl: true,
  collectedAt: true,
} as const;

/**
 * The chain of custody of one item: for every file, who collected it, when and how, its
 * names, types, size and SHA-256, every later download, and the audit events about the item.
 */
export async function getCustodyReport(actor: Actor, projectSlug: string, reference: string) {
  const project = await findVisibleProject(actor, projectSlug, "That item");
  const item = await db().evidenceItem.findFirst({
    where: { AND: [readableItemsWhere(actor, project.id), { reference }] },
    select: {
      id: true,
      reference: true,
      title: true,
      status: true,
      postUrl: true,
      createdAt: true,
      submittedBy: { select: { name: true, email: true } },
      sources: { select: { url: true, createdAt: true, addedBy: { select: { name: true } } } },
      media: {
        orderBy: { collectedAt: "asc" },
        select: {
          ...CUSTODY_FIELDS,
          collectedBy: { select: { name: true, email: true } },
          accesses: { orderBy: { at: "asc" }, select: { at: true, purpose: true, ip: true, user: { select: { name: true } } } },
        },
      },
    },
  });
  if (!item) throw notFound("That item");
  const mediaIds = item.media.map((m) => m.id);
  const events = await db().auditEvent.findMany({
    where: { OR: [{ entityId: item.id }, { entityId: { in: mediaIds } }] },
    orderBy: { seq: "asc" },
    select: { seq: true, action: true, createdAt: true, hash: true, actor: { select: { name: true } } },
  });
  return {
    generatedAt: new Date().toISOString(),
    project: { name: project.name, slug: project.slug },
    item: {
      reference: item.reference,
      title: item.title,
      status: item.status,
      postUrl: item.postUrl,
      submittedAt: item.createdAt.toISOString(),
      submittedBy: item.submittedBy.name,
    },
    sources: item.sources.map((s) => ({ url: s.url, addedAt: s.createdAt.toISOString(), addedBy: s.addedBy.name })),
    files: item.media.map((m) => ({
      sha256: m.sha256,
      sizeBytes: String(m.sizeBytes),
      sniffedMime: m.sniffedMime,
      declaredMime: m.declaredMime,
      originalFilename: m.originalFilename,
      method: m.captureMethod,
      sourceUrl: m.sourceUrl,
      collectedAt: m.collectedAt.toISOString(),
      collectedBy: m.collectedBy.name,
      collectedByEmail: m.collectedBy.email,
      accesses: m.accesses.map((a) => ({ at: a.at.toISOString(), by: a.user.name, purpose: a.purpose, ip: a.ip })),
    })),
    auditTrail: events.map((e) => ({ seq: e.seq, action: e.action, at: e.createdAt.toISOString(), by: e.actor?.name ?? "system", hash: e.hash })),
  };
}

export type CustodyReport = Awaited<ReturnType<typeof getCustodyReport>>;

import "server-only";
import { z } from "zod";
import { DomainError, conflict, forbidden, notFound } from "@/lib/domain/errors";
import { can, type Actor } from "@/lib/domain/permissions";
import {
  buildPublicIncident,
  buildPublicItem,
  defaultPublicMedia,
  publicMediaProblem,
  publishIncidentSchema,
  publishItemOptionsSchema,
  unpublishSchema,
  type PublicItem,
  type PublishItemOptions,
} from "@/lib/domain/publication";
import { isPublicState, isPublishableState, publishActionFor } from "@/lib/domain/review-workflow";
import { idSchema } from "@/lib/domain/schemas";
import type { Prisma } from "@/lib/generated/prisma/client";
import { appendAuditEvent } from "../../audit";
import { db, type Tx } from "../../db";
import { enqueueJob } from "../../jobs/queue";
import { parseInput } from "../../validation";
import { applyItemTransition } from "../items/apply-item-transition";
import { rebuildPublicDatasets } from "./public-datasets";

// Publishing writes a snapshot of public fields (lib/domain/publication.ts), the changelog
// entry, the rebuilt public datasets and the audit event in one transaction: the public sees
// all of a publication or none of it. Internal edits made later stay internal until an editor
// publishes again. Which items may be published, and the status each move leaves, is the
// workflow's decision (lib/domain/review-workflow.ts), applied by applyItemTransition.

function requirePublisher(actor: Actor, projectId: string) {
  if (!can(actor, "item:publish", { kind: "project", projectId })) throw forbidden("Only editors publish.");
}

/** Locks an item row for a publishing change; null when it is not in the project. */
async function lockItem(tx: Tx, itemId: string, projectId: string) {
  const rows = await tx.$queryRaw<
    Array<{ id: string; projectId: string; reference: string; status: string; version: number; platform: string | null; sensitiveGraphic: boolean; submittedById: string; assigneeId: string | null }>
  >`
    SELECT "id", "projectId", "reference", "status"::text, "version", "platform"::text, "sensitiveGraphic", "submittedById", "assigneeId" FROM "EvidenceItem" WHERE "id" = ${itemId} FOR UPDATE`;
  const item = rows[0];
  return item && item.projectId === projectId ? item : null;
}

/**
 * The public incident ids an item is shown under: the incidents it is evidence for (not a lead)
 * that are public, plus the one being published right now. Unpublished incidents are not named.
 */
async function publicIncidentIdsOf(tx: Tx, itemId: string, alsoPublic?: string): Promise<string[]> {
  const links = await tx.incidentEvidence.findMany({ where: { itemId, isLead: false }, select: { incident: { select: { id: true, reference: true } } } });
  const published = new Set(
    (await tx.publishedIncident.findMany({ where: { incidentId: { in: links.map((l) => l.incident.id) } }, select: { incidentId: true } })).map((p) => p.incidentId),
  );
  const ids = links.filter((l) => published.has(l.incident.id) || l.incident.reference === alsoPublic).map((l) => l.incident.reference);
  return [...new Set(ids)].sort();
}

/** Publishes (or republishes) one verified item with the editor's decisions, inside the caller's transaction. */
async function publishItemInTx(tx: Tx, actor: Actor, projectId: string, options: PublishItemOptions, expectedVersion: number) {
  const item = await lockItem(tx, options.itemId, projectId);
  if (!item || !can(actor, "project:view", { kind: "project", projectId })) throw notFound("That item");
  if (item.version !== expectedVersion) throw conflict(`${item.reference} changed since you loaded it. Reload to see the latest state.`);
  if (!isPublishableState(item.status)) throw new DomainError("VALIDATION", `${item.reference} is ${item.status.toLowerCase().replace("_", " ")}: only verified items can be published.`);

  const [geolocation, chronolocation, media, incidentIds] = await Promise.all([
    tx.geolocation.findFirst({ where: { itemId: item.id, status: "CONFIRMED" }, orderBy: { createdAt: "desc" }, select: { latitude: true, longitude: true, precisionM: true } }),
    tx.chronolocation.findFirst({ where: { itemId: item.id, status: "CONFIRMED" }, orderBy: { createdAt: "desc" }, select: { earliestAt: true, latestAt: true } }),
    tx.mediaFile.findMany({ where: { itemId: item.id }, select: { id: true, sha256: true, sniffedMime: true, isPageCapture: true } }),
    publicIncidentIdsOf(tx, item.id),
  ]);
  const mediaIds = new Set(media.map((m) => m.id));
  const stray = options.redactions.find((r) => !mediaIds.has(r.mediaFileId));
  if (stray) throw new DomainError("VALIDATION", "A blur region names a file that is not part of this item.");
  const chosen = [...new Set(options.mediaFileIds ?? defaultPublicMedia(media))];
  const problem = publicMediaProblem(media, chosen);
  if (problem) throw new DomainError("VALIDATION", problem);
  const chosenSet = new Set(chosen);

  const now = new Date();
  const existing = await tx.publishedItem.findUnique({ where: { itemId: item.id }, select: { publishedAt: true } });
  const snapshot = buildPublicItem(
    {
      reference: item.reference,
      platform: item.platform,
      sensitiveGraphic: item.sensitiveGraphic,
      geolocation,
      chronolocation,
      originalSha256: media.filter((m) => chosenSet.has(m.id)).map((m) => m.sha256),
    },
    { ...options, incidentIds, publishedAt: existing?.publishedAt ?? now, updatedAt: now },
  );
  const data = snapshot as unknown as Prisma.InputJsonValue;
  await tx.publishedItem.upsert({
    where: { itemId: item.id },
    create: { projectId, itemId: item.id, publicId: item.reference, data, incidentIds: snapshot.incidentIds, publishedById: actor.userId, publishedAt: now, updatedAt: now },
    update: { data, incidentIds: snapshot.incidentIds, publishedById: actor.userId, updatedAt: now },
  });
  await tx.publicationEvent.create({ data: { projectId, kind: existing ? "UPDATE" : "PUBLISH", entityType: "item", publicId: item.reference } });
  await enqueueJob(tx, { queue: "media.publish", payload: { itemId: item.id }, projectId, itemId: item.id });
  await applyItemTransition(tx, actor, {
    action: publishActionFor(item.status),
    item,
    data: { redactions: options.redactions as unknown as Prisma.InputJsonValue, publicMediaFileIds: chosen },
    audit: { after: { snapshot: data, redactions: options.redactions, mediaFileIds: chosen } as unknown as Record<string, unknown> },
  });
  return { id: item.id, reference: item.reference };
}

/**
 * Brings an already published item's list of public incidents up to date, and nothing else:
 * its public title, description, location choice, blur regions and files stay exactly as the
 * editor last published them. Writes only when the list changes.
 */
async function relinkPublishedItemInTx(tx: Tx, actor: Actor, projectId: string, itemId: string, options: { alsoPublic?: string; note?: string }) {
  const item = await lockItem(tx, itemId, projectId);
  if (!item) throw notFound("That item");
  const published = await tx.publishedItem.findUnique({ where: { itemId }, select: { data: true, incidentIds: true } });
  if (!published || !isPublicState(item.status)) {
    throw new DomainError(
      "VALIDATION",
      `${item.reference} has no public version yet. Publish it from its own page first, where its public title, blur regions and files are chosen; an incident is published only with evidence that already has them.`,
    );
  }
  const incidentIds = await publicIncidentIdsOf(tx, itemId, options.alsoPublic);
  if (incidentIds.join("\n") === [...published.incidentIds].sort().join("\n")) return false;
  const now = new Date();
  const data = { ...(published.data as unknown as PublicItem), incidentIds, updatedAt: now.toISOString() } as unknown as Prisma.InputJsonValue;
  await tx.publishedItem.update({ where: { itemId }, data: { data, incidentIds, updatedAt: now } });
  await tx.publicationEvent.create({ data: { projectId, kind: "UPDATE", entityType: "item", publicId: item.reference, note: options.note ?? "" } });
  await appendAuditEvent(tx, {
    actorId: actor.userId,
    projectId,
    action: "item.public_incidents",
    entityType: "EvidenceItem",
    entityId: itemId,
    before: { incidentIds: published.incidentIds },
    after: { incidentIds },
  });
  return true;
}

export async function publishItem(actor: Actor, input: unknown) {
  const data = parseInput(publishItemOptionsSchema.extend({ expectedVersion: z.number().int().min(0) }), input);
  const project = await db().evidenceItem.findUnique({ where: { id: data.itemId }, select: { projectId: true } });
  if (!project || !can(actor, "project:view", { kind: "project", projectId: project.projectId })) throw notFound("That item");
  requirePublisher(actor, project.projectId);
  return db().$transaction(async (tx) => {
    const published = await publishItemInTx(tx, actor, project.projectId, data, data.expectedVersion);
    await rebuildPublicDatasets(tx, project.projectId);
    return published;
  });
}

/** Publishes an incident with evidence that is already public, keeping each item's own publish decisions. */
export async function publishIncident(actor: Actor, input: unknown) {
  const data = parseInput(publishIncidentSchema, input);
  const found = await db().incident.findUnique({ where: { id: data.incidentId }, select: { projectId: true } });
  if (!found || !can(actor, "project:view", { kind: "project", projectId: found.projectId })) throw notFound("That incident");
  requirePublisher(actor, found.projectId);
  const projectId = found.projectId;

  return db().$transaction(async (tx) => {
    const locked = await tx.$queryRaw<Array<{ id: string; version: number }>>`SELECT "id", "version" FROM "Incident" WHERE "id" = ${data.incidentId} FOR UPDATE`;
    if (locked[0]?.version !== data.expectedVersion) throw conflict("This incident changed since you loaded it. Reload to see the latest state.");
    const incident = await tx.incident.findUniqueOrThrow({ where: { id: data.incidentId } });

    const evidence = new Set((await tx.incidentEvidence.findMany({ where: { incidentId: incident.id, isLead: false }, select: { itemId: true } })).map((l) => l.itemId));
    for (const item of data.items) {
      if (!evidence.has(item.itemId)) throw new DomainError("VALIDATION", "Only items linked to this incident as evidence (not leads) can be published with it.");
      await relinkPublishedItemInTx(tx, actor, projectId, item.itemId, { alsoPublic: incident.reference });
    }

    const now = new Date();
    const existing = await tx.publishedIncident.findUnique({ where: { incidentId: incident.id }, select: { publishedAt: true } });
    const snapshot = buildPublicIncident(incident, { withholdLocation: data.withholdLocation, publishedAt: existing?.publishedAt ?? now, updatedAt: now });
    const json = snapshot as unknown as Prisma.InputJsonValue;
    const fields = { data: json, startAt: incident.startAt, province: incident.province, incidentType: incident.incidentType, targets: snapshot.targets.map((t) => t.code), publishedById: actor.userId, updatedAt: now };
    await tx.publishedIncident.upsert({
      where: { incidentId: incident.id },
      create: { projectId, incidentId: incident.id, publicId: incident.reference, publishedAt: now, ...fields },
      update: fields,
    });
    await tx.publicationEvent.create({ data: { projectId, kind: existing ? "UPDATE" : "PUBLISH", entityType: "incident", publicId: incident.reference, note: data.note } });
    await rebuildPublicDatasets(tx, projectId);
    await appendAuditEvent(tx, {
      actorId: actor.userId,
      projectId,
      action: existing ? "incident.republish" : "incident.publish",
      entityType: "Incident",
      entityId: incident.id,
      after: { snapshot: json, items: data.items.map((i) => i.itemId) },
    });
    return { reference: incident.reference, items: data.items.length };
  });
}

const unpublishItemSchema = unpublishSchema.extend({ itemId: idSchema, expectedVersion: z.number().int().min(0) });

async function unpublishItemInTx(tx: Tx, actor: Actor, projectId: string, itemId: string, reason: string, publicNote: string, expectedVersion: number | null) {
  const item = await lockItem(tx, itemId, projectId);
  if (!item) throw notFound("That item");
  if (expectedVersion !== null && item.version !== expectedVersion) throw conflict(`${item.reference} changed since you loaded it. Reload to see the latest state.`);
  if (!isPublicState(item.status)) throw new DomainError("VALIDATION", `${item.reference} is not published.`);
  const removedMedia = await tx.publicMedia.deleteMany({ where: { itemId } });
  await tx.publishedItem.deleteMany({ where: { itemId } });
  await tx.publicationEvent.create({ data: { projectId, kind: "RETRACT", entityType: "item", publicId: item.reference, note: publicNote } });
  await applyItemTransition(tx, actor, {
    action: "unpublish",
    item,
    input: { reason },
    data: { statusReason: reason },
    audit: { after: { reason, publicNote, publicMediaRemoved: removedMedia.count } },
  });
}

export async function unpublishItem(actor: Actor, input: unknown) {
  const data = parseInput(unpublishItemSchema, input);
  const found = await db().evidenceItem.findUnique({ where: { id: data.itemId }, select: { projectId: true } });
  if (!found || !can(actor, "project:view", { kind: "project", projectId: found.projectId })) throw notFound("That item");
  requirePublisher(actor, found.projectId);
  await db().$transaction(async (tx) => {
    await unpublishItemInTx(tx, actor, found.projectId, data.itemId, data.reason, data.publicNote, data.expectedVersion);
    await rebuildPublicDatasets(tx, found.projectId);
  });
}

const unpublishIncidentSchema = unpublishSchema.extend({ incidentId: idSchema, alsoItems: z.boolean().default(true) });

/**
 * Retracts an incident from every public surface. By default its published evidence goes too,
 * unless that evidence is also published under another incident that stays public.
 */
export async function unpublishIncident(actor: Actor, input: unknown) {
  const data = parseInput(unpublishIncidentSchema, input);
  const found = await db().incident.findUnique({ where: { id: data.incidentId }, select: { projectId: true, reference: true } });
  if (!found || !can(actor, "project:view", { kind: "project", projectId: found.projectId })) throw notFound("That incident");
  requirePublisher(actor, found.projectId);
  await db().$transaction(async (tx) => {
    await tx.$queryRaw`SELECT "id" FROM "Incident" WHERE "id" = ${data.incidentId} FOR UPDATE`;
    const removed = await tx.publishedIncident.deleteMany({ where: { incidentId: data.incidentId } });
    if (removed.count === 0) throw new DomainError("VALIDATION", `${found.reference} is not published.`);
    let itemsRetracted = 0;
    const stillPublic = new Set((await tx.publishedIncident.findMany({ where: { projectId: found.projectId }, select: { publicId: true } })).map((i) => i.publicId));
    const items = await tx.publishedItem.findMany({ where: { projectId: found.projectId, incidentIds: { has: found.reference } }, select: { itemId: true, incidentIds: true } });
    for (const item of items) {
      if (data.alsoItems && !item.incidentIds.some((id) => stillPublic.has(id))) {
        await unpublishItemInTx(tx, actor, found.projectId, item.itemId, data.reason, data.publicNote, null);
        itemsRetracted += 1;
      } else {
        // Evidence that stays public no longer names the retracted incident.
        await relinkPublishedItemInTx(tx, actor, found.projectId, item.itemId, { note: data.publicNote });
      }
    }
    await tx.publicationEvent.create({ data: { projectId: found.projectId, kind: "RETRACT", entityType: "incident", publicId: found.reference, note: data.publicNote } });
    await rebuildPublicDatasets(tx, found.projectId);
    await appendAuditEvent(tx, {
      actorId: actor.userId,
      projectId: found.projectId,
      action: "incident.unpublish",
      entityType: "Incident",
      entityId: data.incidentId,
      after: { reason: data.reason, publicNote: data.publicNote, itemsRetracted },
    });
  });
}

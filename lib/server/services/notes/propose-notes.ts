import "server-only";
import { DomainError, forbidden } from "@/lib/domain/errors";
import { chronolocationNoteSchema, geolocationNoteSchema } from "@/lib/domain/notes";
import { can, type Actor } from "@/lib/domain/permissions";
import { lockVisibleItem } from "../../access";
import { appendAuditEvent } from "../../audit";
import { db, type Tx } from "../../db";
import { adminAreaAt } from "../../geo/admin-areas";
import { parseInput } from "../../validation";

/** Notes are written while an item is being worked on; the item row is locked for the write. */
async function lockWorkableItem(tx: Tx, actor: Actor, itemId: string) {
  const item = await lockVisibleItem(tx, actor, itemId);
  if (!can(actor, "item:work", { kind: "project", projectId: item.projectId })) throw forbidden("Only investigators can write geolocation and chronolocation notes.");
  if (item.status !== "IN_PROGRESS") throw new DomainError("VALIDATION", "Notes can be written while the item is in progress: claim it first, or wait for it to come back from review.");
  return item;
}

/** Proposes where the footage was filmed; an earlier proposal of the item is superseded. */
export async function proposeGeolocation(actor: Actor, input: unknown): Promise<{ id: string }> {
  const data = parseInput(geolocationNoteSchema, input);
  return db().$transaction(async (tx) => {
    const item = await lockWorkableItem(tx, actor, data.itemId);
    const previous = await tx.geolocation.updateMany({ where: { itemId: item.id, status: { in: ["PROPOSED", "DISPUTED"] } }, data: { status: "SUPERSEDED" } });
    const area = adminAreaAt(data.point.latitude, data.point.longitude);
    // The queue filters on the item's province, so it follows the newest geolocation.
    await tx.evidenceItem.update({ where: { id: item.id }, data: { province: area?.province ?? null, district: null } });
    const note = await tx.geolocation.create({
      data: {
        itemId: item.id,
        authorId: actor.userId,
        latitude: data.point.latitude,
        longitude: data.point.longitude,
        precisionM: data.precisionM,
        province: area?.province ?? null,
        cameraLatitude: data.camera?.latitude ?? null,
        cameraLongitude: data.camera?.longitude ?? null,
        bearingDeg: data.bearingDeg ?? null,
        method: data.method,
        referenceImagery: data.referenceImagery,
        landmarks: data.landmarks,
      },
      select: { id: true, latitude: true, longitude: true, precisionM: true },
    });
    await appendAuditEvent(tx, {
      actorId: actor.userId,
      projectId: item.projectId,
      action: "geolocation.propose",
      entityType: "EvidenceItem",
      entityId: item.id,
      after: { noteId: note.id, latitude: note.latitude, longitude: note.longitude, precisionM: note.precisionM, parsedFrom: data.point.format, superseded: previous.count },
    });
    return { id: note.id };
  });
}

/** Proposes when the footage was filmed, as a window stored in UTC. */
export async function proposeChronolocation(actor: Actor, input: unknown): Promise<{ id: string }> {
  const data = parseInput(chronolocationNoteSchema, input);
  return db().$transaction(async (tx) => {
    const item = await lockWorkableItem(tx, actor, data.itemId);
    const previous = await tx.chronolocation.updateMany({ where: { itemId: item.id, status: { in: ["PROPOSED", "DISPUTED"] } }, data: { status: "SUPERSEDED" } });
    const note = await tx.chronolocation.create({
      data: {
        itemId: item.id,
        authorId: actor.userId,
        earliestAt: data.earliest,
        latestAt: data.latest,
        confidence: data.confidence,
        methods: data.methods,
        notes: data.notes,
      },
      select: { id: true },
    });
    await appendAuditEvent(tx, {
      actorId: actor.userId,
      projectId: item.projectId,
      action: "chronolocation.propose",
      entityType: "EvidenceItem",
      entityId: item.id,
      after: { noteId: note.id, earliestAt: data.earliest, latestAt: data.latest, confidence: data.confidence, methods: data.methods, superseded: previous.count },
    });
    return note;
  });
}

import "server-only";
import { distanceMetres } from "@/lib/domain/coordinates";
import { DomainError, forbidden, notFound } from "@/lib/domain/errors";
import { noteReviewSchema } from "@/lib/domain/notes";
import { can, type Actor } from "@/lib/domain/permissions";
import { lockVisibleItem } from "../../access";
import { appendAuditEvent } from "../../audit";
import { db } from "../../db";
import { parseInput } from "../../validation";
import { loadTransitionFacts } from "../items/transition-item";

export interface ReviewOutcome {
  itemStatus: string;
  distanceM: number | null;
}

/**
 * A reviewer confirms or disputes one note. Nobody reviews their own notes. A dispute sends the
 * item back to IN_PROGRESS; once both notes have the project's required number of independent
 * confirmations the item becomes VERIFIED. All in one transaction with the item row locked.
 */
export async function reviewNote(actor: Actor, input: unknown): Promise<ReviewOutcome> {
  const data = parseInput(noteReviewSchema, input);
  return db().$transaction(async (tx) => {
    const item = await lockVisibleItem(tx, actor, data.itemId);
    if (!can(actor, "item:review", { kind: "project", projectId: item.projectId })) throw forbidden("Only reviewers can review notes.");
    if (item.status !== "IN_REVIEW") throw new DomainError("VALIDATION", "This item is not waiting for review.");

    const note =
      data.target === "GEOLOCATION"
        ? await tx.geolocation.findFirst({ where: { id: data.noteId, itemId: item.id }, select: { id: true, authorId: true, status: true, latitude: true, longitude: true } })
        : await tx.chronolocation.findFirst({ where: { id: data.noteId, itemId: item.id }, select: { id: true, authorId: true, status: true } });
    if (!note) throw notFound("That note");
    if (note.status !== "PROPOSED" && note.status !== "CONFIRMED") throw new DomainError("VALIDATION", "That note has been replaced; review the current one.");
    if (note.authorId === actor.userId) throw new DomainError("VALIDATION", "You wrote this note, so someone else must review it.");

    let distanceM: number | null = null;
    if (data.independentPoint && data.target === "GEOLOCATION") {
      const proposed = note as unknown as { latitude: number; longitude: number };
      distanceM = Math.round(distanceMetres({ latitude: proposed.latitude, longitude: proposed.longitude }, data.independentPoint));
    }
    const comment = distanceM === null ? data.comment : `${data.comment}${data.comment ? "\n" : ""}Independent geolocation ${data.independentPoint!.latitude}, ${data.independentPoint!.longitude} is ${distanceM} m from the proposal.`;
    await tx.review.create({
      data: {
        itemId: item.id,
        reviewerId: actor.userId,
        target: data.target,
        geolocationId: data.target === "GEOLOCATION" ? note.id : null,
        chronolocationId: data.target === "CHRONOLOCATION" ? note.id : null,
        decision: data.decision,
        comment,
      },
    });

    let itemStatus = item.status;
    if (data.decision === "REQUEST_CHANGES") {
      if (data.target === "GEOLOCATION") await tx.geolocation.update({ where: { id: note.id }, data: { status: "DISPUTED" } });
      else await tx.chronolocation.update({ where: { id: note.id }, data: { status: "DISPUTED" } });
      itemStatus = "IN_PROGRESS";
    } else {
      const project = await tx.project.findUniqueOrThrow({ where: { id: item.projectId }, select: { settings: true } });
      const facts = await loadTransitionFacts(tx, item.id, project.settings);
      if (facts.hasGeolocation && facts.hasChronolocation && facts.confirmations >= facts.requiredConfirmations) {
        await tx.geolocation.updateMany({ where: { itemId: item.id, status: "PROPOSED" }, data: { status: "CONFIRMED" } });
        await tx.chronolocation.updateMany({ where: { itemId: item.id, status: "PROPOSED" }, data: { status: "CONFIRMED" } });
        itemStatus = "VERIFIED";
      }
    }
    if (itemStatus !== item.status) {
      await tx.evidenceItem.update({ where: { id: item.id }, data: { status: itemStatus as "VERIFIED" | "IN_PROGRESS", version: { increment: 1 } } });
    }
    await appendAuditEvent(tx, {
      actorId: actor.userId,
      projectId: item.projectId,
      action: data.decision === "APPROVE" ? `${data.target.toLowerCase()}.confirm` : `${data.target.toLowerCase()}.dispute`,
      entityType: "EvidenceItem",
      entityId: item.id,
      before: { status: item.status, version: item.version },
      after: { noteId: note.id, status: itemStatus, comment, distanceM },
    });
    return { itemStatus, distanceM };
  });
}

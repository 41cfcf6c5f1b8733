import "server-only";
import { distanceMetres } from "@/lib/domain/coordinates";
import { DomainError, conflict, forbidden, notFound } from "@/lib/domain/errors";
import { noteReviewSchema, reviewChange, type ReviewChange } from "@/lib/domain/notes";
import { can, type Actor } from "@/lib/domain/permissions";
import { decideReviewMove, isUnderReview, type ItemState } from "@/lib/domain/review-workflow";
import { lockVisibleItem } from "../../access";
import { appendAuditEvent } from "../../audit";
import { db } from "../../db";
import { isUniqueViolation } from "../../prisma-errors";
import { parseInput } from "../../validation";
import { applyItemTransition, loadItemFacts } from "../items/apply-item-transition";

export interface ReviewOutcome {
  itemStatus: string;
  distanceM: number | null;
  /** record: a first decision; replace: the reviewer changed their decision; unchanged: the same decision again (nothing written). */
  change: ReviewChange;
}

/**
 * A reviewer confirms or disputes one note. Nobody reviews their own notes. Each reviewer has one
 * decision per note: submitting it again changes nothing, submitting the other decision replaces
 * it (audited with the decision before and after). What the review does to the item is the
 * workflow's decision (decideReviewMove): a dispute sends it back to IN_PROGRESS; once both notes
 * have the project's required number of confirmations by distinct reviewers it becomes VERIFIED.
 * The move is applied by applyItemTransition, audited as item.dispute or item.verify after the
 * review's own event. All in one transaction with the item row locked, so two submissions
 * by the same person are applied one after the other; the unique (note, reviewer) indexes refuse
 * a second row even if that lock were ever bypassed.
 */
export async function reviewNote(actor: Actor, input: unknown): Promise<ReviewOutcome> {
  const data = parseInput(noteReviewSchema, input);
  try {
    return await db().$transaction(async (tx) => {
      const locked = await lockVisibleItem(tx, actor, data.itemId);
      if (!can(actor, "item:review", { kind: "project", projectId: locked.projectId })) throw forbidden("Only reviewers can review notes.");
      if (!isUnderReview(locked.status)) throw new DomainError("VALIDATION", "This item is not waiting for review.");
      const item = { ...locked, ...(await tx.evidenceItem.findUniqueOrThrow({ where: { id: locked.id }, select: { submittedById: true, assigneeId: true } })) };

      const note =
        data.target === "GEOLOCATION"
          ? await tx.geolocation.findFirst({ where: { id: data.noteId, itemId: item.id }, select: { id: true, authorId: true, status: true, latitude: true, longitude: true } })
          : await tx.chronolocation.findFirst({ where: { id: data.noteId, itemId: item.id }, select: { id: true, authorId: true, status: true } });
      if (!note) throw notFound("That note");
      if (note.status !== "PROPOSED" && note.status !== "CONFIRMED") throw new DomainError("VALIDATION", "That note has been replaced; review the current one.");
      if (note.authorId === actor.userId) throw new DomainError("VALIDATION", "You wrote this note, so someone else must review it.");

      const ofNote = data.target === "GEOLOCATION" ? { geolocationId: note.id } : { chronolocationId: note.id };
      const previous = await tx.review.findFirst({
        where: { reviewerId: actor.userId, ...ofNote },
        orderBy: [{ createdAt: "desc" }, { id: "desc" }],
        select: { id: true, decision: true, comment: true },
      });
      const change = reviewChange(previous?.decision ?? null, data.decision);
      if (change === "unchanged") {
        // The same decision again (a double click, a second tab): one decision, nothing to write.
        return { itemStatus: item.status, distanceM: null, change };
      }

      let distanceM: number | null = null;
      if (data.independentPoint && data.target === "GEOLOCATION") {
        const proposed = note as unknown as { latitude: number; longitude: number };
        distanceM = Math.round(distanceMetres({ latitude: proposed.latitude, longitude: proposed.longitude }, data.independentPoint));
      }
      const comment = distanceM === null ? data.comment : `${data.comment}${data.comment ? "\n" : ""}Independent geolocation ${data.independentPoint!.latitude}, ${data.independentPoint!.longitude} is ${distanceM} m from the proposal.`;
      if (previous) {
        await tx.review.update({ where: { id: previous.id }, data: { decision: data.decision, comment } });
      } else {
        await tx.review.create({
          data: {
            itemId: item.id,
            reviewerId: actor.userId,
            target: data.target,
            ...ofNote,
            decision: data.decision,
            comment,
          },
        });
      }

      if (data.decision === "REQUEST_CHANGES") {
        if (data.target === "GEOLOCATION") await tx.geolocation.update({ where: { id: note.id }, data: { status: "DISPUTED" } });
        else await tx.chronolocation.update({ where: { id: note.id }, data: { status: "DISPUTED" } });
      }
      // The facts with this review counted (a disputed note no longer counts as current).
      const facts = await loadItemFacts(tx, item);
      const move = decideReviewMove({ actor, item: { ...item, status: item.status as ItemState }, facts, decision: data.decision, noteAuthorId: note.authorId, comment: data.comment });
      if (move && !move.decision.ok) throw new DomainError(move.decision.code === "FORBIDDEN" ? "FORBIDDEN" : "VALIDATION", move.decision.message);
      const itemStatus = move?.decision.ok ? move.decision.to : item.status;

      await appendAuditEvent(tx, {
        actorId: actor.userId,
        projectId: item.projectId,
        action: data.decision === "APPROVE" ? `${data.target.toLowerCase()}.confirm` : `${data.target.toLowerCase()}.dispute`,
        entityType: "EvidenceItem",
        entityId: item.id,
        before: {
          status: item.status,
          version: item.version,
          // The reviewer's earlier decision on this note, when this one replaces it.
          ...(previous ? { noteId: note.id, decision: previous.decision, comment: previous.comment } : {}),
        },
        after: { noteId: note.id, status: itemStatus, decision: data.decision, comment, distanceM, ...(previous ? { replaced: previous.decision } : {}) },
      });
      if (move) {
        await applyItemTransition(tx, actor, {
          action: move.action,
          item,
          facts,
          input: { reason: data.comment, reviewedNoteAuthorId: note.authorId },
          data: move.action === "dispute" ? { statusReason: data.comment } : {},
          audit: { after: { trigger: `${data.target.toLowerCase()}.${data.decision === "APPROVE" ? "confirm" : "dispute"}`, noteId: note.id, ...(move.action === "dispute" ? { reason: data.comment } : {}) } },
        });
      }
      return { itemStatus, distanceM, change };
    });
  } catch (error) {
    // The unique (note, reviewer) index: another submission by the same person won a race.
    if (isUniqueViolation(error)) {
      throw conflict("Your review of this note was saved by another submission at the same moment. Reload to see your decision.");
    }
    throw error;
  }
}

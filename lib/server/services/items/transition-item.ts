import "server-only";
import { z } from "zod";
import { DomainError, conflict, notFound } from "@/lib/domain/errors";
import { independentConfirmations } from "@/lib/domain/notes";
import { can, type Actor } from "@/lib/domain/permissions";
import { TRANSITION_ACTIONS, decideTransition, type ItemState, type TransitionFacts } from "@/lib/domain/review-workflow";
import { idSchema } from "@/lib/domain/schemas";
import { appendAuditEvent } from "../../audit";
import { db, type Tx } from "../../db";
import { parseInput } from "../../validation";
import { notify } from "../comments/notifications";

const transitionSchema = z.object({
  itemId: idSchema,
  action: z.enum(TRANSITION_ACTIONS),
  /** The version the actor was looking at: a stale page is refused, never applied. */
  expectedVersion: z.number().int().min(0),
  reason: z.string().trim().max(2000).optional(),
  rejectionReason: z.string().trim().max(40).optional(),
  duplicateOfId: idSchema.optional(),
  /** The duplicated item can also be named by its reference (AW-0042), as people do. */
  duplicateOfReference: z.string().trim().max(40).optional(),
  assigneeId: idSchema.optional(),
});

/** What the workflow guards need to know about an item's notes and reviews. */
export async function loadTransitionFacts(tx: Tx, itemId: string, settings: unknown): Promise<TransitionFacts> {
  const [geos, chronos] = await Promise.all([
    tx.geolocation.findMany({
      where: { itemId, status: { in: ["PROPOSED", "CONFIRMED"] } },
      select: { authorId: true, reviews: { select: { reviewerId: true, decision: true } } },
    }),
    tx.chronolocation.findMany({
      where: { itemId, status: { in: ["PROPOSED", "CONFIRMED"] } },
      select: { authorId: true, reviews: { select: { reviewerId: true, decision: true } } },
    }),
  ]);
  const authors = [...new Set([...geos, ...chronos].map((n) => n.authorId))];
  // Distinct reviewers per note (one decision each), authors excluded; the best current note counts.
  const independent = (notes: typeof geos) => Math.max(0, ...notes.map((n) => independentConfirmations(n.reviews, authors)));
  const required = Number((settings as { requiredConfirmations?: unknown } | null)?.requiredConfirmations ?? 1);
  return {
    hasGeolocation: geos.length > 0,
    hasChronolocation: chronos.length > 0,
    noteAuthorIds: authors,
    confirmations: Math.min(independent(geos), independent(chronos)),
    requiredConfirmations: Number.isInteger(required) && required >= 1 ? required : 1,
  };
}

/**
 * Moves an item through the review workflow. The update is conditional on the state and
 * version the actor saw, so of two people acting at once exactly one wins; the other gets a
 * conflict to reload, never a silent overwrite. The change and its audit event share a transaction.
 */
export async function transitionItem(actor: Actor, input: unknown): Promise<{ status: ItemState; version: number }> {
  const data = parseInput(transitionSchema, input);
  if (data.action === "publish" || data.action === "unpublish") {
    // Publishing makes a public snapshot and public media copies: only the publishing service does that.
    throw new DomainError("VALIDATION", "Publish and unpublish from the item's Publishing panel.");
  }
  return db().$transaction(async (tx) => {
    const item = await tx.evidenceItem.findUnique({
      where: { id: data.itemId },
      select: { id: true, projectId: true, reference: true, status: true, version: true, submittedById: true, assigneeId: true, project: { select: { settings: true } } },
    });
    const readable = item && (can(actor, "item:read", { kind: "record", projectId: item.projectId, ownerId: item.submittedById }));
    if (!item || !readable) throw notFound("That item");
    if (item.version !== data.expectedVersion) throw conflict("This item changed since you loaded it. Reload to see the latest state.");

    const facts = await loadTransitionFacts(tx, item.id, item.project.settings);
    const decision = decideTransition({
      action: data.action,
      actor,
      item: { ...item, status: item.status as ItemState },
      facts,
      input: { ...data, duplicateOfId: data.duplicateOfId ?? (data.duplicateOfReference ? "by-reference" : undefined) },
    });
    if (!decision.ok) throw new DomainError(decision.code === "FORBIDDEN" ? "FORBIDDEN" : "VALIDATION", decision.message);

    if (data.action === "assign" && data.assigneeId) {
      const member = await tx.membership.findFirst({ where: { userId: data.assigneeId, projectId: item.projectId, role: { not: "CONTRIBUTOR" } } });
      if (!member) throw new DomainError("VALIDATION", "Assign the item to an investigator, reviewer or editor of this project.");
    }
    if (data.action === "mark_duplicate") {
      const target = await tx.evidenceItem.findFirst({
        where: { projectId: item.projectId, NOT: { id: item.id }, ...(data.duplicateOfId ? { id: data.duplicateOfId } : { reference: data.duplicateOfReference?.toUpperCase() ?? "" }) },
        select: { id: true },
      });
      if (!target) throw new DomainError("VALIDATION", "The item it duplicates must be another item of this project.");
      data.duplicateOfId = target.id;
    }

    const updated = await tx.evidenceItem.updateMany({
      where: { id: item.id, status: item.status, version: item.version },
      data: {
        status: decision.to,
        version: { increment: 1 },
        ...(decision.assigneeId !== undefined ? { assigneeId: decision.assigneeId } : {}),
        statusReason: data.rejectionReason ? `${data.rejectionReason}${data.reason ? `: ${data.reason}` : ""}` : (data.reason ?? null),
        duplicateOfId: data.action === "mark_duplicate" ? data.duplicateOfId : undefined,
      },
    });
    if (updated.count !== 1) throw conflict("Someone else changed this item at the same moment. Reload to see the latest state.");

    if (data.action === "assign" && data.assigneeId) {
      await notify(tx, { userIds: [data.assigneeId], projectId: item.projectId, itemId: item.id, kind: "ASSIGNMENT", actorId: actor.userId, message: `${item.reference} was assigned to you` });
    }
    if (data.action === "send_to_review") {
      const reviewers = await tx.membership.findMany({ where: { projectId: item.projectId, role: { in: ["REVIEWER", "EDITOR"] }, user: { active: true } }, select: { userId: true } });
      await notify(tx, {
        userIds: reviewers.map((r) => r.userId).filter((id) => !facts.noteAuthorIds.includes(id)),
        projectId: item.projectId,
        itemId: item.id,
        kind: "REVIEW_REQUEST",
        actorId: actor.userId,
        message: `${item.reference} is ready for review`,
      });
    }

    await appendAuditEvent(tx, {
      actorId: actor.userId,
      projectId: item.projectId,
      action: `item.${data.action}`,
      entityType: "EvidenceItem",
      entityId: item.id,
      before: { status: item.status, version: item.version, assigneeId: item.assigneeId },
      after: {
        status: decision.to,
        version: item.version + 1,
        assigneeId: decision.assigneeId === undefined ? item.assigneeId : decision.assigneeId,
        reason: data.reason ?? null,
        rejectionReason: data.rejectionReason ?? null,
        duplicateOfId: data.duplicateOfId ?? null,
      },
    });
    return { status: decision.to, version: item.version + 1 };
  });
}

import "server-only";
import { z } from "zod";
import { DomainError, conflict, notFound } from "@/lib/domain/errors";
import { can, type Actor } from "@/lib/domain/permissions";
import { TRANSITION_ACTIONS, decideTransition, triggerMessage, type ItemState } from "@/lib/domain/review-workflow";
import { idSchema } from "@/lib/domain/schemas";
import { db } from "../../db";
import { parseInput } from "../../validation";
import { notify } from "../comments/notifications";
import { applyItemTransition, loadTransitionFacts } from "./apply-item-transition";

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

// Kept for the callers that import it from here.
export { loadTransitionFacts };

/**
 * Moves an item through the review workflow. The update is conditional on the state and
 * version the actor saw, so of two people acting at once exactly one wins; the other gets a
 * conflict to reload, never a silent overwrite. The change and its audit event share a transaction.
 */
export async function transitionItem(actor: Actor, input: unknown): Promise<{ status: ItemState; version: number }> {
  const data = parseInput(transitionSchema, input);
  // Verification and disputes are decided by reviewing the notes, publishing by the Publishing
  // panel: one way to make each decision.
  const elsewhere = triggerMessage(data.action);
  if (elsewhere) throw new DomainError("VALIDATION", elsewhere);
  return db().$transaction(async (tx) => {
    const item = await tx.evidenceItem.findUnique({
      where: { id: data.itemId },
      select: { id: true, projectId: true, reference: true, status: true, version: true, submittedById: true, assigneeId: true, project: { select: { settings: true } } },
    });
    const readable = item && can(actor, "item:read", { kind: "record", projectId: item.projectId, ownerId: item.submittedById });
    if (!item || !readable) throw notFound("That item");
    if (item.version !== data.expectedVersion) throw conflict("This item changed since you loaded it. Reload to see the latest state.");

    const facts = await loadTransitionFacts(tx, item.id, item.project.settings);
    const transitionInput = { ...data, duplicateOfId: data.duplicateOfId ?? (data.duplicateOfReference ? "by-reference" : undefined) };
    // Checked before looking up the assignee or the duplicated item, so a refusal says why.
    const decision = decideTransition({ action: data.action, actor, item: { ...item, status: item.status as ItemState }, facts, input: transitionInput });
    if (!decision.ok) throw new DomainError(decision.code === "FORBIDDEN" ? "FORBIDDEN" : "VALIDATION", decision.message);

    if (data.action === "assign" && data.assigneeId) {
      const member = await tx.membership.findFirst({ where: { userId: data.assigneeId, projectId: item.projectId, role: { not: "CONTRIBUTOR" } } });
      if (!member) throw new DomainError("VALIDATION", "Assign the item to an investigator, reviewer or editor of this project.");
    }
    let duplicateOfId: string | null = null;
    if (data.action === "mark_duplicate") {
      const target = await tx.evidenceItem.findFirst({
        where: { projectId: item.projectId, NOT: { id: item.id }, ...(data.duplicateOfId ? { id: data.duplicateOfId } : { reference: data.duplicateOfReference?.toUpperCase() ?? "" }) },
        select: { id: true },
      });
      if (!target) throw new DomainError("VALIDATION", "The item it duplicates must be another item of this project.");
      duplicateOfId = target.id;
    }

    const result = await applyItemTransition(tx, actor, {
      action: data.action,
      item,
      facts,
      input: transitionInput,
      data: {
        statusReason: data.rejectionReason ? `${data.rejectionReason}${data.reason ? `: ${data.reason}` : ""}` : (data.reason ?? null),
        ...(duplicateOfId ? { duplicateOfId } : {}),
      },
      audit: { after: { reason: data.reason ?? null, rejectionReason: data.rejectionReason ?? null, duplicateOfId } },
    });

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
    return { status: result.status, version: result.version };
  });
}

import "server-only";
import { z } from "zod";
import { DomainError, forbidden, notFound } from "@/lib/domain/errors";
import { can, scopeOf, type Actor } from "@/lib/domain/permissions";
import { BULK_LIMIT, normaliseTag, summariseBulk, type BulkItemOutcome } from "@/lib/domain/queue";
import { ASSIGNABLE_STATES, BULK_ACTIONS, type ItemState } from "@/lib/domain/review-workflow";
import { idSchema } from "@/lib/domain/schemas";
import { appendAuditEvent } from "../../audit";
import { db } from "../../db";
import { parseInput } from "../../validation";
import { notify } from "../comments/notifications";
import { transitionItem } from "../items/transition-item";


const target = z.object({ itemId: idSchema, version: z.number().int().min(0) });

const bulkSchema = z.discriminatedUnion("action", [
  z.object({ action: z.literal("assign"), projectId: idSchema, items: z.array(target).min(1).max(BULK_LIMIT), assigneeId: idSchema.nullable() }),
  z.object({ action: z.literal("tag"), projectId: idSchema, items: z.array(target).min(1).max(BULK_LIMIT), tag: z.string().trim().min(1).max(60) }),
  z.object({ action: z.literal("untag"), projectId: idSchema, items: z.array(target).min(1).max(BULK_LIMIT), tag: z.string().trim().min(1).max(60) }),
  z.object({
    action: z.literal("transition"),
    projectId: idSchema,
    items: z.array(target).min(1).max(BULK_LIMIT),
    transition: z.enum(BULK_ACTIONS as [string, ...string[]]),
    reason: z.string().trim().max(2000).optional(),
    rejectionReason: z.string().trim().max(40).optional(),
  }),
]);

export interface BulkReport {
  outcomes: BulkItemOutcome[];
  applied: number;
  skipped: number;
  summary: string;
}

function failure(itemId: string, reference: string | null, error: unknown): BulkItemOutcome {
  if (error instanceof DomainError) return { itemId, reference, ok: false, code: error.code, message: error.message };
  throw error;
}

/**
 * Applies one action to many items, each in its own transaction and under the same rules as
 * doing it by hand: an item whose state or permissions forbid it is left unchanged and named
 * in the report with the reason, the others proceed. Nothing is skipped silently.
 */
export async function bulkUpdate(actor: Actor, input: unknown): Promise<BulkReport> {
  const data = parseInput(bulkSchema, input);
  if (!can(actor, "project:view", { kind: "project", projectId: data.projectId })) throw notFound("That project");
  if (scopeOf(actor, "item:triage", data.projectId) === null) throw forbidden("Bulk actions need the investigator role or above.");

  const unique = [...new Map(data.items.map((item) => [item.itemId, item])).values()];
  const references = new Map(
    (await db().evidenceItem.findMany({ where: { id: { in: unique.map((i) => i.itemId) }, projectId: data.projectId }, select: { id: true, reference: true } })).map((i) => [i.id, i.reference]),
  );

  if (data.action === "assign" && data.assigneeId) {
    const member = await db().membership.findFirst({ where: { userId: data.assigneeId, projectId: data.projectId, role: { not: "CONTRIBUTOR" }, user: { active: true } } });
    if (!member) throw new DomainError("VALIDATION", "Assign items to an active investigator, reviewer or editor of this project.");
  }

  const outcomes: BulkItemOutcome[] = [];
  for (const { itemId, version } of unique) {
    const reference = references.get(itemId) ?? null;
    if (!reference) {
      outcomes.push({ itemId, reference: null, ok: false, code: "NOT_FOUND", message: "Not an item of this project." });
      continue;
    }
    try {
      if (data.action === "transition") {
        const result = await transitionItem(actor, { itemId, action: data.transition, expectedVersion: version, reason: data.reason, rejectionReason: data.rejectionReason });
        outcomes.push({ itemId, reference, ok: true, message: `Now ${result.status}` });
      } else if (data.action === "assign") {
        outcomes.push({ itemId, reference, ok: true, message: await assignOne(actor, data.projectId, itemId, version, data.assigneeId) });
      } else {
        outcomes.push({ itemId, reference, ok: true, message: await tagOne(actor, data.projectId, itemId, data.tag, data.action) });
      }
    } catch (error) {
      outcomes.push(failure(itemId, reference, error));
    }
  }
  const { applied, skipped, text } = summariseBulk(outcomes);
  return { outcomes, applied, skipped, summary: text };
}

/** Sets who works on an open item, without moving it through the workflow. */
async function assignOne(actor: Actor, projectId: string, itemId: string, version: number, assigneeId: string | null): Promise<string> {
  return db().$transaction(async (tx) => {
    const item = await tx.evidenceItem.findFirst({ where: { id: itemId, projectId }, select: { id: true, reference: true, status: true, version: true, assigneeId: true } });
    if (!item) throw notFound("That item");
    if (!ASSIGNABLE_STATES.includes(item.status as ItemState)) throw new DomainError("VALIDATION", `A ${item.status.toLowerCase()} item is closed: reopen it before assigning.`);
    if (item.assigneeId === assigneeId) return "Already assigned";
    const updated = await tx.evidenceItem.updateMany({ where: { id: itemId, version }, data: { assigneeId, version: { increment: 1 } } });
    if (updated.count !== 1) throw new DomainError("CONFLICT", "Changed by someone else since the list loaded. Reload and try again.");
    if (assigneeId && assigneeId !== actor.userId) {
      await notify(tx, { userIds: [assigneeId], projectId, itemId, kind: "ASSIGNMENT", actorId: actor.userId, message: `${item.reference} was assigned to you` });
    }
    await appendAuditEvent(tx, {
      actorId: actor.userId,
      projectId,
      action: "item.set_assignee",
      entityType: "EvidenceItem",
      entityId: itemId,
      before: { assigneeId: item.assigneeId, version: item.version },
      after: { assigneeId, version: item.version + 1, bulk: true },
    });
    return assigneeId ? "Assigned" : "Unassigned";
  });
}

/** Tags are labels, not state: they do not bump the version, so nobody's open page goes stale. */
async function tagOne(actor: Actor, projectId: string, itemId: string, rawTag: string, action: "tag" | "untag"): Promise<string> {
  const tag = normaliseTag(rawTag);
  if (!tag) throw new DomainError("VALIDATION", "Tags use letters, digits, dashes, dots or colons (at most 40).");
  return db().$transaction(async (tx) => {
    const rows = await tx.$queryRaw<Array<{ tags: string[] | null }>>`SELECT "tags" FROM "EvidenceItem" WHERE "id" = ${itemId} AND "projectId" = ${projectId} FOR UPDATE`;
    if (!rows[0]) throw notFound("That item");
    const before = rows[0].tags ?? [];
    const has = before.includes(tag);
    if (action === "tag" && has) return "Already tagged";
    if (action === "untag" && !has) return "Did not have the tag";
    if (action === "tag" && before.length >= 50) throw new DomainError("VALIDATION", "An item can carry at most 50 tags.");
    const after = action === "tag" ? [...before, tag].sort() : before.filter((t) => t !== tag);
    await tx.evidenceItem.update({ where: { id: itemId }, data: { tags: after } });
    await appendAuditEvent(tx, { actorId: actor.userId, projectId, action: `item.${action}`, entityType: "EvidenceItem", entityId: itemId, before: { tags: before }, after: { tags: after } });
    return action === "tag" ? `Tagged ${tag}` : `Removed ${tag}`;
  });
}
